"""双监控: time progress, warning lights and year-end forecasts (DOMAIN.md §4).

Rates and progress are fractions (0.5 = 50%), every number is a Decimal. Every default
threshold lives in ``Thresholds`` so a deployment or a project can override it.

Decisions taken where DOMAIN.md is silent:

- 序时进度 counts completed months: as of 2023-06-30 → 6/12; as of 2023-07-15 → 6/12 (July
  is not over); as of 2023-07-31 → 7/12. Before the budget year → 0, after it → 1. The value
  is exact (7/12 is not rounded).
- budget light with 序时进度 0 (nothing expected yet) → green; no execution rate (budget 0 or
  not reported) → grey.
- positive cumulative indicators: p = current / (t × 序时进度) with the four bands, bounds
  going up (exactly 60% → yellow, 80% → green, 120% → blue). Nothing expected yet
  (t × 序时进度 = 0) → green.
- positive level indicators (rates, per-unit prices; not pro-rated): p = current / t.
  Meeting the target (current ≥ t) → green, p ≥ 120% → blue. Short of the target →
  yellow when p ≥ 60%, red below: unlike a cumulative total (where seasonality justifies
  the 80–100% tolerance), a level that is below its target is a real deviation.
- reverse (≤ <) indicators: within the limit means current ≤ t (as in scoring, also for <).
  Over the limit → red; cumulative and above the pro-rated share t × 序时进度 → yellow; else
  green. t = 0 with = ≤ < ("0次", "安全事故0起"): current ≤ 0 green, else red, whether
  cumulative or not and whatever the op said ("=" is not a floor here).
- 控制在预算内: spending over the budget → red, else green. It is not pro-rated: spending
  ahead of schedule is what the budget light asks for, it must not turn this one yellow.
- deadline (needs ``as_of``): done on time → green; done late → yellow (the year-end tier
  would be 部分达成); not done and past due → red; not done and not yet due → green (no
  deviation, nothing for the owner to report). A completion date after ``as_of`` does not
  count as done at ``as_of``. Monthly deadlines look only at months already past due.
- ``tier`` is only used for qualitative indicators.
- no current value (or no tier) → grey "未填报".
- red, yellow and blue lights all need a deviation explanation (blue: say why the target
  was exceeded so much); configurable in ``Thresholds.explain_lights``.
- forecast for cumulative indicators is rounded to 2 decimals; with 序时进度 0 there is no
  basis and the forecast is None.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any, cast

from tracker.domain import DomainError
from tracker.domain.scoring import (
    TIER_MET,
    TIER_NOT_MET,
    TIER_PARTIAL,
    as_date,
    budget_and_spent,
    deadline_due_date,
    is_zero_ceiling,
    monthly_completions,
    monthly_due_date,
    quantity_in_unit,
    round_score,
)
from tracker.domain.targets import (
    KIND_DEADLINE,
    KIND_QUALITATIVE,
    KIND_QUANTITATIVE,
    KIND_WITHIN_BUDGET,
    POSITIVE_OPS,
    REVERSE_OPS,
    Target,
)
from tracker.domain.vocab import Light, Tier

ZERO = Decimal(0)
ONE = Decimal(1)
TWELVE = Decimal(12)

RED = Light.RED
YELLOW = Light.YELLOW
GREEN = Light.GREEN
BLUE = Light.BLUE
GREY = Light.GREY
# Worst first: a project's light is the first of these among its lights.
LIGHTS = tuple(Light)
LIGHT_LABELS = {RED: "红", YELLOW: "黄", GREEN: "绿", BLUE: "蓝", GREY: "灰"}
LIGHT_MEANINGS = {
    RED: "严重偏离目标，需分析原因并采取纠偏措施",
    YELLOW: "存在偏差，需关注并说明原因",
    GREEN: "进度正常",
    BLUE: "大幅超前，请核实目标是否设定偏低",
    GREY: "未填报",
}

# Monitoring periods: data as of the end of this month.
HEBEI_PERIOD_END_MONTH = 6  # 1-6月, 冀财绩〔2022〕4号 (default)
CENTRAL_PERIOD_END_MONTH = 7  # 1-7月, 财预〔2019〕136号
DEFAULT_PERIOD_END_MONTH = HEBEI_PERIOD_END_MONTH

# 偏差原因分析 categories and 完成目标可能性 choices of the monitoring table.
DEVIATION_REASONS = ("经费保障", "制度保障", "人员保障", "硬件条件保障", "其他")
LIKELIHOODS = ("确定能", "有可能", "完全不可能")

_TIER_LIGHTS = {TIER_MET: GREEN, TIER_PARTIAL: YELLOW, TIER_NOT_MET: RED}


class MonitoringError(DomainError):
    """Monitoring input that breaks the rules of §4; the message says which."""


@dataclass(frozen=True)
class Thresholds:
    """Every default threshold of §4 (fractions), overridable per deployment or project."""

    # budget: r = 执行率 / 序时进度
    budget_red_below: Decimal = Decimal("0.60")
    budget_yellow_below: Decimal = Decimal("0.80")
    # indicators: p = current / (target × 序时进度), or current / target for levels
    indicator_red_below: Decimal = Decimal("0.60")
    indicator_yellow_below: Decimal = Decimal("0.80")
    indicator_blue_from: Decimal = Decimal("1.20")
    # lights whose deviation the owner must explain before submitting the form
    explain_lights: tuple[str, ...] = (RED, YELLOW, BLUE)

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name == "explain_lights":
                unknown = [light for light in value if light not in LIGHT_LABELS]
                if unknown:
                    raise MonitoringError(f"未知的预警灯：{'、'.join(map(str, unknown))}")
                continue
            if isinstance(value, bool) or not isinstance(value, Decimal) or not value.is_finite():
                raise MonitoringError(f"预警阈值 {field.name} 必须是 Decimal，收到 {value!r}")
            if value < 0:
                raise MonitoringError(f"预警阈值 {field.name} 不能为负数：{value}")
        if self.budget_red_below > self.budget_yellow_below:
            raise MonitoringError(
                f"预算执行红灯阈值 {self.budget_red_below} 不能高于黄灯阈值 {self.budget_yellow_below}"
            )
        if not (self.indicator_red_below <= self.indicator_yellow_below <= self.indicator_blue_from):
            raise MonitoringError(
                "指标预警阈值须满足 红灯 ≤ 黄灯 ≤ 蓝灯："
                f"{self.indicator_red_below}、{self.indicator_yellow_below}、"
                f"{self.indicator_blue_from}"
            )

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> Thresholds:
        """Thresholds from stored settings: numbers as text or Decimal; missing → default."""
        names = {field.name for field in fields(cls)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise MonitoringError(f"未知的预警阈值设置：{'、'.join(unknown)}")
        # values are checked per field below (Decimal, or a tuple of light names for explain_lights)
        kwargs: dict[str, Any] = {}
        for name, value in values.items():
            if value is None:
                continue
            if name == "explain_lights":
                kwargs[name] = tuple(cast(Iterable[str], value))
                continue
            try:
                kwargs[name] = value if isinstance(value, Decimal) else Decimal(str(value).strip())
            except ArithmeticError:
                raise MonitoringError(f"预警阈值 {name} 不是有效数值：{value!r}") from None
        return cls(**kwargs)


DEFAULT_THRESHOLDS = Thresholds()


# ---------------------------------------------------------------------------- time progress


def completed_months(as_of: date, budget_year: int) -> int:
    """Months of the budget year that are over at ``as_of`` (0–12)."""
    if as_of.year < budget_year:
        return 0
    if as_of.year > budget_year:
        return 12
    month_over = as_of.day == calendar.monthrange(as_of.year, as_of.month)[1]
    return as_of.month - 1 + (1 if month_over else 0)


def time_progress(as_of: date, budget_year: int) -> Decimal:
    """序时进度 = completed months / 12 (as of 6月30日 → 0.5; 7月15日 → 0.5)."""
    return Decimal(completed_months(as_of, budget_year)) / TWELVE


def period_end(budget_year: int, end_month: int = DEFAULT_PERIOD_END_MONTH) -> date:
    """The as-of date of a monitoring period 1-N月 (default 1-6月 → 6月30日)."""
    if not 1 <= end_month <= 12:
        raise MonitoringError(f"监控期末月份应为 1 至 12，收到 {end_month}")
    return date(budget_year, end_month, calendar.monthrange(budget_year, end_month)[1])


# ---------------------------------------------------------------------------- budget


def _check_progress(time_progress: Decimal) -> Decimal:
    if type(time_progress) is Decimal and ZERO <= time_progress <= ONE:  # the common case, first
        return time_progress
    if isinstance(time_progress, bool) or not isinstance(time_progress, (Decimal, int)):
        raise MonitoringError(f"序时进度必须是 Decimal，收到 {time_progress!r}")
    time_progress = Decimal(time_progress)
    if not ZERO <= time_progress <= ONE:
        raise MonitoringError(f"序时进度应在 0 至 1 之间，收到 {time_progress}")
    return time_progress


def _band(ratio: Decimal, red_below: Decimal, yellow_below: Decimal) -> str:
    if ratio < red_below:
        return RED
    if ratio < yellow_below:
        return YELLOW
    return GREEN


def budget_light(
    execution_rate: Decimal | None,
    time_progress: Decimal,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> str:
    """r = 执行率 / 序时进度: red r < 60%, yellow 60% ≤ r < 80%, green r ≥ 80% (defaults)."""
    time_progress = _check_progress(time_progress)
    if execution_rate is None:
        return GREY
    if isinstance(execution_rate, bool) or not isinstance(execution_rate, (Decimal, int)):
        raise MonitoringError(f"执行率必须是 Decimal，收到 {execution_rate!r}")
    if time_progress == 0:
        return GREEN
    ratio = Decimal(execution_rate) / time_progress
    return _band(ratio, thresholds.budget_red_below, thresholds.budget_yellow_below)


# ---------------------------------------------------------------------------- indicators


def progress_ratio(target: Target, current, *, time_progress: Decimal, cumulative: bool) -> Decimal | None:
    """p = current / (t × 序时进度) for cumulative, current / t for level indicators.

    None when there is no current value, the target is not numeric or the divisor is 0.
    """
    time_progress = _check_progress(time_progress)
    if current is None or target.kind != KIND_QUANTITATIVE or target.value is None:
        return None
    value = quantity_in_unit(current, target.unit, what="截至期末完成值")
    expected = target.value * time_progress if cumulative else target.value
    if expected <= 0:
        return None
    return value / expected


def indicator_light(
    target: Target,
    current,
    *,
    time_progress: Decimal,
    cumulative: bool,
    tier: str | None = None,
    completed_on=None,
    as_of: date | None = None,
    budget=None,
    budget_year: int | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> str:
    """The light of one indicator at the as-of date.

    ``current`` is the 截至期末完成值: a Decimal in the target's unit or a text with a unit.
    Qualitative indicators take ``tier``; deadlines take ``completed_on`` (a date or None;
    for monthly deadlines a list Jan..Dec or {month: date}) and ``as_of``; 控制在预算内
    takes the spending as ``current`` and ``budget=``. ``budget_year`` defaults to the
    as-of year.
    """
    time_progress = _check_progress(time_progress)

    if target.kind == KIND_QUALITATIVE:
        return _tier_light(tier)
    if target.kind == KIND_DEADLINE:
        if as_of is None:
            raise MonitoringError(f"时限指标“{target.raw}”须提供监控截止日期")
        return _deadline_light(target, completed_on, as_of, budget_year or as_of.year)
    if target.kind == KIND_WITHIN_BUDGET:
        return _within_budget_light(target, current, budget)
    if target.kind != KIND_QUANTITATIVE or target.value is None:
        raise MonitoringError(f"未知的指标类型“{target.kind}”（指标值“{target.raw}”）")
    if current is None:
        return GREY
    value = quantity_in_unit(current, target.unit, what="截至期末完成值")
    return _quantitative_light(target, value, time_progress, cumulative, thresholds)


def _tier_light(tier: str | None) -> str:
    if tier is None:
        return GREY
    if tier not in _TIER_LIGHTS:
        raise MonitoringError(f"未知的评价档次“{tier}”，应为“达成”、“部分达成”或“未达成”")
    return _TIER_LIGHTS[Tier(tier)]


def _within_budget_light(target: Target, current, budget) -> str:
    if current is None:
        return GREY
    if budget is None:
        raise MonitoringError(f"指标“{target.raw}”（控制在预算内）须提供预算数")
    budget_value, spent = budget_and_spent(budget, current)
    return RED if spent > budget_value else GREEN


def _quantitative_light(
    target: Target, value: Decimal, time_progress: Decimal, cumulative: bool, thresholds: Thresholds
) -> str:
    t = target.value
    if t is None:
        raise MonitoringError(f"指标值“{target.raw}”缺少目标数值")
    if is_zero_ceiling(target):
        # "0次", "安全事故0起", "≤0起": one event already misses the year's target
        return RED if value > 0 else GREEN
    if target.op in REVERSE_OPS:
        if value > t:
            return RED
        if cumulative and value > t * time_progress:
            return YELLOW
        return GREEN

    if target.op not in POSITIVE_OPS:
        raise MonitoringError(f"指标值“{target.raw}”缺少比较符号")
    if cumulative:
        expected = t * time_progress
        if expected <= 0:
            return GREEN
        p = value / expected
        if p >= thresholds.indicator_blue_from:
            return BLUE
        return _band(p, thresholds.indicator_red_below, thresholds.indicator_yellow_below)

    # level indicator: compared directly with the target
    if t <= 0:
        return GREEN if value >= t else RED
    p = value / t
    if p >= thresholds.indicator_blue_from:
        return BLUE
    if value >= t:
        return GREEN
    return RED if p < thresholds.indicator_red_below else YELLOW


def _deadline_light(target: Target, completed_on, as_of: date, budget_year: int) -> str:
    if target.monthly_day:
        done = monthly_completions(completed_on)
        light = GREEN
        for month in range(1, 13):
            due = monthly_due_date(target, budget_year, month)
            if due >= as_of:
                break
            completed = done.get(month)
            if completed is None or completed > as_of:
                return RED
            if completed > due:
                light = YELLOW
        return light
    due = deadline_due_date(target, budget_year)
    done_on = as_date(completed_on, "完成日期")
    if done_on is None or done_on > as_of:
        return RED if as_of > due else GREEN
    return GREEN if done_on <= due else YELLOW


def project_light(lights: Iterable[str]) -> str:
    """The worst light (red > yellow > green > blue > grey); grey when there is none."""
    lights = list(lights)
    unknown = [light for light in lights if light not in LIGHT_LABELS]
    if unknown:
        raise MonitoringError(f"未知的预警灯：{'、'.join(map(str, unknown))}")
    for light in LIGHTS:
        if light in lights:
            return light
    return GREY


def needs_deviation_explanation(light: str, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> bool:
    """True for the lights whose deviation the owner must explain (red, yellow, blue)."""
    if light not in LIGHT_LABELS:
        raise MonitoringError(f"未知的预警灯：{light}")
    return light in thresholds.explain_lights


def check_deviation_explanation(
    light: str,
    *,
    reasons: Iterable[str] = (),
    analysis: str | None = None,
    measure: str | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> None:
    """MonitoringError when a light that needs explaining lacks reason categories, analysis
    text or a corrective measure (纠偏措施)."""
    reasons = list(reasons)
    unknown = [reason for reason in reasons if reason not in DEVIATION_REASONS]
    if unknown:
        raise MonitoringError(f"未知的偏差原因类别：{'、'.join(unknown)}（可选：{'、'.join(DEVIATION_REASONS)}）")
    if not needs_deviation_explanation(light, thresholds):
        return
    missing = []
    if not reasons:
        missing.append("偏差原因类别")
    if not (analysis and analysis.strip()):
        missing.append("偏差原因分析")
    if not (measure and measure.strip()):
        missing.append("纠偏措施")
    if missing:
        raise MonitoringError(f"{LIGHT_LABELS[Light(light)]}灯指标须填写{'、'.join(missing)}后才能提交")


# ---------------------------------------------------------------------------- forecast


def forecast(current, *, time_progress: Decimal, cumulative: bool) -> Decimal | None:
    """全年预计完成值: cumulative → current / 序时进度 (2 decimals); level → the latest value.

    None without a current value, or for a cumulative indicator before any month is over.
    """
    time_progress = _check_progress(time_progress)
    if current is None:
        return None
    if isinstance(current, bool) or not isinstance(current, (Decimal, int)):
        raise MonitoringError(f"截至期末完成值必须是 Decimal，收到 {current!r}")
    current = Decimal(current)
    if not cumulative:
        return current
    if time_progress == 0:
        return None
    return round_score(current / time_progress)


def forecast_with_override(
    computed: Decimal | None, override: Decimal | None = None, reason: str | None = None
) -> Decimal | None:
    """The forecast to record: the owner's override when given, which then needs a reason."""
    if override is None:
        return computed
    if isinstance(override, bool) or not isinstance(override, (Decimal, int)):
        raise MonitoringError(f"全年预计完成值必须是 Decimal，收到 {override!r}")
    if Decimal(override) != computed and not (reason and reason.strip()):
        raise MonitoringError("修改了系统预测的全年预计完成值，须说明原因")
    return Decimal(override)
