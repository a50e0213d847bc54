"""绩效自评: year-end self-evaluation scoring (DOMAIN.md §5).

Plain values in, plain values out; every number is a Decimal and every score is rounded
to 2 decimals with ROUND_HALF_UP. Every rule marked **default** in DOMAIN.md is a keyword
argument whose default is a module constant, so a deployment or a project can override it.

Decisions taken where DOMAIN.md is silent:

- Positive indicators (≥ = >) all use "a ≥ t → full marks", including ">" (as DOMAIN.md
  writes it); reverse indicators (≤ <) all use "a ≤ t → full marks". A negative actual is
  floored at 0 points. A target of 0 with "=" (written or implicit, as in a bare "0次"),
  "≤" or "<" is the "安全事故 0 起" rule: a ≤ 0 → full marks, anything else 0 points. A
  written floor of 0 ("≥0", ">0") is met by any a ≥ 0. Any other non-positive target:
  positive → a ≥ t full else 0; reverse → a ≤ t full else 0.
- 控制在预算内 (within_budget) is scored like a reverse indicator with t = the budget, passed as
  ``budget=``; the actual is what was spent. Same reverse rule (ratio by default).
- Qualitative and deadline indicators need ``tier`` and ``tier_score`` (points, not percent).
  The score is rounded to 2 decimals first and then checked against the tier's range, so
  7.999 in “部分达成” of 10 points (→ 8.00) is rejected.
- The overshoot flag (a ≥ 1.2 t) only concerns positive quantitative indicators with t > 0.
  An overshoot and any lost point both need 偏差原因分析 text (``needs_explanation``).
- A deduction is allowed on any row (most often a flagged overshoot), needs a reason and
  cannot take the score below 0.
- Deadlines: "11月底前" is due on the last day of November, "12月31日前" on 31 December,
  both inclusive. A monthly deadline is 达成 when every month was done on time, 部分达成 when
  every month was done but at least one late, 未达成 when any month was not done.
- Level-1 weights: an 一级 with no indicators gives its points to the next 一级 (满意度 → 效益
  → 产出, 成本 → 产出, 产出 → 效益). When the project has 成本指标 as an 一级 and no weights
  are given, the default is 产出 40 / 成本 10 / 效益 30 / 满意度 10 (inside the 40–50 and
  0–20 ranges of the newer templates).
- The consistency warning class is called ConsistencyWarning (not Warning, which would shadow
  the built-in).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from tracker.domain import DomainError, formatting, units
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

CENT = Decimal("0.01")
ZERO = Decimal(0)
ONE = Decimal(1)

# Defaults (DOMAIN.md §5), each overridable through a keyword argument.
PRODUCT = "产出指标"
BENEFIT = "效益指标"
SATISFACTION = "满意度指标"
COST = "成本指标"
LEVEL1_ORDER = (PRODUCT, COST, BENEFIT, SATISFACTION)
DEFAULT_LEVEL1_WEIGHTS: Mapping[str, Decimal] = {
    PRODUCT: Decimal(50),
    BENEFIT: Decimal(30),
    SATISFACTION: Decimal(10),
}
# Newer templates with 成本指标 as an 一级 (成本 0–20, 产出 40–50).
DEFAULT_LEVEL1_WEIGHTS_WITH_COST: Mapping[str, Decimal] = {
    PRODUCT: Decimal(40),
    COST: Decimal(10),
    BENEFIT: Decimal(30),
    SATISFACTION: Decimal(10),
}
# Where the points of an 一级 without indicators go, first present wins.
LEVEL1_MOVES: Mapping[str, tuple[str, ...]] = {
    SATISFACTION: (BENEFIT, PRODUCT, COST),
    BENEFIT: (PRODUCT, COST, SATISFACTION),
    COST: (PRODUCT, BENEFIT, SATISFACTION),
    PRODUCT: (BENEFIT, COST, SATISFACTION),
}
DEFAULT_EXECUTION_WEIGHT = Decimal(10)
DEFAULT_TOTAL = Decimal(100)
DEFAULT_INDICATOR_TOTAL = DEFAULT_TOTAL - DEFAULT_EXECUTION_WEIGHT  # 90

REVERSE_RATIO = "ratio"
REVERSE_LINEAR = "linear"
REVERSE_RULES = (REVERSE_RATIO, REVERSE_LINEAR)
DEFAULT_REVERSE_RULE = REVERSE_RATIO
DEFAULT_OVERSHOOT_RATIO = Decimal("1.2")
OVERSHOOT_TEXT = "超额较多，需说明原因"

DEFAULT_GRADE_BANDS: tuple[tuple[Decimal, str], ...] = (
    (Decimal(90), "优"),
    (Decimal(80), "良"),
    (Decimal(60), "中"),
)
DEFAULT_LOWEST_GRADE = "差"

DEFAULT_EXPLAIN_EXECUTION_BELOW = Decimal("0.9")
DEFAULT_MISMATCH_TOLERANCE = Decimal("0.05")
DEFAULT_UNSPENT_THRESHOLD = Decimal("0.20")
MISMATCH_TEXT = "绩效完成与预算执行不匹配"

# Tiers for qualitative and deadline indicators: (low, high, high inclusive) as shares of w.
TIER_MET = Tier.MET
TIER_PARTIAL = Tier.PARTIAL
TIER_NOT_MET = Tier.NOT_MET
TIERS = tuple(Tier)
TIER_DESCRIPTIONS = {
    TIER_MET: "达成年度指标",
    TIER_PARTIAL: "部分达成年度指标并具有一定效果",
    TIER_NOT_MET: "未达成年度指标且效果较差",
}
TIER_SHARES: Mapping[str, tuple[Decimal, Decimal, bool]] = {
    TIER_MET: (Decimal("0.8"), ONE, True),
    TIER_PARTIAL: (Decimal("0.6"), Decimal("0.8"), False),
    TIER_NOT_MET: (ZERO, Decimal("0.6"), False),
}

LIGHT_RED = Light.RED
LIGHT_YELLOW = Light.YELLOW


class ScoringError(DomainError):
    """A score, weight or input that breaks the rules of §5; the message says which."""


# ---------------------------------------------------------------------------- helpers


def round_score(value: Decimal) -> Decimal:
    """Two decimals, ROUND_HALF_UP (2.345 → 2.35)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt_points(value: Decimal) -> str:
    """A number of points as shown in messages: two decimals."""
    return f"{round_score(value):.2f}"


def _decimal(value, what: str) -> Decimal:
    if type(value) is Decimal and value.is_finite():  # the common case, checked first (batch runs)
        return value
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise ScoringError(f"{what}必须是数值（Decimal），收到 {value!r}")
    value = Decimal(value)
    if not value.is_finite():
        raise ScoringError(f"{what}不是有效数值：{value}")
    return value


def _weight(weight) -> Decimal:
    weight = _decimal(weight, "分值")
    if weight < 0:
        raise ScoringError(f"分值不能为负数：{fmt_points(weight)}")
    return weight


def quantity_in_unit(quantity, unit: str, *, what: str = "实际完成值") -> Decimal:
    """A quantity as a Decimal in ``unit``.

    ``quantity`` is a Decimal (or int) already in ``unit``, or a text with its own unit such
    as "49200元", converted with units.convert (UnitError when the units do not match).
    A text without a unit is taken to be in ``unit``.
    """
    if isinstance(quantity, str):
        value, from_unit = units.parse_quantity(quantity)
        if not unit:
            return value
        base, factor = units.unit_scale(from_unit)
        if not base and factor != 1 and units.is_money_unit(unit):
            from_unit += "元"  # "5万" against a money target means 5万元 (DOMAIN.md §3)
        return units.convert(value, from_unit, unit)
    return _decimal(quantity, what)


def budget_and_spent(budget, spent) -> tuple[Decimal, Decimal]:
    """Budget and spending in one unit: both Decimals, or the budget a text with a unit
    ("50万元") that the spending ("49200元" or a Decimal in 万元) is converted to."""
    if isinstance(budget, str):
        budget_value, budget_unit = units.parse_quantity(budget)
    else:
        budget_value, budget_unit = _decimal(budget, "预算数"), ""
    if budget_unit:
        return budget_value, quantity_in_unit(spent, budget_unit, what="实际支出数")
    if isinstance(spent, str):
        spent_value, spent_unit = units.parse_quantity(spent)
        if spent_unit:
            raise ScoringError(f"预算数没有单位，无法换算实际支出数“{spent}”；请给出带单位的预算数（如“50万元”）")
        return budget_value, spent_value
    return budget_value, _decimal(spent, "实际支出数")


def as_date(value, what: str = "日期") -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise ScoringError(f"{what}必须是日期，收到 {value!r}")


# ---------------------------------------------------------------------------- tiers


def tier_range(tier: str, weight: Decimal) -> tuple[Decimal, Decimal, bool]:
    """(lowest, highest, highest included) points allowed for ``tier`` of an indicator worth w."""
    if tier not in TIER_SHARES:
        raise ScoringError(f"未知的评价档次“{tier}”，应为“达成”、“部分达成”或“未达成”")
    weight = _weight(weight)
    low, high, inclusive = TIER_SHARES[tier]
    return weight * low, weight * high, inclusive


def _tier_range_text(tier: str, weight: Decimal) -> str:
    low, high, inclusive = tier_range(tier, weight)
    low_text = f"{low.quantize(CENT, rounding=ROUND_CEILING):.2f}"
    if inclusive:
        return f"{low_text} 至 {high.quantize(CENT, rounding=ROUND_FLOOR):.2f} 分之间"
    if high == high.quantize(CENT):
        return f"{low_text} 至 {high:.2f} 分之间（不含 {high:.2f}）"
    # the exclusive upper bound is not a whole cent: name the highest valid score instead
    return f"{low_text} 至 {high.quantize(CENT, rounding=ROUND_FLOOR):.2f} 分之间"


def tier_score_checked(tier: str | None, tier_score, weight: Decimal) -> Decimal:
    """The evaluator's score for a tier, rounded, or ScoringError when outside the tier."""
    if tier is None:
        raise ScoringError("定性和时限指标须选择评价档次（达成、部分达成、未达成）")
    low, high, inclusive = tier_range(tier, weight)
    if tier_score is None:
        raise ScoringError(f"请填写“{tier}”的得分：{_tier_range_text(tier, weight)}")
    score = round_score(_decimal(tier_score, "得分"))
    if score < low or score > high or (score == high and not inclusive):
        raise ScoringError(f"“{tier}”的得分应在 {_tier_range_text(tier, weight)}，填写的是 {score:.2f} 分")
    return score


# ---------------------------------------------------------------------------- indicators


def is_zero_ceiling(target: Target) -> bool:
    """See Target.is_zero_ceiling ("0次", "安全事故0起": a ≤ 0 → w else 0)."""
    return target.is_zero_ceiling


def _positive_score(target_value: Decimal, actual: Decimal, weight: Decimal) -> Decimal:
    if actual >= target_value:
        return weight
    if target_value <= 0:
        return ZERO
    return max(ZERO, weight * actual / target_value)


def _reverse_score(target_value: Decimal, actual: Decimal, weight: Decimal, rule: str) -> Decimal:
    if actual <= target_value:
        return weight
    if target_value <= 0:
        return ZERO
    if rule == REVERSE_LINEAR:
        return max(ZERO, weight * (ONE - (actual - target_value) / target_value))
    return weight * target_value / actual


class IndicatorScore(NamedTuple):
    """One row of the self-evaluation: the score and what the evaluator must still do.
    (A tuple: the self-evaluation opening scores one per indicator of the county.)"""

    weight: Decimal
    base_score: Decimal  # by the rule, before any deduction
    score: Decimal  # after the deduction
    overshoot: bool  # a ≥ 1.2 t: "超额较多，需说明原因"
    deduction: Decimal = ZERO
    deduction_reason: str | None = None

    @property
    def fully_met(self) -> bool:
        return self.base_score >= self.weight

    @property
    def needs_explanation(self) -> bool:
        return needs_explanation(self.score, self.weight, overshoot=self.overshoot)


def evaluate_indicator(
    target: Target,
    actual,
    weight,
    *,
    tier: str | None = None,
    tier_score=None,
    budget=None,
    reverse_rule: str = DEFAULT_REVERSE_RULE,
    overshoot_ratio: Decimal = DEFAULT_OVERSHOOT_RATIO,
    deduction=None,
    deduction_reason: str | None = None,
) -> IndicatorScore:
    """Score one indicator and flag what needs explaining (see score_indicator)."""
    weight = _weight(weight)
    if reverse_rule not in REVERSE_RULES:
        raise ScoringError(f"未知的反向指标计分规则“{reverse_rule}”，应为 ratio 或 linear")
    overshoot = False

    if target.kind in (KIND_QUALITATIVE, KIND_DEADLINE):
        base = tier_score_checked(tier, tier_score, weight)
    elif target.kind == KIND_WITHIN_BUDGET:
        if budget is None:
            raise ScoringError(f"指标“{target.raw}”（控制在预算内）须提供预算数")
        if actual is None:
            raise ScoringError(f"指标“{target.raw}”缺少实际支出数")
        budget_value, spent = budget_and_spent(budget, actual)
        base = round_score(_reverse_score(budget_value, spent, weight, reverse_rule))
    elif target.kind == KIND_QUANTITATIVE:
        if tier is not None:
            raise ScoringError(f"定量指标“{target.raw}”按实际完成值计分，不选择评价档次")
        if target.value is None or target.op not in POSITIVE_OPS + REVERSE_OPS:
            raise ScoringError(f"指标值“{target.raw}”不是可计分的定量指标")
        if actual is None:
            raise ScoringError(f"指标“{target.raw}”缺少实际完成值")
        value = quantity_in_unit(actual, target.unit)
        if is_zero_ceiling(target):
            base = round_score(weight if value <= 0 else ZERO)
        elif target.op in POSITIVE_OPS:
            base = round_score(_positive_score(target.value, value, weight))
            overshoot = _overshoot(target.value, value, overshoot_ratio)
        else:
            base = round_score(_reverse_score(target.value, value, weight, reverse_rule))
    else:
        raise ScoringError(f"未知的指标类型“{target.kind}”")

    score = apply_deduction(base, deduction, deduction_reason)
    return IndicatorScore(
        weight=weight,
        base_score=base,
        score=score,
        overshoot=overshoot,
        deduction=round_score(_decimal(deduction, "扣分")) if deduction else ZERO,
        deduction_reason=deduction_reason.strip() if deduction and deduction_reason else None,
    )


def score_indicator(
    target: Target,
    actual,
    weight,
    *,
    tier: str | None = None,
    tier_score=None,
    budget=None,
    reverse_rule: str = DEFAULT_REVERSE_RULE,
    overshoot_ratio: Decimal = DEFAULT_OVERSHOOT_RATIO,
) -> Decimal:
    """The score of one indicator worth ``weight`` points, rounded to 2 decimals.

    - quantitative: ``actual`` is a Decimal in the target's unit or a text with a unit
      ("49200元" against a target in 万元). ≥ = >: a ≥ t → w, else w × a / t.
      ≤ <: a ≤ t → w, else w × t / a (``reverse_rule="ratio"``, default) or
      w × (1 − (a − t) / t) floored at 0 (``"linear"``). t = 0 with = ≤ < ("0次",
      "安全事故0起"): a ≤ 0 → w else 0.
    - within_budget: ``actual`` is the amount spent and ``budget=`` the budget (same units,
      or texts with units); scored like ≤ budget.
    - qualitative and deadline: ``tier`` and ``tier_score`` (points), checked against the
      tier's range; ``actual`` is ignored.

    ``overshoot_ratio`` does not change the score (it is capped at w anyway); it is accepted
    so one rule set can be passed to this and to evaluate_indicator / overshoot_flag.
    """
    return evaluate_indicator(
        target,
        actual,
        weight,
        tier=tier,
        tier_score=tier_score,
        budget=budget,
        reverse_rule=reverse_rule,
        overshoot_ratio=overshoot_ratio,
    ).score


def _overshoot(target_value: Decimal, actual: Decimal, ratio: Decimal) -> bool:
    return target_value > 0 and actual >= target_value * ratio


def overshoot_flag(target: Target, actual, ratio: Decimal = DEFAULT_OVERSHOOT_RATIO) -> bool:
    """True when a positive indicator was exceeded a lot (a ≥ ratio × t): "超额较多，需说明原因".

    Only positive quantitative indicators with t > 0 can overshoot; None actual → False.
    """
    ratio = _decimal(ratio, "超额比例")
    if target.kind != KIND_QUANTITATIVE or target.op not in POSITIVE_OPS or target.value is None or actual is None:
        return False
    return _overshoot(target.value, quantity_in_unit(actual, target.unit), ratio)


def apply_deduction(score, deduction=None, reason: str | None = None) -> Decimal:
    """The score after the evaluator deducts points; a deduction needs a reason."""
    score = _decimal(score, "得分")
    if deduction is None:
        return round_score(score)
    deduction = round_score(_decimal(deduction, "扣分"))
    if deduction == 0:
        return round_score(score)
    if deduction < 0:
        raise ScoringError(f"扣分不能为负数：{deduction:.2f}")
    if not (reason and reason.strip()):
        raise ScoringError(f"扣减 {deduction:.2f} 分须说明原因")
    if deduction > score:
        raise ScoringError(f"扣分 {deduction:.2f} 分超过了得分 {fmt_points(score)} 分")
    return round_score(score - deduction)


def needs_explanation(score, weight, *, overshoot: bool = False) -> bool:
    """偏差原因分析及改进措施 is required when the row lost points or overshot."""
    return overshoot or _decimal(score, "得分") < _weight(weight)


# ---------------------------------------------------------------------------- budget execution


def execution_rate(budget, spent) -> Decimal | None:
    """执行率 = spent / budget (not capped), or None when the budget is 0."""
    budget = _decimal(budget, "全年预算数")
    spent = _decimal(spent, "全年执行数")
    if budget < 0:
        raise ScoringError(f"全年预算数不能为负数：{budget}")
    if budget == 0:
        return None
    return spent / budget


def budget_execution_score(budget, spent, weight=DEFAULT_EXECUTION_WEIGHT) -> Decimal:
    """预算执行率得分 = weight × min(spent / budget, 1), 0 for a budget of 0.

    ``budget`` is the 全年预算数 (the adjusted budget when one exists).
    """
    weight = _weight(weight)
    rate = execution_rate(budget, spent)
    if rate is None:
        return round_score(ZERO)
    return round_score(weight * min(max(rate, ZERO), ONE))


def execution_needs_explanation(budget, spent, *, threshold: Decimal = DEFAULT_EXPLAIN_EXECUTION_BELOW) -> bool:
    """Below 90% execution (default) — or a budget of 0 — the owner must explain why."""
    rate = execution_rate(budget, spent)
    return rate is None or rate < threshold


# ---------------------------------------------------------------------------- grade


def grade(
    total,
    *,
    bands: Sequence[tuple[Decimal, str]] = DEFAULT_GRADE_BANDS,
    lowest: str = DEFAULT_LOWEST_GRADE,
) -> str:
    """自评等级: ≥ 90 优, 80 ≤ s < 90 良, 60 ≤ s < 80 中, < 60 差 (bands configurable)."""
    total = _decimal(total, "总分")
    for minimum, label in sorted(bands, key=lambda band: band[0], reverse=True):
        if total >= minimum:
            return label
    return lowest


# ---------------------------------------------------------------------------- deadlines


def _clamped(year: int, month: int, day: int | None) -> date:
    last = calendar.monthrange(year, month)[1]
    return date(year, month, last if day is None else min(day, last))


def deadline_due_date(target: Target, budget_year: int) -> date:
    """The last day a one-off deadline counts as on time ("11月底前" → 30 November)."""
    if target.kind != KIND_DEADLINE or not target.month:
        raise ScoringError(f"指标值“{target.raw}”不是具体日期的时限指标")
    return _clamped(target.year or budget_year, target.month, target.day)


def monthly_due_date(target: Target, budget_year: int, month: int) -> date:
    """The due date in ``month`` of a monthly deadline ("每月25日前" → the 25th)."""
    if target.kind != KIND_DEADLINE or not target.monthly_day:
        raise ScoringError(f"指标值“{target.raw}”不是每月的时限指标")
    return _clamped(budget_year, month, target.monthly_day)


def monthly_completions(completed_on) -> dict[int, date | None]:
    """Completion dates per month from a mapping {month: date|None} or a list Jan..Dec."""
    if completed_on is None:
        return {}
    items: Iterable[tuple[Any, Any]]
    if isinstance(completed_on, Mapping):
        items = completed_on.items()
    elif isinstance(completed_on, Sequence) and not isinstance(completed_on, str):
        if len(completed_on) > 12:
            raise ScoringError(f"每月完成日期最多 12 个，收到 {len(completed_on)} 个")
        items = enumerate(completed_on, start=1)
    else:
        raise ScoringError("每月的时限指标须按月份提供完成日期（列表或 {月份: 日期}）")
    result = {}
    for month, done in items:
        if not isinstance(month, int) or not 1 <= month <= 12:
            raise ScoringError(f"月份应为 1 至 12，收到 {month!r}")
        result[month] = as_date(done, f"{month}月的完成日期")
    return result


def propose_deadline_tier(
    target: Target,
    completed_on,
    *,
    budget_year: int,
    months: Iterable[int] = range(1, 13),
) -> str:
    """The tier the system proposes for a deadline: on time 达成, late 部分达成, not done 未达成.

    One-off deadline: ``completed_on`` is a date or None. Monthly deadline: a list of 12
    completion dates (January first, None when not done) or a mapping {month: date|None};
    ``months`` lists the months that were due (default all twelve).
    """
    if target.kind != KIND_DEADLINE:
        raise ScoringError(f"指标值“{target.raw}”不是时限指标")
    if target.monthly_day:
        done = monthly_completions(completed_on)
        late = False
        for month in months:
            completed = done.get(month)
            if completed is None:
                return TIER_NOT_MET
            if completed > monthly_due_date(target, budget_year, month):
                late = True
        return TIER_PARTIAL if late else TIER_MET
    completed = as_date(completed_on, "完成日期")
    if completed is None:
        return TIER_NOT_MET
    return TIER_MET if completed <= deadline_due_date(target, budget_year) else TIER_PARTIAL


# ---------------------------------------------------------------------------- weights


def level1_weights_for(
    level1_counts: Mapping[str, int],
    *,
    level1_weights: Mapping[str, Decimal] | None = None,
) -> dict[str, Decimal]:
    """The points of each 一级 that has indicators, after moving the points of empty ones.

    ``level1_counts`` maps 一级 name → number of indicators. Without ``level1_weights`` the
    defaults apply (50/30/10, or 40/10/30/10 when 成本指标 is an 一级). An 一级 without
    indicators passes its points on (满意度 → 效益, see LEVEL1_MOVES).
    """
    present = [name for name, count in level1_counts.items() if count > 0]
    if not present:
        raise ScoringError("项目没有任何绩效指标，无法分配分值")
    if level1_weights is None:
        level1_weights = DEFAULT_LEVEL1_WEIGHTS_WITH_COST if COST in present else DEFAULT_LEVEL1_WEIGHTS
    missing = [name for name in present if name not in level1_weights]
    if missing:
        names = "、".join(f"“{name}”" for name in missing)
        raise ScoringError(f"一级指标{names}没有设置分值，请设置各一级指标的分值")

    order = [n for n in LEVEL1_ORDER if n in present] + [n for n in present if n not in LEVEL1_ORDER]
    result = {name: _weight(level1_weights[name]) for name in order}
    for name, points in level1_weights.items():
        if name in result:
            continue
        points = _weight(points)
        if points == 0:
            continue
        receivers = [n for n in LEVEL1_MOVES.get(name, ()) if n in result] or order
        result[receivers[0]] += points
    return result


def split_weight(total, count: int) -> list[Decimal]:
    """``count`` equal shares of ``total`` in cents; the last share takes the remainder."""
    total = round_score(_weight(total))
    if count <= 0:
        return []
    share = (total / count).quantize(CENT, rounding=ROUND_FLOOR)
    return [share] * (count - 1) + [total - share * (count - 1)]


def default_weights(
    level1_counts: Mapping[str, int],
    *,
    level1_weights: Mapping[str, Decimal] | None = None,
) -> dict[str, list[Decimal]]:
    """Default 分值 per indicator: {一级: [w1, …, wn]}, an equal split whose sum is exact.

    50 points over 3 indicators → 16.66, 16.66, 16.68.
    """
    weights = level1_weights_for(level1_counts, level1_weights=level1_weights)
    return {name: split_weight(points, level1_counts[name]) for name, points in weights.items()}


def check_weights(
    indicator_weights: Mapping[str, Sequence[Decimal]],
    level1_weights: Mapping[str, Decimal] | None = None,
    *,
    execution_weight: Decimal = DEFAULT_EXECUTION_WEIGHT,
    total: Decimal = DEFAULT_TOTAL,
) -> None:
    """ScoringError listing every 一级 whose indicator weights do not add up ("相差 X 分").

    ``indicator_weights`` maps 一级 → the indicators' 分值. ``level1_weights`` are the 一级
    points the project uses; without them the defaults (with moving) are expected. The
    一级 points plus ``execution_weight`` must make ``total``.
    """
    counts = {name: len(weights) for name, weights in indicator_weights.items()}
    if level1_weights is None:
        expected = level1_weights_for(counts)
    else:
        expected = {name: _weight(points) for name, points in level1_weights.items()}
    problems = []
    for name, weights in indicator_weights.items():
        if not weights:
            continue
        for weight in weights:
            if _decimal(weight, f"“{name}”的指标分值") < 0:
                problems.append(f"“{name}”有负数分值 {fmt_points(weight)}")
        if name not in expected:
            problems.append(f"一级指标“{name}”没有设置分值")
            continue
        actual_sum = sum(weights, ZERO)
        if actual_sum != expected[name]:
            problems.append(
                f"“{name}”各指标分值合计 {fmt_points(actual_sum)} 分，"
                f"应为 {fmt_points(expected[name])} 分，"
                f"相差 {fmt_points(abs(actual_sum - expected[name]))} 分"
            )
    for name, points in expected.items():
        if points != 0 and counts.get(name, 0) == 0:
            problems.append(f"一级指标“{name}”有 {fmt_points(points)} 分但没有指标")
    level1_sum = sum(expected.values(), ZERO) + _weight(execution_weight)
    if level1_sum != total:
        problems.append(
            f"一级指标分值与预算执行率分值合计 {fmt_points(level1_sum)} 分，"
            f"应为 {fmt_points(total)} 分，相差 {fmt_points(abs(level1_sum - total))} 分"
        )
    if problems:
        raise ScoringError("分值设置有误：" + "；".join(problems))


# ---------------------------------------------------------------------------- consistency


@dataclass(frozen=True)
class ConsistencyWarning:
    level: str  # "red" or "yellow", the same codes as the monitoring lights
    code: str  # "mismatch", "unspent", "zero_budget"
    message: str


def consistency_warnings(
    indicator_points,
    execution_points,
    budget,
    spent,
    *,
    indicator_total: Decimal = DEFAULT_INDICATOR_TOTAL,
    execution_weight: Decimal = DEFAULT_EXECUTION_WEIGHT,
    mismatch_tolerance: Decimal = DEFAULT_MISMATCH_TOLERANCE,
    unspent_threshold: Decimal = DEFAULT_UNSPENT_THRESHOLD,
) -> list[ConsistencyWarning]:
    """Warnings on a self-evaluation (DOMAIN.md §5, defaults configurable).

    - red "绩效完成与预算执行不匹配" when indicator completion (indicator_points / 90)
      exceeds execution (execution_points / 10) by more than 5% of the execution.
    - yellow when more than 20% of the budget is unspent, or the budget is 0.
    """
    indicator_points = _decimal(indicator_points, "指标得分")
    execution_points = _decimal(execution_points, "预算执行率得分")
    warnings = []

    completion = indicator_points / _decimal(indicator_total, "指标总分")
    rate = execution_rate(budget, spent)
    # The execution rate itself (capped at 100%), not the rounded score divided back: the
    # banner then shows the same 执行率 as the funds table (34.46%, not 34.50%).
    execution = min(rate, ONE) if rate is not None else execution_points / _decimal(execution_weight, "预算执行率分值")
    if completion > execution * (ONE + mismatch_tolerance):
        warnings.append(
            ConsistencyWarning(
                LIGHT_RED,
                "mismatch",
                f"{MISMATCH_TEXT}：指标完成程度 {_percent(completion)}，预算执行程度 {_percent(execution)}",
            )
        )

    if rate is None:
        warnings.append(ConsistencyWarning(LIGHT_YELLOW, "zero_budget", "全年预算数为 0，请核实"))
    elif ONE - rate > unspent_threshold:
        warnings.append(
            ConsistencyWarning(
                LIGHT_YELLOW,
                "unspent",
                f"预算结余较多：未执行 {_percent(ONE - rate)}，超过 {_percent(unspent_threshold)}",
            )
        )
    return warnings


def _percent(share: Decimal) -> str:
    return formatting.rate(share)


# ---------------------------------------------------------------------------- checks of an edited form


def tier_choice_problem(
    tier: str | None, tier_score, weight, *, name: str = "", score_unreadable: bool = False
) -> tuple[str, str] | None:
    """What is wrong with a chosen 评价档次 and its 得分 for an indicator worth ``weight``:
    (field, message) with field "tier" or "tier_score", or None when they agree.

    ``name`` prefixes the message (the indicator, e.g. “群众满意度”); ``score_unreadable``
    says the score was typed but could not be read (its own message was given already).
    """
    if tier is not None and tier not in TIERS:
        return "tier", f"{name}的评价档次“{tier}”无效，应为达成、部分达成或未达成。"
    if tier is None and tier_score is not None:
        return "tier", f"{name}：请先选择评价档次，再填写得分。"
    if tier is not None and tier_score is None and not score_unreadable:
        return "tier_score", f"{name}：请填写“{tier}”档次内的得分。"
    if tier is not None:
        try:
            tier_score_checked(tier, tier_score, weight)
        except DomainError as exc:
            return "tier_score", f"{name}：{exc}"
    return None


def deduction_problems(deduction: Decimal, reason: str | None, weight, *, name: str = "") -> dict[str, str]:
    """A deduction is at most the indicator's 分值 and needs a reason: field → message."""
    problems = {}
    if deduction > weight:
        problems["deduction"] = f"{name}扣分不能超过分值 {weight} 分。"
    if deduction and not (reason or "").strip():
        problems["deduction_reason"] = f"{name}扣分须说明原因。"
    return problems
