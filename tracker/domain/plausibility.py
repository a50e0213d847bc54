"""Is a value a person typed plausible? Warnings to confirm, never refusals.

A value orders of magnitude away from its target is usually a slip: an amount typed in 元
against a target in 万元 (175,000 against ≤18万元/辆), a percentage typed as a fraction, a
digit too many. A second value for the same date is usually a double entry (a correction
should supersede the first). The page shows the warnings and saves only when the person
confirms; the rules below decide what is "far off".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tracker.domain.targets import KIND_QUANTITATIVE, Target, format_decimal
from tracker.domain.units import UnitError, convert, is_money_unit

# A value this many times larger (or smaller) than its target is "far off" (default).
FAR_FACTOR = Decimal(100)
# 万元 ↔ 元: a ratio within these bounds of 10 000 reads as a scale slip.
SLIP_LOW, SLIP_HIGH = Decimal(2000), Decimal(50000)


@dataclass(frozen=True)
class Warning_:
    code: str  # far_off / yuan_wan / duplicate_date / over_budget / duplicate_payment
    message: str


def value_warnings(
    value: Decimal,
    unit: str,
    target: Target,
    *,
    as_of: date | None = None,
    same_date_values: list[Decimal] | tuple = (),
    far_factor: Decimal = FAR_FACTOR,
) -> list[Warning_]:
    """Warnings for an actual value entered against a target (value in ``unit``; empty unit
    means the target's unit)."""
    found: list[Warning_] = []
    if target.kind == KIND_QUANTITATIVE and target.value and value:
        try:
            actual = convert(value, unit or target.unit, target.unit)
        except UnitError:
            actual = None
        if actual is not None and actual > 0 and target.value > 0:
            ratio = actual / target.value
            shown = f"{format_decimal(value)}{unit or target.unit}"
            money = is_money_unit(target.unit)
            if money and SLIP_LOW <= ratio <= SLIP_HIGH and "万" in (unit or target.unit):
                found.append(
                    Warning_(
                        "yuan_wan",
                        f"填报值 {shown} 约为指标值（{target.raw}）的 {_times(ratio)} 倍，可能把“元”当成了“万元”："
                        f"若实为 {format_decimal(value)} 元，应填 {format_decimal(value / 10000)} 万元。",
                    )
                )
            elif ratio >= far_factor or ratio <= 1 / far_factor:
                found.append(
                    Warning_(
                        "far_off",
                        f"填报值 {shown} 与指标值（{target.raw}）相差 {_times(ratio if ratio >= 1 else 1 / ratio)} 倍，"
                        "请核对数值和单位。",
                    )
                )
    if same_date_values:
        when = f"截至 {as_of.isoformat()} " if as_of else "同一日期"
        listed = "、".join(format_decimal(v) for v in same_date_values[:3])
        found.append(
            Warning_(
                "duplicate_date",
                f"{when}已有完成值 {listed}：再填一条会成为另一条记录；如果是要修改原值，请对原记录使用“更正”。",
            )
        )
    return found


def spending_warnings(
    amount_wan: Decimal,
    *,
    budget_wan: Decimal | None,
    spent_wan: Decimal,
    same_day_same_amount: bool = False,
    typed_unit: str = "万元",
) -> list[Warning_]:
    """Warnings for a payment (amounts in 万元): above the whole budget, pushing total spending
    over the budget, a likely 元/万元 slip, or the same amount on the same day twice."""
    found: list[Warning_] = []
    if budget_wan and budget_wan > 0 and amount_wan > 0:
        ratio = amount_wan / budget_wan
        if "万" in typed_unit and ratio >= SLIP_LOW / 10:
            found.append(
                Warning_(
                    "yuan_wan",
                    f"这笔支出 {format_decimal(amount_wan)} 万元是项目预算（{format_decimal(budget_wan)} 万元）的 "
                    f"{_times(ratio)} 倍，可能把“元”当成了“万元”：若实为 {format_decimal(amount_wan)} 元，"
                    f"应填 {format_decimal(amount_wan / 10000)} 万元。",
                )
            )
        elif amount_wan > budget_wan:
            found.append(
                Warning_(
                    "over_budget",
                    f"这笔支出 {format_decimal(amount_wan)} 万元超过了项目全年预算 {format_decimal(budget_wan)} 万元。",
                )
            )
        elif spent_wan + amount_wan > budget_wan:
            found.append(
                Warning_(
                    "over_budget",
                    f"加上这笔，累计支出 {format_decimal(spent_wan + amount_wan)} 万元将超过项目全年预算 "
                    f"{format_decimal(budget_wan)} 万元。",
                )
            )
    if same_day_same_amount:
        found.append(Warning_("duplicate_payment", "同一天已登记过相同金额的支出，请确认不是重复登记。"))
    return found


def _times(ratio: Decimal) -> str:
    if ratio >= 10:
        return f"{ratio.quantize(Decimal(1)):,}"
    return format_decimal(ratio.quantize(Decimal("0.1")))
