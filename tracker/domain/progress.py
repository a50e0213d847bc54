"""Actual values through the year: the year-to-date figure and whether the target is met.

Plain values in, plain values out. A reading is one current (not superseded) entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from tracker.domain.scoring import TIER_MET, deadline_due_date, monthly_due_date
from tracker.domain.targets import KIND_DEADLINE, KIND_QUALITATIVE, KIND_QUANTITATIVE, KIND_WITHIN_BUDGET, Target

MET = "met"
NOT_MET = "not_met"
NONE = "none"
STATUS_LABELS = {MET: "达标", NOT_MET: "未达标", NONE: "尚未填报"}


class Reading(NamedTuple):
    """A tuple (a page reads a few hundred per request; a frozen dataclass costs ~5× to make)."""

    as_of: date
    seq: int  # creation order, to break ties between readings of the same day
    value: Decimal | None = None
    tier: str | None = None
    completed_on: date | None = None
    for_month: int | None = None


def _latest(readings: Iterable[Reading]) -> Reading | None:
    return max(readings, key=lambda r: (r.as_of, r.seq), default=None)


def year_to_date(readings: Iterable[Reading], *, cumulative: bool) -> Decimal | None:
    """Sum of the values for a cumulative indicator, the latest value for a level."""
    with_value = [r for r in readings if r.value is not None]
    if not with_value:
        return None
    if cumulative:
        return sum((r.value for r in with_value if r.value is not None), Decimal(0))
    latest = _latest(with_value)  # never None: with_value is not empty
    return latest.value if latest is not None else None


def latest_tier(readings: Iterable[Reading]) -> str | None:
    latest = _latest(r for r in readings if r.tier)
    return latest.tier if latest else None


def completions(readings: Iterable[Reading]) -> dict[int | None, date]:
    """Completion date per month (monthly deadlines) or under None (one-off); latest wins."""
    result: dict[int | None, date] = {}
    for reading in sorted((r for r in readings if r.completed_on), key=lambda r: (r.as_of, r.seq)):
        if reading.completed_on is not None:
            result[reading.for_month] = reading.completed_on
    return result


def meets(op: str | None, actual: Decimal, target: Decimal) -> bool:
    """= is scored like ≥ (DOMAIN.md §3): meeting or exceeding is met."""
    if op in ("≥", "="):
        return actual >= target
    if op == ">":
        return actual > target
    if op == "≤":
        return actual <= target
    if op == "<":
        return actual < target
    return False


def attainment(
    target: Target,
    readings: list[Reading],
    *,
    cumulative: bool,
    budget_year: int,
    today: date,
    budget: Decimal | None = None,
    spent: Decimal | None = None,
) -> str:
    """达标 / 未达标 / 尚未填报 for the project page."""
    if target.kind == KIND_QUANTITATIVE:
        ytd = year_to_date(readings, cumulative=cumulative)
        if ytd is None or target.value is None:
            return NONE
        if target.is_zero_ceiling:  # "0次", "安全事故0起": met only while nothing happened
            return MET if ytd <= 0 else NOT_MET
        return MET if meets(target.op, ytd, target.value) else NOT_MET
    if target.kind == KIND_QUALITATIVE:
        tier = latest_tier(readings)
        if tier is None:
            return NONE
        return MET if tier == TIER_MET else NOT_MET
    if target.kind == KIND_WITHIN_BUDGET:
        if budget is None or spent is None:
            tier = latest_tier(readings)
            return NONE if tier is None else (MET if tier == TIER_MET else NOT_MET)
        return MET if spent <= budget else NOT_MET
    if target.kind == KIND_DEADLINE:
        done = completions(readings)
        if target.monthly_day:
            due_months = [m for m in range(1, 13) if monthly_due_date(target, budget_year, m) < today]
            if not due_months:
                return NONE if not done else MET
            for month in due_months:
                completed = done.get(month)
                if completed is None or completed > monthly_due_date(target, budget_year, month):
                    return NOT_MET
            return MET
        if not target.month:
            return NONE
        due = deadline_due_date(target, budget_year)
        completed = done.get(None)
        if completed is not None:
            return MET if completed <= due else NOT_MET
        return NOT_MET if today > due else NONE
    return NONE
