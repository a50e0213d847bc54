"""双监控: time progress, lights and forecasts (DOMAIN.md §4), tested by tables."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import date
from decimal import Decimal as D

import pytest

from tracker.domain import DomainError
from tracker.domain.monitoring import (
    DEFAULT_THRESHOLDS,
    LIGHT_LABELS,
    LIGHT_MEANINGS,
    LIGHTS,
    MonitoringError,
    Thresholds,
    budget_light,
    check_deviation_explanation,
    completed_months,
    forecast,
    forecast_with_override,
    indicator_light,
    needs_deviation_explanation,
    period_end,
    progress_ratio,
    project_light,
    time_progress,
)
from tracker.domain.targets import Target
from tracker.domain.units import UnitError

HALF = D("0.5")


def q(op: str, value: str, unit: str = "") -> Target:
    return Target(raw=f"{op}{value}{unit}", kind="quantitative", op=op, value=D(value), unit=unit)


QUALITATIVE = Target(raw="明显提升", kind="qualitative")
DEADLINE_NOV = Target(raw="11月底前", kind="deadline", month=11)
DEADLINE_MAY10 = Target(raw="5月10日前", kind="deadline", month=5, day=10)
MONTHLY_25 = Target(raw="每月25日前发放到位", kind="deadline", monthly_day=25)
WITHIN_BUDGET = Target(raw="控制在预算内", kind="within_budget")


# ---------------------------------------------------------------------------- vocabulary


def test_light_vocabulary():
    assert LIGHTS == ("red", "yellow", "green", "blue", "grey")
    assert LIGHT_LABELS == {"red": "红", "yellow": "黄", "green": "绿", "blue": "蓝", "grey": "灰"}
    assert set(LIGHT_MEANINGS) == set(LIGHTS)
    assert LIGHT_MEANINGS["grey"] == "未填报"


# ---------------------------------------------------------------------------- time progress


@pytest.mark.parametrize(
    ("as_of", "budget_year", "months", "progress"),
    [
        (date(2023, 6, 30), 2023, 6, D("0.5")),  # 1-6月 (Hebei default)
        (date(2023, 7, 31), 2023, 7, D(7) / D(12)),  # 1-7月 (central rule)
        (date(2023, 7, 15), 2023, 6, D("0.5")),  # mid-month: July not over yet
        (date(2023, 7, 1), 2023, 6, D("0.5")),
        (date(2023, 3, 31), 2023, 3, D("0.25")),  # first quarter
        (date(2023, 9, 30), 2023, 9, D("0.75")),
        (date(2023, 12, 31), 2023, 12, D(1)),
        (date(2023, 1, 1), 2023, 0, D(0)),
        (date(2023, 1, 31), 2023, 1, D(1) / D(12)),
        (date(2024, 2, 28), 2024, 1, D(1) / D(12)),  # leap year: 28 Feb is not the end
        (date(2024, 2, 29), 2024, 2, D(2) / D(12)),
        (date(2023, 2, 28), 2023, 2, D(2) / D(12)),
        (date(2022, 12, 31), 2023, 0, D(0)),  # before the budget year
        (date(2024, 1, 5), 2023, 12, D(1)),  # after it (self-evaluation time)
    ],
)
def test_time_progress(as_of, budget_year, months, progress):
    assert completed_months(as_of, budget_year) == months
    result = time_progress(as_of, budget_year)
    assert result == progress
    assert isinstance(result, D)


@pytest.mark.parametrize(
    ("end_month", "expected"),
    [(6, date(2023, 6, 30)), (7, date(2023, 7, 31)), (3, date(2023, 3, 31)), (12, date(2023, 12, 31))],
)
def test_period_end(end_month, expected):
    assert period_end(2023, end_month) == expected


def test_period_end_default_is_hebei_1_to_6():
    assert period_end(2023) == date(2023, 6, 30)
    assert time_progress(period_end(2023), 2023) == D("0.5")


def test_period_end_rejects_bad_month():
    with pytest.raises(MonitoringError, match="监控期末月份应为 1 至 12"):
        period_end(2023, 13)


# ---------------------------------------------------------------------------- budget light


@pytest.mark.parametrize(
    ("execution_rate", "progress", "light"),
    [
        (D("0.50"), HALF, "green"),  # r = 100%
        (D("0.40"), HALF, "green"),  # r = 80% exactly
        (D("0.3999"), HALF, "yellow"),
        (D("0.30"), HALF, "yellow"),  # r = 60% exactly
        (D("0.2999"), HALF, "red"),
        (D("0"), HALF, "red"),
        (D("0.90"), HALF, "green"),  # ahead of schedule
        (D("1.20"), D(1), "green"),
        (D("0.79"), D(1), "yellow"),
        (D("0.35"), D(7) / D(12), "yellow"),  # r = 60% exactly with 7/12
        (D("0.10"), D(0), "green"),  # nothing expected yet
        (None, HALF, "grey"),  # budget 0 / not reported
    ],
)
def test_budget_light(execution_rate, progress, light):
    assert budget_light(execution_rate, progress) == light


@pytest.mark.parametrize(
    ("execution_rate", "light"),
    [(D("0.25"), "red"), (D("0.35"), "yellow"), (D("0.45"), "green")],
)
def test_budget_light_thresholds_are_configurable(execution_rate, light):
    # r: 50% red, 70% yellow, 90% green with thresholds 70/90
    thresholds = Thresholds(budget_red_below=D("0.70"), budget_yellow_below=D("0.90"))
    assert budget_light(execution_rate, HALF, thresholds) == light


@pytest.mark.parametrize(
    ("execution_rate", "progress", "message"),
    [
        (0.5, HALF, "执行率必须是 Decimal"),
        (D("0.5"), 0.5, "序时进度必须是 Decimal"),
        (D("0.5"), D("1.5"), "序时进度应在 0 至 1 之间"),
        (D("0.5"), D("-0.1"), "序时进度应在 0 至 1 之间"),
    ],
)
def test_budget_light_bad_input(execution_rate, progress, message):
    with pytest.raises(MonitoringError, match=message):
        budget_light(execution_rate, progress)


# ---------------------------------------------------------------------------- cumulative ≥ / =


@pytest.mark.parametrize(
    ("target", "current", "progress", "light"),
    [
        # target 100 at 序时进度 0.5: expected 50
        (q("≥", "100", "个"), D("0"), HALF, "red"),
        (q("≥", "100", "个"), D("29.99"), HALF, "red"),
        (q("≥", "100", "个"), D("30"), HALF, "yellow"),  # p = 60% exactly
        (q("≥", "100", "个"), D("39.99"), HALF, "yellow"),
        (q("≥", "100", "个"), D("40"), HALF, "green"),  # p = 80% exactly
        (q("≥", "100", "个"), D("50"), HALF, "green"),  # p = 100%
        (q("≥", "100", "个"), D("59.99"), HALF, "green"),
        (q("≥", "100", "个"), D("60"), HALF, "blue"),  # p = 120% exactly
        (q("≥", "100", "个"), D("100"), HALF, "blue"),  # a = t at mid-year: p = 200%
        (q("=", "4", "个"), D("2"), HALF, "green"),
        (q("=", "4", "个"), D("1"), HALF, "red"),  # p = 50%
        (q(">", "12", "次"), D("7"), HALF, "green"),
        # year end: p = current / target
        (q("≥", "100", "个"), D("100"), D(1), "green"),
        (q("≥", "100", "个"), D("200"), D(1), "blue"),  # a = 2t
        (q("≥", "100", "个"), D("79"), D(1), "yellow"),
        # units are converted
        (q("≥", "5.4", "万元"), "27000元", HALF, "green"),
        (q("≥", "100", "万度"), "200000度", HALF, "red"),  # 20万度 of 50 expected: p = 40%
        # t = 0 or nothing expected yet
        (q("≥", "0", "个"), D("0"), HALF, "green"),
        (q("≥", "100", "个"), D("0"), D(0), "green"),
        # no value yet
        (q("≥", "100", "个"), None, HALF, "grey"),
    ],
)
def test_cumulative_positive_light(target, current, progress, light):
    assert indicator_light(target, current, time_progress=progress, cumulative=True) == light


@pytest.mark.parametrize(
    ("current", "light"),
    [
        (D("34.99"), "red"),
        (D("35"), "yellow"),
        (D("44.99"), "yellow"),
        (D("45"), "green"),
        (D("74.99"), "green"),
        (D("75"), "blue"),
    ],
)
def test_indicator_thresholds_are_configurable(current, light):
    thresholds = Thresholds(
        indicator_red_below=D("0.70"), indicator_yellow_below=D("0.90"), indicator_blue_from=D("1.50")
    )
    result = indicator_light(q("≥", "100", "个"), current, time_progress=HALF, cumulative=True, thresholds=thresholds)
    assert result == light


# ---------------------------------------------------------------------------- level (rate) ≥ / =


@pytest.mark.parametrize(
    ("target", "current", "light"),
    [
        # compared directly with the target, whatever the time progress
        (q("≥", "95", "%"), D("95"), "green"),  # a = t
        (q("≥", "95", "%"), D("100"), "green"),
        (q("≥", "95", "%"), D("94.99"), "yellow"),  # below target is a deviation
        (q("≥", "95", "%"), D("57"), "yellow"),  # p = 60% exactly
        (q("≥", "95", "%"), D("56.99"), "red"),
        (q(">", "92", "%"), D("92"), "green"),
        (q("≥", "3780", "元/月/人"), D("4536"), "blue"),  # p = 120% exactly
        (q("≥", "3780", "元/月/人"), D("7560"), "blue"),  # a = 2t
        (q("≥", "3780", "元/月/人"), D("4535"), "green"),
        (q("≥", "95", "%"), "950‰", "green"),
        (q("≥", "0", "%"), D("0"), "green"),  # t = 0
        (q("≥", "0", "%"), D("-1"), "red"),
        (q("≥", "95", "%"), None, "grey"),
    ],
)
@pytest.mark.parametrize("progress", [HALF, D(7) / D(12), D(1)])
def test_level_positive_light(target, current, light, progress):
    assert indicator_light(target, current, time_progress=progress, cumulative=False) == light


# ---------------------------------------------------------------------------- reverse ≤ / <


@pytest.mark.parametrize(
    ("target", "current", "cumulative", "light"),
    [
        # level (e.g. a unit price): within the limit green, over red
        (q("≤", "2300", "元/月/人"), D("2300"), False, "green"),
        (q("≤", "2300", "元/月/人"), D("2000"), False, "green"),
        (q("≤", "2300", "元/月/人"), D("2301"), False, "red"),
        (q("<", "0.6", "元"), D("0.6"), False, "green"),  # a = t counts as within, as in scoring
        (q("<", "0.6", "元"), D("0.61"), False, "red"),
        # cumulative cost: above the pro-rated share (22.5 × 0.5 = 11.25) yellow
        (q("≤", "22.5", "万元"), D("11.25"), True, "green"),
        (q("≤", "22.5", "万元"), D("11.26"), True, "yellow"),
        (q("≤", "22.5", "万元"), D("22.5"), True, "yellow"),
        (q("≤", "22.5", "万元"), D("22.51"), True, "red"),
        (q("≤", "22.5", "万元"), D("45"), True, "red"),  # a = 2t
        (q("≤", "22.5", "万元"), "100000元", True, "green"),
        (q("≤", "22.5", "万元"), "150000元", True, "yellow"),
        # t = 0 (安全事故 0 起)
        (q("≤", "0", "起"), D("0"), True, "green"),
        (q("≤", "0", "起"), D("1"), True, "red"),
        (q("≤", "0", "起"), D("1"), False, "red"),
        (q("≤", "22.5", "万元"), None, True, "grey"),
    ],
)
def test_reverse_light(target, current, cumulative, light):
    assert indicator_light(target, current, time_progress=HALF, cumulative=cumulative) == light


# t = 0 written as "0次", "安全事故0起", "=0": a ceiling like "≤0起" — one event is red at
# once, whether the indicator is cumulative or a level (it used to be green: "=" was treated
# as a floor and 1 ≥ 0).
@pytest.mark.parametrize("text", ["0次", "安全事故0起", "=0", "≤0起", "0%"])
@pytest.mark.parametrize("cumulative", [True, False])
@pytest.mark.parametrize("progress", [D(0), HALF, D(1)])
@pytest.mark.parametrize(("current", "light"), [(D("0"), "green"), (D("1"), "red"), (D("0.5"), "red"), (None, "grey")])
def test_zero_target_light(text, cumulative, progress, current, light):
    from tracker.domain.targets import parse_target

    target = parse_target(text)
    assert indicator_light(target, current, time_progress=progress, cumulative=cumulative) == light


def test_reverse_cumulative_at_year_end_is_plain_limit():
    target = q("≤", "22.5", "万元")
    assert indicator_light(target, D("22.5"), time_progress=D(1), cumulative=True) == "green"


# ---------------------------------------------------------------------------- within budget


@pytest.mark.parametrize(
    ("budget", "spent", "light"),
    [
        (D("50"), D("50"), "green"),
        (D("50"), D("45"), "green"),  # ahead of schedule is not a warning here
        (D("50"), D("50.01"), "red"),
        ("50万元", "400000元", "green"),
        ("50万元", "510000元", "red"),
        (D("0"), D("0"), "green"),
        (D("0"), D("1"), "red"),
        (D("50"), None, "grey"),
    ],
)
@pytest.mark.parametrize("cumulative", [True, False])
def test_within_budget_light(budget, spent, light, cumulative):
    result = indicator_light(WITHIN_BUDGET, spent, time_progress=HALF, cumulative=cumulative, budget=budget)
    assert result == light


def test_within_budget_needs_the_budget():
    with pytest.raises(MonitoringError, match="须提供预算数"):
        indicator_light(WITHIN_BUDGET, D(1), time_progress=HALF, cumulative=True)


# ---------------------------------------------------------------------------- qualitative


@pytest.mark.parametrize(
    ("tier", "light"),
    [("达成", "green"), ("部分达成", "yellow"), ("未达成", "red"), (None, "grey")],
)
def test_qualitative_light(tier, light):
    assert indicator_light(QUALITATIVE, None, time_progress=HALF, cumulative=False, tier=tier) == light


def test_qualitative_unknown_tier():
    with pytest.raises(MonitoringError, match="未知的评价档次“很好”"):
        indicator_light(QUALITATIVE, None, time_progress=HALF, cumulative=False, tier="很好")


# ---------------------------------------------------------------------------- deadlines

AS_OF = date(2023, 6, 30)


@pytest.mark.parametrize(
    ("target", "completed_on", "as_of", "light"),
    [
        # not yet due
        (DEADLINE_NOV, None, AS_OF, "green"),
        (DEADLINE_NOV, date(2023, 6, 1), AS_OF, "green"),
        # due date passed
        (DEADLINE_MAY10, None, AS_OF, "red"),
        (DEADLINE_MAY10, date(2023, 5, 10), AS_OF, "green"),  # on the due date
        (DEADLINE_MAY10, date(2023, 5, 11), AS_OF, "yellow"),  # done late
        (DEADLINE_MAY10, date(2023, 7, 1), AS_OF, "red"),  # done after the as-of date
        # on the due date itself it is not yet past due
        (DEADLINE_MAY10, None, date(2023, 5, 10), "green"),
        (DEADLINE_MAY10, None, date(2023, 5, 11), "red"),
        (DEADLINE_NOV, None, date(2023, 11, 30), "green"),
        (DEADLINE_NOV, None, date(2023, 12, 1), "red"),
    ],
)
def test_deadline_light(target, completed_on, as_of, light):
    result = indicator_light(
        target, None, time_progress=time_progress(as_of, 2023), cumulative=False, completed_on=completed_on, as_of=as_of
    )
    assert result == light


ON_TIME = [date(2023, m, 20) for m in range(1, 13)]


@pytest.mark.parametrize(
    ("completed_on", "as_of", "light"),
    [
        (ON_TIME[:6], AS_OF, "green"),  # Jan–Jun due and done
        (ON_TIME[:5], AS_OF, "red"),  # June missing
        (ON_TIME[:5], date(2023, 6, 25), "green"),  # June not yet past due
        (ON_TIME[:5], date(2023, 6, 26), "red"),
        ([*ON_TIME[:2], date(2023, 3, 28), *ON_TIME[3:6]], AS_OF, "yellow"),  # March late
        ([*ON_TIME[:2], None, *ON_TIME[3:6]], AS_OF, "red"),
        ({m: date(2023, m, 1) for m in range(1, 7)}, AS_OF, "green"),
        (None, date(2023, 1, 20), "green"),  # nothing due yet
        (None, AS_OF, "red"),
        (ON_TIME[:6], date(2023, 6, 15), "green"),  # June (done 6-20, after as-of) not yet due
    ],
)
def test_monthly_deadline_light(completed_on, as_of, light):
    result = indicator_light(
        MONTHLY_25, None, time_progress=HALF, cumulative=False, completed_on=completed_on, as_of=as_of
    )
    assert result == light


def test_deadline_budget_year_defaults_to_as_of_year_and_can_be_given():
    # 11月底前 of the 2023 budget looked at on 2024-01-05: past due
    kwargs = {"time_progress": D(1), "cumulative": False, "completed_on": None, "as_of": date(2024, 1, 5)}
    assert indicator_light(DEADLINE_NOV, None, budget_year=2023, **kwargs) == "red"
    assert indicator_light(DEADLINE_NOV, None, **kwargs) == "green"  # read as 2024-11-30


def test_deadline_needs_as_of():
    with pytest.raises(MonitoringError, match="须提供监控截止日期"):
        indicator_light(DEADLINE_NOV, None, time_progress=HALF, cumulative=False)


def test_deadline_completion_must_be_a_date():
    with pytest.raises(DomainError, match="完成日期必须是日期"):
        indicator_light(DEADLINE_NOV, None, time_progress=HALF, cumulative=False, completed_on="6月1日", as_of=AS_OF)


# ---------------------------------------------------------------------------- bad indicator input


@pytest.mark.parametrize(
    ("target", "current", "error", "message"),
    [
        (q("≥", "100", "个"), "5万元", UnitError, "无法换算"),
        (q("≥", "100", "个"), 0.5, DomainError, "必须是数值"),
        (Target(raw="x", kind="other"), D(1), MonitoringError, "未知的指标类型"),
        (Target(raw="5", kind="quantitative", value=D(5)), D(1), MonitoringError, "缺少比较符号"),
    ],
)
def test_indicator_light_bad_input(target, current, error, message):
    with pytest.raises(error, match=message):
        indicator_light(target, current, time_progress=HALF, cumulative=True)


# ---------------------------------------------------------------------------- progress ratio


@pytest.mark.parametrize(
    ("target", "current", "cumulative", "expected"),
    [
        (q("≥", "100", "个"), D("30"), True, D("0.6")),
        (q("≥", "100", "个"), D("30"), False, D("0.3")),
        (q("≥", "5.4", "万元"), "27000元", True, D(1)),
        (q("≥", "0", "个"), D("3"), True, None),
        (q("≥", "100", "个"), None, True, None),
        (QUALITATIVE, D(1), True, None),
    ],
)
def test_progress_ratio(target, current, cumulative, expected):
    assert progress_ratio(target, current, time_progress=HALF, cumulative=cumulative) == expected


# ---------------------------------------------------------------------------- project light


@pytest.mark.parametrize(
    ("lights", "expected"),
    [
        (["green", "red", "blue"], "red"),
        (["green", "yellow", "blue", "grey"], "yellow"),
        (["blue", "green", "grey"], "green"),
        (["blue", "grey"], "blue"),
        (["grey", "grey"], "grey"),
        (["green"], "green"),
        ([], "grey"),
        (iter(["yellow", "red"]), "red"),
    ],
)
def test_project_light(lights, expected):
    assert project_light(lights) == expected


def test_project_light_unknown_light():
    with pytest.raises(MonitoringError, match="未知的预警灯：purple"):
        project_light(["green", "purple"])


def test_project_light_combines_budget_and_indicators():
    budget = budget_light(D("0.45"), HALF)  # r = 90% → green
    indicator = indicator_light(q("≥", "100", "个"), D("35"), time_progress=HALF, cumulative=True)  # 70% → yellow
    assert (budget, indicator) == ("green", "yellow")
    assert project_light([budget, indicator]) == "yellow"


# ---------------------------------------------------------------------------- forecast


@pytest.mark.parametrize(
    ("current", "progress", "cumulative", "expected"),
    [
        (D("50"), HALF, True, D("100.00")),
        (D("10"), D(7) / D(12), True, D("17.14")),  # 17.142857…
        (D("10"), D(1) / D(12), True, D("120.00")),
        (D("1"), D(3) / D(12), True, D("4.00")),
        (D("95.5"), HALF, False, D("95.5")),  # level: the latest value
        (D("7"), D(0), False, D("7")),
        (D("50"), D(0), True, None),  # nothing to extrapolate from
        (None, HALF, True, None),
        (None, HALF, False, None),
        (3, HALF, True, D("6.00")),
    ],
)
def test_forecast(current, progress, cumulative, expected):
    result = forecast(current, time_progress=progress, cumulative=cumulative)
    assert result == expected
    assert result is None or isinstance(result, D)


def test_forecast_rejects_float():
    with pytest.raises(MonitoringError, match="必须是 Decimal"):
        forecast(0.5, time_progress=HALF, cumulative=True)


@pytest.mark.parametrize(
    ("computed", "override", "reason", "expected"),
    [
        (D("100"), None, None, D("100")),
        (D("100"), D("100"), None, D("100")),  # same value: nothing to explain
        (D("100"), D("80"), "下半年资金到位延迟", D("80")),
        (None, D("80"), "无法测算", D("80")),
    ],
)
def test_forecast_with_override(computed, override, reason, expected):
    assert forecast_with_override(computed, override, reason) == expected


@pytest.mark.parametrize("reason", [None, "", "  "])
def test_forecast_override_needs_a_reason(reason):
    with pytest.raises(MonitoringError, match="须说明原因"):
        forecast_with_override(D("100"), D("80"), reason)


# ---------------------------------------------------------------------------- explanations


@pytest.mark.parametrize(
    ("light", "expected"),
    [("red", True), ("yellow", True), ("blue", True), ("green", False), ("grey", False)],
)
def test_needs_deviation_explanation(light, expected):
    assert needs_deviation_explanation(light) is expected


def test_explain_lights_are_configurable():
    thresholds = Thresholds(explain_lights=("red",))
    assert needs_deviation_explanation("yellow", thresholds) is False
    assert needs_deviation_explanation("red", thresholds) is True


@pytest.mark.parametrize(
    ("light", "reasons", "analysis", "measure", "message"),
    [
        ("red", [], None, None, "红灯指标须填写偏差原因类别、偏差原因分析、纠偏措施后才能提交"),
        ("yellow", ["经费保障"], "资金未到位", "", "黄灯指标须填写纠偏措施后才能提交"),
        ("blue", ["其他"], " ", "调整目标", "蓝灯指标须填写偏差原因分析后才能提交"),
        ("green", ["天气"], None, None, "未知的偏差原因类别：天气"),
    ],
)
def test_check_deviation_explanation_errors(light, reasons, analysis, measure, message):
    with pytest.raises(MonitoringError, match=message):
        check_deviation_explanation(light, reasons=reasons, analysis=analysis, measure=measure)


@pytest.mark.parametrize(
    ("light", "reasons", "analysis", "measure"),
    [
        ("red", ["经费保障", "人员保障"], "资金下达晚", "加快支付进度"),
        ("green", [], None, None),
        ("grey", [], None, None),
    ],
)
def test_check_deviation_explanation_ok(light, reasons, analysis, measure):
    check_deviation_explanation(light, reasons=reasons, analysis=analysis, measure=measure)


def test_unknown_light_needs_no_guessing():
    with pytest.raises(MonitoringError):
        needs_deviation_explanation("purple")


# ---------------------------------------------------------------------------- thresholds


def test_default_thresholds():
    t = DEFAULT_THRESHOLDS
    assert (t.budget_red_below, t.budget_yellow_below) == (D("0.60"), D("0.80"))
    assert (t.indicator_red_below, t.indicator_yellow_below, t.indicator_blue_from) == (
        D("0.60"),
        D("0.80"),
        D("1.20"),
    )
    assert all(isinstance(v, D) for v in (t.budget_red_below, t.indicator_blue_from))


def test_thresholds_are_frozen():
    with pytest.raises(FrozenInstanceError):
        DEFAULT_THRESHOLDS.budget_red_below = D("0.5")  # type: ignore[misc]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"budget_red_below": "0.5"}, Thresholds(budget_red_below=D("0.5"))),
        ({"indicator_blue_from": D("1.5"), "budget_yellow_below": None}, Thresholds(indicator_blue_from=D("1.5"))),
        ({"explain_lights": ["red", "yellow"]}, Thresholds(explain_lights=("red", "yellow"))),
        ({}, DEFAULT_THRESHOLDS),
    ],
)
def test_thresholds_from_mapping(values, expected):
    assert Thresholds.from_mapping(values) == expected


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"budget_red": "0.5"}, "未知的预警阈值设置：budget_red"),
        ({"budget_red_below": "abc"}, "不是有效数值"),
        ({"budget_red_below": "0.9"}, "预算执行红灯阈值 0.9 不能高于黄灯阈值 0.80"),
        ({"indicator_yellow_below": "1.3"}, "指标预警阈值须满足 红灯 ≤ 黄灯 ≤ 蓝灯"),
        ({"indicator_red_below": "-0.1"}, "不能为负数"),
        ({"explain_lights": ["purple"]}, "未知的预警灯"),
    ],
)
def test_thresholds_are_validated(values, message):
    with pytest.raises(MonitoringError, match=message):
        Thresholds.from_mapping(values)


def test_thresholds_reject_floats():
    with pytest.raises(MonitoringError, match="必须是 Decimal"):
        Thresholds(budget_red_below=0.6)  # type: ignore[arg-type]
