"""Self-evaluation scoring (DOMAIN.md §5), tested by tables."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D

import pytest

from tracker.domain import DomainError
from tracker.domain.scoring import (
    DEFAULT_LEVEL1_WEIGHTS,
    ConsistencyWarning,
    ScoringError,
    apply_deduction,
    budget_execution_score,
    check_weights,
    consistency_warnings,
    deadline_due_date,
    default_weights,
    evaluate_indicator,
    execution_needs_explanation,
    execution_rate,
    grade,
    level1_weights_for,
    monthly_due_date,
    needs_explanation,
    overshoot_flag,
    propose_deadline_tier,
    round_score,
    score_indicator,
    split_weight,
    tier_range,
)
from tracker.domain.targets import Target
from tracker.domain.units import UnitError


def q(op: str, value: str, unit: str = "") -> Target:
    return Target(raw=f"{op}{value}{unit}", kind="quantitative", op=op, value=D(value), unit=unit)


QUALITATIVE = Target(raw="明显提升", kind="qualitative")
DEADLINE_NOV = Target(raw="11月底前", kind="deadline", month=11)
DEADLINE_DEC31 = Target(raw="12月31日前完成", kind="deadline", month=12, day=31)
DEADLINE_2025 = Target(raw="2025年10月底前", kind="deadline", year=2025, month=10)
DEADLINE_FEB30 = Target(raw="2月30日前", kind="deadline", month=2, day=30)
MONTHLY_25 = Target(raw="每月25日前发放到位", kind="deadline", monthly_day=25)
MONTHLY_31 = Target(raw="每月31日前", kind="deadline", monthly_day=31)
WITHIN_BUDGET = Target(raw="控制在预算内", kind="within_budget")


def _is_2dp_decimal(value) -> bool:
    return isinstance(value, D) and value.as_tuple().exponent == -2


# ---------------------------------------------------------------------------- quantitative


@pytest.mark.parametrize(
    ("target", "actual", "weight", "expected"),
    [
        # positive ≥: met, exceeded (capped), short (proportional)
        (q("≥", "95", "%"), D("95"), D(10), D("10.00")),
        (q("≥", "95", "%"), D("100"), D(10), D("10.00")),
        (q("≥", "95", "%"), D("190"), D(10), D("10.00")),  # a = 2t, still capped
        (q("≥", "95", "%"), D("90"), D(10), D("9.47")),  # 10 × 90 / 95 = 9.473…
        (q("≥", "100", "个"), D("50"), D(5), D("2.50")),
        (q("≥", "100", "个"), D("0"), D(5), D("0.00")),
        (q("≥", "100", "个"), D("-3"), D(5), D("0.00")),  # never below 0
        # = and > are scored like ≥ (meeting is met)
        (q("=", "4", "个"), D("4"), D(6), D("6.00")),
        (q("=", "4", "个"), D("3"), D(6), D("4.50")),
        (q("=", "4", "个"), D("5"), D(6), D("6.00")),
        (q(">", "92", "%"), D("92"), D(10), D("10.00")),
        (q(">", "92", "%"), D("46"), D(10), D("5.00")),
        # positive with t = 0: anything ≥ 0 is met
        (q("≥", "0", "个"), D("0"), D(5), D("5.00")),
        (q("≥", "0", "个"), D("-1"), D(5), D("0.00")),
        # reverse ≤ / <, ratio rule: a ≤ t → w, else w × t / a
        (q("≤", "22.5", "万元/年"), D("22.5"), D(10), D("10.00")),
        (q("≤", "22.5", "万元/年"), D("20"), D(10), D("10.00")),
        (q("≤", "22.5", "万元/年"), D("45"), D(10), D("5.00")),  # a = 2t
        (q("≤", "100", "元"), D("150"), D(10), D("6.67")),  # 10 × 100 / 150 = 6.666…
        (q("<", "0.6", "元"), D("0.6"), D(4), D("4.00")),  # a = t counts as within
        (q("<", "0.6", "元"), D("0.8"), D(4), D("3.00")),
        # t = 0 (安全事故 0 起)
        (q("≤", "0", "起"), D("0"), D(5), D("5.00")),
        (q("≤", "0", "起"), D("1"), D(5), D("0.00")),
        (q("<", "0", "起"), D("0"), D(5), D("5.00")),
        # weight 0
        (q("≥", "95", "%"), D("50"), D(0), D("0.00")),
        # int weights and actuals are accepted
        (q("≥", "10", "个"), 5, 4, D("2.00")),
    ],
)
def test_quantitative_scores(target, actual, weight, expected):
    score = score_indicator(target, actual, weight)
    assert score == expected
    assert _is_2dp_decimal(score)


@pytest.mark.parametrize(
    ("target", "actual", "rule", "expected"),
    [
        (q("≤", "100", "元"), D("100"), "linear", D("10.00")),
        (q("≤", "100", "元"), D("90"), "linear", D("10.00")),
        (q("≤", "100", "元"), D("150"), "linear", D("5.00")),  # 1 − 50/100
        (q("≤", "100", "元"), D("200"), "linear", D("0.00")),  # a = 2t reaches 0
        (q("≤", "100", "元"), D("300"), "linear", D("0.00")),  # floored at 0
        (q("≤", "100", "元"), D("133"), "linear", D("6.70")),
        (q("≤", "0", "起"), D("1"), "linear", D("0.00")),
        (q("≤", "0", "起"), D("0"), "linear", D("10.00")),
        (q("≤", "100", "元"), D("200"), "ratio", D("5.00")),
        (q("≥", "100", "元"), D("50"), "linear", D("5.00")),  # rule only affects reverse
    ],
)
def test_reverse_rule_is_configurable(target, actual, rule, expected):
    assert score_indicator(target, actual, D(10), reverse_rule=rule) == expected


# t = 0 ("0次", "安全事故0起", "=0", "≤0起"): full marks only when nothing happened
# (DOMAIN.md §5). A bare "0次" parses as "=" (implicit) and used to be scored like ≥,
# so one accident still gave full marks.
@pytest.mark.parametrize("text", ["0次", "安全事故0起", "=0", "＝0起", "≤0起", "0", "重大安全事故0次", "0%"])
@pytest.mark.parametrize(
    ("actual", "expected"),
    [(D("0"), D("8.00")), (D("1"), D("0.00")), (D("0.5"), D("0.00")), (D("100"), D("0.00")), (D("-1"), D("8.00"))],
)
def test_zero_target_scores_only_when_nothing_happened(text, actual, expected):
    from tracker.domain.targets import parse_target

    target = parse_target(text)
    assert target.value == 0, text
    assert score_indicator(target, actual, D(8)) == expected
    assert score_indicator(target, actual, D(8), reverse_rule="linear") == expected
    result = evaluate_indicator(target, actual, D(8))
    assert not result.overshoot
    assert result.fully_met == (expected == D("8.00"))


def test_zero_target_with_text_actual():
    from tracker.domain.targets import parse_target

    assert score_indicator(parse_target("0次"), "1次", D(5)) == D("0.00")
    assert score_indicator(parse_target("0次"), "0次", D(5)) == D("5.00")


def test_written_floor_of_zero_is_met_by_anything_not_negative():
    # "≥0个" / ">0" say "at least zero": not the "安全事故0起" case.
    assert score_indicator(q("≥", "0", "个"), D("3"), D(5)) == D("5.00")
    assert score_indicator(q(">", "0", "%"), D("3"), D(5)) == D("5.00")


def test_unknown_reverse_rule():
    with pytest.raises(ScoringError, match="未知的反向指标计分规则“square”"):
        score_indicator(q("≤", "1", "元"), D(1), D(10), reverse_rule="square")


@pytest.mark.parametrize(
    ("weight", "actual", "expected"),
    [
        # ROUND_HALF_UP at the third decimal
        (D("10"), D("2.345"), D("2.35")),  # 10 × 2.345 / 10 = 2.345 → 2.35
        (D("10"), D("2.344"), D("2.34")),
        (D("10"), D("2.355"), D("2.36")),
        (D("3.33"), D("5"), D("1.67")),  # 3.33 × 5 / 10 = 1.665 → 1.67
        (D("16.66"), D("3"), D("5.00")),  # 16.66 × 0.3 = 4.998 → 5.00
    ],
)
def test_rounding_half_up(weight, actual, expected):
    assert score_indicator(q("≥", "10", "个"), actual, weight) == expected


@pytest.mark.parametrize(
    ("target", "actual", "expected"),
    [
        (q("≥", "5.4", "万元"), "49200元", D("9.11")),  # 4.92 / 5.4 × 10
        (q("≥", "5.4", "万元"), "54000元", D("10.00")),
        (q("≥", "5.4", "万元"), "5.4万", D("10.00")),  # "万" alone in money → 万元
        (q("≤", "22.5", "万元/年"), "300000元/年", D("7.50")),
        (q("≥", "95", "%"), "95％", D("10.00")),
        (q("≥", "95", "%"), "90", D("9.47")),  # no unit: in the target's unit
        (q("≥", "100", "万度"), "500000度", D("5.00")),
        (q("≥", "100", "个"), "1,000个", D("10.00")),
        (q("≥", "100", ""), "50个", D("5.00")),  # target without unit
    ],
)
def test_actual_with_unit_is_converted(target, actual, expected):
    assert score_indicator(target, actual, D(10)) == expected


@pytest.mark.parametrize(
    ("target", "actual", "error"),
    [
        (q("≥", "100", "个"), "5万元", UnitError),
        (q("≥", "95", "%"), "很多", UnitError),
        (q("≥", "95", "%"), 0.95, ScoringError),  # floats never enter
        (q("≥", "95", "%"), None, ScoringError),
        (q("≥", "95", "%"), True, ScoringError),
    ],
)
def test_bad_actuals(target, actual, error):
    with pytest.raises(error) as excinfo:
        score_indicator(target, actual, D(10))
    assert isinstance(excinfo.value, DomainError)


@pytest.mark.parametrize(
    ("weight", "message"),
    [(D(-1), "分值不能为负数"), (1.5, "分值必须是数值"), (D("NaN"), "不是有效数值")],
)
def test_bad_weights(weight, message):
    with pytest.raises(ScoringError, match=message):
        score_indicator(q("≥", "1", "个"), D(1), weight)


def test_tier_on_quantitative_is_rejected():
    with pytest.raises(ScoringError, match="按实际完成值计分"):
        score_indicator(q("≥", "1", "个"), D(1), D(10), tier="达成", tier_score=D(10))


def test_unknown_kind_is_rejected():
    with pytest.raises(ScoringError, match="未知的指标类型"):
        score_indicator(Target(raw="?", kind="other"), D(1), D(10))


def test_quantitative_without_operator_is_rejected():
    with pytest.raises(ScoringError, match="不是可计分的定量指标"):
        score_indicator(Target(raw="5", kind="quantitative", value=D(5)), D(1), D(10))


# ---------------------------------------------------------------------------- within budget


@pytest.mark.parametrize(
    ("budget", "spent", "rule", "expected"),
    [
        (D("50"), D("50"), "ratio", D("10.00")),
        (D("50"), D("40"), "ratio", D("10.00")),
        (D("50"), D("100"), "ratio", D("5.00")),
        (D("50"), D("75"), "linear", D("5.00")),
        (D("0"), D("0"), "ratio", D("10.00")),
        (D("0"), D("1"), "ratio", D("0.00")),
        ("50万元", "400000元", "ratio", D("10.00")),
        ("50万元", "600000元", "ratio", D("8.33")),
        ("50万元", D("60"), "ratio", D("8.33")),  # a Decimal spent is in the budget's unit
        (D("50"), "60", "ratio", D("8.33")),
    ],
)
def test_within_budget(budget, spent, rule, expected):
    assert score_indicator(WITHIN_BUDGET, spent, D(10), budget=budget, reverse_rule=rule) == expected


@pytest.mark.parametrize(
    ("budget", "spent", "message"),
    [
        (None, D(1), "须提供预算数"),
        (D(1), None, "缺少实际支出数"),
        (D(50), "600000元", "预算数没有单位"),
        ("50万元", "3个", "无法换算"),
        ("50", "600000元", "预算数没有单位"),
    ],
)
def test_within_budget_errors(budget, spent, message):
    with pytest.raises(DomainError, match=message):
        score_indicator(WITHIN_BUDGET, spent, D(10), budget=budget)


# ---------------------------------------------------------------------------- tiers


@pytest.mark.parametrize("target", [QUALITATIVE, DEADLINE_NOV])
@pytest.mark.parametrize(
    ("tier", "tier_score", "expected"),
    [
        ("达成", D("10"), D("10.00")),
        ("达成", D("8"), D("8.00")),
        ("达成", D("9.5"), D("9.50")),
        ("部分达成", D("6"), D("6.00")),
        ("部分达成", D("7.99"), D("7.99")),
        ("部分达成", D("7.994"), D("7.99")),
        ("未达成", D("0"), D("0.00")),
        ("未达成", D("5.99"), D("5.99")),
        ("未达成", 3, D("3.00")),
    ],
)
def test_tier_scores_inside_range(target, tier, tier_score, expected):
    assert score_indicator(target, None, D(10), tier=tier, tier_score=tier_score) == expected


@pytest.mark.parametrize(
    ("tier", "tier_score", "weight", "message"),
    [
        ("部分达成", D("8"), D(10), "“部分达成”的得分应在 6.00 至 8.00 分之间（不含 8.00），填写的是 8.00 分"),
        ("部分达成", D("7.999"), D(10), "不含 8.00），填写的是 8.00 分"),  # rounded first
        ("部分达成", D("5.99"), D(10), "“部分达成”的得分应在 6.00 至 8.00 分之间"),
        ("达成", D("7.99"), D(10), "“达成”的得分应在 8.00 至 10.00 分之间，填写的是 7.99 分"),
        ("达成", D("10.01"), D(10), "“达成”的得分应在 8.00 至 10.00 分之间"),
        ("未达成", D("6"), D(10), "“未达成”的得分应在 0.00 至 6.00 分之间（不含 6.00）"),
        ("未达成", D("-1"), D(10), "“未达成”的得分应在 0.00 至 6.00 分之间"),
        # bounds that are not whole cents: 3.33 × 0.6 = 1.998, × 0.8 = 2.664
        ("部分达成", D("1.99"), D("3.33"), "“部分达成”的得分应在 2.00 至 2.66 分之间，填写的是 1.99 分"),
        ("部分达成", D("2.67"), D("3.33"), "2.00 至 2.66 分之间"),
        ("达成", D("2.66"), D("3.33"), "“达成”的得分应在 2.67 至 3.33 分之间"),
        ("优秀", D("10"), D(10), "未知的评价档次“优秀”"),
        (None, D("10"), D(10), "须选择评价档次"),
        ("达成", None, D(10), "请填写“达成”的得分：8.00 至 10.00 分之间"),
    ],
)
def test_tier_scores_outside_range(tier, tier_score, weight, message):
    with pytest.raises(ScoringError, match=message):
        score_indicator(QUALITATIVE, None, weight, tier=tier, tier_score=tier_score)


@pytest.mark.parametrize(
    ("tier", "low", "high", "inclusive"),
    [
        ("达成", D("8.0"), D("10"), True),
        ("部分达成", D("6.0"), D("8.0"), False),
        ("未达成", D("0"), D("6.0"), False),
    ],
)
def test_tier_range(tier, low, high, inclusive):
    assert tier_range(tier, D(10)) == (low, high, inclusive)


@pytest.mark.parametrize(
    ("tier_score", "expected"),
    [
        # 3.33 points: 部分达成 is [1.998, 2.664); the score is rounded before the check
        (D("1.998"), D("2.00")),
        (D("2.00"), D("2.00")),
        (D("2.66"), D("2.66")),
        (D("2.664"), D("2.66")),
    ],
)
def test_tier_bounds_are_compared_after_rounding(tier_score, expected):
    score = score_indicator(QUALITATIVE, None, D("3.33"), tier="部分达成", tier_score=tier_score)
    assert score == expected


# ---------------------------------------------------------------------------- overshoot, deductions


@pytest.mark.parametrize(
    ("target", "actual", "ratio", "flag"),
    [
        (q("≥", "100", "个"), D("119"), D("1.2"), False),
        (q("≥", "100", "个"), D("120"), D("1.2"), True),  # exactly 1.2 t
        (q("≥", "100", "个"), D("200"), D("1.2"), True),
        (q("≥", "100", "个"), D("130"), D("1.5"), False),  # configurable
        (q("≥", "100", "个"), D("150"), D("1.5"), True),
        (q("=", "4", "个"), D("5"), D("1.2"), True),
        (q(">", "90", "%"), D("99"), D("1.2"), False),
        (q("≥", "5.4", "万元"), "70000元", D("1.2"), True),
        (q("≥", "0", "个"), D("5"), D("1.2"), False),  # t = 0 cannot overshoot
        (q("≤", "100", "元"), D("10"), D("1.2"), False),  # reverse indicators do not
        (q("≥", "100", "个"), None, D("1.2"), False),
        (QUALITATIVE, None, D("1.2"), False),
    ],
)
def test_overshoot_flag(target, actual, ratio, flag):
    assert overshoot_flag(target, actual, ratio) is flag


def test_overshoot_default_ratio():
    assert overshoot_flag(q("≥", "100", "个"), D("120")) is True
    assert overshoot_flag(q("≥", "100", "个"), D("119.99")) is False


@pytest.mark.parametrize(
    ("score", "deduction", "reason", "expected"),
    [
        (D("10"), None, None, D("10.00")),
        (D("10"), D("0"), None, D("10.00")),  # nothing deducted needs no reason
        (D("10"), D("2"), "目标设定偏低", D("8.00")),
        (D("10"), D("10"), "目标设定偏低", D("0.00")),
        (D("9.47"), D("0.005"), "原因", D("9.46")),  # the deduction is rounded first
    ],
)
def test_apply_deduction(score, deduction, reason, expected):
    assert apply_deduction(score, deduction, reason) == expected


@pytest.mark.parametrize(
    ("score", "deduction", "reason", "message"),
    [
        (D("10"), D("2"), None, "扣减 2.00 分须说明原因"),
        (D("10"), D("2"), "  ", "扣减 2.00 分须说明原因"),
        (D("10"), D("-1"), "x", "扣分不能为负数"),
        (D("2"), D("3"), "x", "扣分 3.00 分超过了得分 2.00 分"),
    ],
)
def test_apply_deduction_errors(score, deduction, reason, message):
    with pytest.raises(ScoringError, match=message):
        apply_deduction(score, deduction, reason)


@pytest.mark.parametrize(
    ("actual", "deduction", "reason", "base", "score", "overshoot", "fully_met", "explain"),
    [
        (D("100"), None, None, D("10.00"), D("10.00"), False, True, False),
        (D("90"), None, None, D("9.00"), D("9.00"), False, False, True),
        (D("150"), None, None, D("10.00"), D("10.00"), True, True, True),
        (D("150"), D("1"), "目标偏低", D("10.00"), D("9.00"), True, True, True),
    ],
)
def test_evaluate_indicator(actual, deduction, reason, base, score, overshoot, fully_met, explain):
    result = evaluate_indicator(q("≥", "100", "个"), actual, D(10), deduction=deduction, deduction_reason=reason)
    assert (result.base_score, result.score, result.overshoot) == (base, score, overshoot)
    assert result.fully_met is fully_met
    assert result.needs_explanation is explain
    assert result.deduction == (D("1.00") if deduction else D(0))
    assert result.deduction_reason == reason


def test_evaluate_indicator_overshoot_ratio_is_configurable():
    result = evaluate_indicator(q("≥", "100", "个"), D("130"), D(10), overshoot_ratio=D("1.5"))
    assert result.overshoot is False


@pytest.mark.parametrize(
    ("score", "weight", "overshoot", "expected"),
    [
        (D("10"), D("10"), False, False),
        (D("10.00"), D("10"), False, False),
        (D("9.99"), D("10"), False, True),
        (D("10"), D("10"), True, True),
        (D("0"), D("0"), False, False),
    ],
)
def test_needs_explanation(score, weight, overshoot, expected):
    assert needs_explanation(score, weight, overshoot=overshoot) is expected


# ---------------------------------------------------------------------------- budget execution


@pytest.mark.parametrize(
    ("budget", "spent", "weight", "expected"),
    [
        (D("100"), D("100"), D(10), D("10.00")),
        (D("100"), D("120"), D(10), D("10.00")),  # capped at 1
        (D("100"), D("85"), D(10), D("8.50")),
        (D("3898.22"), D("3500"), D(10), D("8.98")),  # 8.978…
        (D("3"), D("1"), D(10), D("3.33")),
        (D("0"), D("0"), D(10), D("0.00")),  # budget 0 → 0
        (D("0"), D("5"), D(10), D("0.00")),
        (D("100"), D("0"), D(10), D("0.00")),
        (D("100"), D("-5"), D(10), D("0.00")),
        (D("100"), D("50"), D(20), D("10.00")),  # weight configurable
    ],
)
def test_budget_execution_score(budget, spent, weight, expected):
    score = budget_execution_score(budget, spent, weight)
    assert score == expected
    assert _is_2dp_decimal(score)


def test_budget_execution_score_default_weight():
    assert budget_execution_score(D("200"), D("150")) == D("7.50")


@pytest.mark.parametrize(
    ("budget", "spent", "expected"),
    [(D("100"), D("85"), D("0.85")), (D("100"), D("120"), D("1.2")), (D("0"), D("1"), None)],
)
def test_execution_rate(budget, spent, expected):
    assert execution_rate(budget, spent) == expected


def test_negative_budget_is_rejected():
    with pytest.raises(ScoringError, match="全年预算数不能为负数"):
        execution_rate(D("-1"), D("0"))


@pytest.mark.parametrize(
    ("budget", "spent", "threshold", "expected"),
    [
        (D("100"), D("90"), D("0.9"), False),  # exactly 90%
        (D("100"), D("89.99"), D("0.9"), True),
        (D("100"), D("100"), D("0.9"), False),
        (D("0"), D("0"), D("0.9"), True),
        (D("100"), D("85"), D("0.8"), False),  # configurable
    ],
)
def test_execution_needs_explanation(budget, spent, threshold, expected):
    assert execution_needs_explanation(budget, spent, threshold=threshold) is expected


# ---------------------------------------------------------------------------- grade


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (D("100"), "优"),
        (D("90"), "优"),
        (D("89.99"), "良"),
        (D("80"), "良"),
        (D("79.99"), "中"),
        (D("60"), "中"),
        (D("59.99"), "差"),
        (D("0"), "差"),
        (95, "优"),
    ],
)
def test_grade(total, expected):
    assert grade(total) == expected


@pytest.mark.parametrize(
    ("total", "expected"),
    [(D("85"), "优"), (D("84.99"), "良"), (D("70"), "良"), (D("50"), "中"), (D("49"), "不合格")],
)
def test_grade_thresholds_are_configurable(total, expected):
    bands = ((D(50), "中"), (D(85), "优"), (D(70), "良"))  # any order
    assert grade(total, bands=bands, lowest="不合格") == expected


# ---------------------------------------------------------------------------- deadlines


@pytest.mark.parametrize(
    ("target", "budget_year", "due"),
    [
        (DEADLINE_NOV, 2023, date(2023, 11, 30)),
        (DEADLINE_DEC31, 2023, date(2023, 12, 31)),
        (DEADLINE_2025, 2023, date(2025, 10, 31)),
        (DEADLINE_FEB30, 2023, date(2023, 2, 28)),
        (DEADLINE_FEB30, 2024, date(2024, 2, 29)),
    ],
)
def test_deadline_due_date(target, budget_year, due):
    assert deadline_due_date(target, budget_year) == due


@pytest.mark.parametrize(
    ("target", "month", "due"),
    [
        (MONTHLY_25, 1, date(2023, 1, 25)),
        (MONTHLY_31, 4, date(2023, 4, 30)),
        (MONTHLY_31, 2, date(2023, 2, 28)),
    ],
)
def test_monthly_due_date(target, month, due):
    assert monthly_due_date(target, 2023, month) == due


@pytest.mark.parametrize(
    ("target", "completed_on", "tier"),
    [
        (DEADLINE_NOV, date(2023, 11, 30), "达成"),  # on the last day
        (DEADLINE_NOV, date(2023, 5, 1), "达成"),
        (DEADLINE_NOV, date(2023, 12, 1), "部分达成"),
        (DEADLINE_NOV, datetime(2023, 11, 30, 18, 0), "达成"),
        (DEADLINE_NOV, None, "未达成"),
        (DEADLINE_DEC31, date(2023, 12, 31), "达成"),
        (DEADLINE_DEC31, date(2024, 1, 2), "部分达成"),
        (DEADLINE_2025, date(2025, 10, 31), "达成"),
        (DEADLINE_2025, date(2025, 11, 1), "部分达成"),
    ],
)
def test_propose_deadline_tier(target, completed_on, tier):
    assert propose_deadline_tier(target, completed_on, budget_year=2023) == tier


ON_TIME = [date(2023, m, 20) for m in range(1, 13)]


@pytest.mark.parametrize(
    ("completed_on", "months", "tier"),
    [
        (ON_TIME, range(1, 13), "达成"),
        ([date(2023, m, 25) for m in range(1, 13)], range(1, 13), "达成"),  # on the day
        ([*ON_TIME[:5], date(2023, 6, 26), *ON_TIME[6:]], range(1, 13), "部分达成"),
        ([*ON_TIME[:5], None, *ON_TIME[6:]], range(1, 13), "未达成"),
        (ON_TIME[:11], range(1, 13), "未达成"),  # December missing
        (ON_TIME[:6], range(1, 7), "达成"),  # only the months that were due
        ({1: date(2023, 1, 3), 2: date(2023, 2, 27)}, (1, 2), "部分达成"),
        ({1: date(2023, 1, 3)}, (1, 2), "未达成"),
        ([], range(1, 13), "未达成"),
        (None, range(1, 13), "未达成"),
    ],
)
def test_propose_monthly_deadline_tier(completed_on, months, tier):
    assert propose_deadline_tier(MONTHLY_25, completed_on, budget_year=2023, months=months) == tier


@pytest.mark.parametrize(
    ("target", "completed_on", "message"),
    [
        (q("≥", "1", "个"), None, "不是时限指标"),
        (DEADLINE_NOV, "2023-11-01", "完成日期必须是日期"),
        (MONTHLY_25, [None] * 13, "最多 12 个"),
        (MONTHLY_25, {13: None}, "月份应为 1 至 12"),
        (MONTHLY_25, "每月", "须按月份提供完成日期"),
        (Target(raw="月底前", kind="deadline"), date(2023, 1, 1), "不是具体日期的时限指标"),
    ],
)
def test_propose_deadline_tier_errors(target, completed_on, message):
    with pytest.raises(ScoringError, match=message):
        propose_deadline_tier(target, completed_on, budget_year=2023)


# ---------------------------------------------------------------------------- weights


@pytest.mark.parametrize(
    ("counts", "level1_weights", "expected"),
    [
        # defaults
        ({"产出指标": 5, "效益指标": 2, "满意度指标": 1}, None, {"产出指标": 50, "效益指标": 30, "满意度指标": 10}),
        # no 满意度: its 10 points move to 效益
        ({"产出指标": 5, "效益指标": 2}, None, {"产出指标": 50, "效益指标": 40}),
        ({"产出指标": 5, "效益指标": 2, "满意度指标": 0}, None, {"产出指标": 50, "效益指标": 40}),
        # no 效益 and no 满意度: all to 产出
        ({"产出指标": 5}, None, {"产出指标": 90}),
        # no 效益: its points go to 产出, 满意度 keeps its own
        ({"产出指标": 3, "满意度指标": 1}, None, {"产出指标": 80, "满意度指标": 10}),
        # 成本指标 as 一级 (newer templates): 产出 40 / 成本 10 by default
        (
            {"产出指标": 4, "成本指标": 2, "效益指标": 2, "满意度指标": 1},
            None,
            {"产出指标": 40, "成本指标": 10, "效益指标": 30, "满意度指标": 10},
        ),
        # project-specific 一级 weights
        (
            {"产出指标": 4, "成本指标": 2, "效益指标": 2, "满意度指标": 1},
            {"产出指标": D(45), "成本指标": D(15), "效益指标": D(20), "满意度指标": D(10)},
            {"产出指标": 45, "成本指标": 15, "效益指标": 20, "满意度指标": 10},
        ),
        # project weights still move from an empty 一级
        (
            {"产出指标": 4, "效益指标": 2},
            {"产出指标": D(60), "效益指标": D(20), "满意度指标": D(10)},
            {"产出指标": 60, "效益指标": 30},
        ),
        # an 一级 with 0 points that has indicators stays at 0
        (
            {"产出指标": 4, "成本指标": 1, "效益指标": 2},
            {"产出指标": D(50), "成本指标": D(0), "效益指标": D(40)},
            {"产出指标": 50, "成本指标": 0, "效益指标": 40},
        ),
    ],
)
def test_level1_weights_for(counts, level1_weights, expected):
    result = level1_weights_for(counts, level1_weights=level1_weights)
    assert result == {name: D(points) for name, points in expected.items()}
    assert all(isinstance(points, D) for points in result.values())


@pytest.mark.parametrize(
    ("counts", "level1_weights", "message"),
    [
        ({}, None, "没有任何绩效指标"),
        ({"产出指标": 0}, None, "没有任何绩效指标"),
        ({"产出指标": 1, "其他指标": 1}, None, "一级指标“其他指标”没有设置分值"),
    ],
)
def test_level1_weights_for_errors(counts, level1_weights, message):
    with pytest.raises(ScoringError, match=message):
        level1_weights_for(counts, level1_weights=level1_weights)


@pytest.mark.parametrize(
    ("total", "count", "expected"),
    [
        (D(50), 3, ["16.66", "16.66", "16.68"]),
        (D(30), 7, ["4.28"] * 6 + ["4.32"]),
        (D(10), 1, ["10.00"]),
        (D(10), 4, ["2.50"] * 4),
        (D(10), 3, ["3.33", "3.33", "3.34"]),
        (D(0), 2, ["0.00", "0.00"]),
        (D(10), 0, []),
        (D("0.01"), 3, ["0.00", "0.00", "0.01"]),
    ],
)
def test_split_weight(total, count, expected):
    shares = split_weight(total, count)
    assert shares == [D(x) for x in expected]
    if count:
        assert sum(shares) == total
        assert all(_is_2dp_decimal(share) for share in shares)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        (
            {"产出指标": 3, "效益指标": 2, "满意度指标": 1},
            {"产出指标": ["16.66", "16.66", "16.68"], "效益指标": ["15.00", "15.00"], "满意度指标": ["10.00"]},
        ),
        (
            {"产出指标": 7, "效益指标": 3},
            {"产出指标": ["7.14"] * 6 + ["7.16"], "效益指标": ["13.33", "13.33", "13.34"]},
        ),
    ],
)
def test_default_weights(counts, expected):
    weights = default_weights(counts)
    assert weights == {name: [D(x) for x in shares] for name, shares in expected.items()}
    assert sum(sum(shares) for shares in weights.values()) == D(90)
    check_weights(weights)  # the defaults pass the check


def test_default_weights_with_project_level1_weights():
    weights = default_weights({"产出指标": 2, "效益指标": 1}, level1_weights={"产出指标": D(60), "效益指标": D(30)})
    assert weights == {"产出指标": [D("30.00"), D("30.00")], "效益指标": [D("30.00")]}


def test_default_level1_weights():
    assert {"产出指标": D(50), "效益指标": D(30), "满意度指标": D(10)} == DEFAULT_LEVEL1_WEIGHTS


@pytest.mark.parametrize(
    ("indicator_weights", "level1_weights", "execution_weight", "messages"),
    [
        (
            {"产出指标": [D("25"), D("24.99")], "效益指标": [D(30)], "满意度指标": [D(10)]},
            None,
            D(10),
            ["“产出指标”各指标分值合计 49.99 分，应为 50.00 分，相差 0.01 分"],
        ),
        (
            {"产出指标": [D("25"), D("30")], "效益指标": [D(20)], "满意度指标": [D(10)]},
            None,
            D(10),
            [
                "“产出指标”各指标分值合计 55.00 分，应为 50.00 分，相差 5.00 分",
                "“效益指标”各指标分值合计 20.00 分，应为 30.00 分，相差 10.00 分",
            ],
        ),
        (
            # no 满意度 indicators, but its points were not moved
            {"产出指标": [D(50)], "效益指标": [D(30)]},
            {"产出指标": D(50), "效益指标": D(30), "满意度指标": D(10)},
            D(10),
            ["一级指标“满意度指标”有 10.00 分但没有指标"],
        ),
        (
            {"产出指标": [D(50)], "效益指标": [D(35)]},
            {"产出指标": D(50), "效益指标": D(35)},
            D(10),
            ["一级指标分值与预算执行率分值合计 95.00 分，应为 100.00 分，相差 5.00 分"],
        ),
        (
            {"产出指标": [D(50)], "其他": [D(40)]},
            {"产出指标": D(50), "效益指标": D(40)},
            D(10),
            ["一级指标“其他”没有设置分值"],
        ),
        (
            {"产出指标": [D(60), D(-10)], "效益指标": [D(40)]},
            {"产出指标": D(50), "效益指标": D(40)},
            D(10),
            ["“产出指标”有负数分值 -10.00"],
        ),
    ],
)
def test_check_weights_errors(indicator_weights, level1_weights, execution_weight, messages):
    with pytest.raises(ScoringError) as excinfo:
        check_weights(indicator_weights, level1_weights, execution_weight=execution_weight)
    text = str(excinfo.value)
    assert text.startswith("分值设置有误：")
    for message in messages:
        assert message in text


@pytest.mark.parametrize(
    ("indicator_weights", "level1_weights", "execution_weight"),
    [
        ({"产出指标": [D(25), D(25)], "效益指标": [D(30)], "满意度指标": [D(10)]}, None, D(10)),
        ({"产出指标": [D(50)], "效益指标": [D(20), D(20)]}, None, D(10)),  # 满意度 moved
        (
            {"产出指标": [D(40)], "成本指标": [D(10)], "效益指标": [D(30)], "满意度指标": [D(10)]},
            None,
            D(10),
        ),
        ({"产出指标": [D(45)], "效益指标": [D(45)]}, {"产出指标": D(45), "效益指标": D(45)}, D(10)),
        ({"产出指标": [D(50)], "效益指标": [D(30)]}, {"产出指标": D(50), "效益指标": D(30)}, D(20)),
    ],
)
def test_check_weights_ok(indicator_weights, level1_weights, execution_weight):
    check_weights(indicator_weights, level1_weights, execution_weight=execution_weight)


# ---------------------------------------------------------------------------- consistency


@pytest.mark.parametrize(
    ("indicator_points", "execution_points", "budget", "spent", "expected"),
    [
        # 90/90 vs 10/10: consistent, fully spent
        (D(90), D(10), D(100), D(100), []),
        # completion 0.9 vs execution 0.9: equal
        (D(81), D(9), D(100), D(90), []),
        # completion exceeds execution by exactly 5% relative: 0.945 vs 0.9 → no warning
        (D("85.05"), D(9), D(100), D(90), []),
        # just over 5%
        (D("85.06"), D(9), D(100), D(90), [("red", "mismatch")]),
        # indicators full, budget 50% spent: red and yellow
        (D(90), D(5), D(100), D(50), [("red", "mismatch"), ("yellow", "unspent")]),
        # exactly 20% unspent: no yellow; just over: yellow
        (D(72), D(8), D(100), D(80), []),
        (D(70), D("7.99"), D(100), D("79.99"), [("yellow", "unspent")]),
        # budget 0: yellow; with indicator points and 0 execution points: red too
        (D(90), D(0), D(0), D(0), [("red", "mismatch"), ("yellow", "zero_budget")]),
        (D(0), D(0), D(0), D(0), [("yellow", "zero_budget")]),
        # indicators lagging behind spending is not this warning
        (D(45), D(10), D(100), D(100), []),
    ],
)
def test_consistency_warnings(indicator_points, execution_points, budget, spent, expected):
    warnings = consistency_warnings(indicator_points, execution_points, budget, spent)
    assert [(w.level, w.code) for w in warnings] == expected
    assert all(isinstance(w, ConsistencyWarning) for w in warnings)


def test_consistency_messages():
    warnings = consistency_warnings(D(90), D(5), D(100), D(50))
    assert warnings[0].message == "绩效完成与预算执行不匹配：指标完成程度 100.00%，预算执行程度 50.00%"
    assert warnings[1].message == "预算结余较多：未执行 50.00%，超过 20.00%"
    zero = consistency_warnings(D(0), D(0), D(0), D(0))
    assert zero[0].message == "全年预算数为 0，请核实"


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"mismatch_tolerance": D("0.10")}, []),  # 0.9 × 1.1 = 0.99 ≥ 0.945
        ({"unspent_threshold": D("0.05")}, [("yellow", "unspent")]),
        ({"indicator_total": D(80), "execution_weight": D(20)}, [("red", "mismatch")]),
    ],
)
def test_consistency_thresholds_are_configurable(kwargs, expected):
    # base case: 85.05/90 = 0.945 vs 9/10 = 0.9, 10% unspent → no warnings by default
    assert consistency_warnings(D("85.05"), D(9), D(100), D(90)) == []
    warnings = consistency_warnings(D("85.05"), D(9), D(100), D(90), **kwargs)
    assert [(w.level, w.code) for w in warnings] == expected


# ---------------------------------------------------------------------------- the whole form


def test_a_small_self_evaluation_end_to_end():
    weights = default_weights({"产出指标": 3, "效益指标": 1, "满意度指标": 1})
    rows = [
        (q("≥", "100", "个"), D("100"), weights["产出指标"][0], {}),
        (q("≥", "95", "%"), D("90"), weights["产出指标"][1], {}),
        (DEADLINE_NOV, None, weights["产出指标"][2], {"tier": "部分达成", "tier_score": D("12")}),
        (QUALITATIVE, None, weights["效益指标"][0], {"tier": "达成", "tier_score": D("27")}),
        (q("≥", "90", "%"), D("96"), weights["满意度指标"][0], {}),
    ]
    scores = [score_indicator(t, a, w, **kw) for t, a, w, kw in rows]
    assert scores == [D("16.66"), D("15.78"), D("12.00"), D("27.00"), D("10.00")]
    execution = budget_execution_score(D("100"), D("92"))
    total = sum(scores) + execution
    assert total == D("90.64")
    assert grade(total) == "优"
    assert consistency_warnings(sum(scores), execution, D("100"), D("92")) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [(D("2.345"), "2.35"), (D("2.3449"), "2.34"), (D("-2.345"), "-2.35"), (D("10"), "10.00"), (D("0.005"), "0.01")],
)
def test_round_score(value, expected):
    assert str(round_score(value)) == expected
