"""Reporting periods of a budget year: monthly (default) or quarterly."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from tracker.domain import DomainError

MONTHLY = "monthly"
QUARTERLY = "quarterly"
FREQUENCIES = (MONTHLY, QUARTERLY)
FREQUENCY_LABELS = {MONTHLY: "按月", QUARTERLY: "按季度"}


class PeriodError(DomainError):
    pass


@dataclass(frozen=True)
class Period:
    key: str  # 2023-06 or 2023-Q2
    year: int
    start: date
    end: date

    @property
    def label(self) -> str:
        if "Q" in self.key:
            return f"{self.year}年第{self.key[-1]}季度"
        return f"{self.year}年{self.start.month}月"

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def _month_period(year: int, month: int) -> Period:
    return Period(
        f"{year}-{month:02d}", year, date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    )


def _quarter_period(year: int, quarter: int) -> Period:
    first = 3 * quarter - 2
    last = 3 * quarter
    return Period(
        f"{year}-Q{quarter}", year, date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])
    )


def period_for(day: date, frequency: str = MONTHLY) -> Period:
    if frequency == QUARTERLY:
        return _quarter_period(day.year, (day.month - 1) // 3 + 1)
    if frequency == MONTHLY:
        return _month_period(day.year, day.month)
    raise PeriodError(f"未知的填报周期“{frequency}”（可选：按月、按季度）。")


def periods_of_year(year: int, frequency: str = MONTHLY) -> list[Period]:
    if frequency == QUARTERLY:
        return [_quarter_period(year, q) for q in range(1, 5)]
    if frequency == MONTHLY:
        return [_month_period(year, m) for m in range(1, 13)]
    raise PeriodError(f"未知的填报周期“{frequency}”（可选：按月、按季度）。")


def parse_period_key(key: str) -> Period:
    """2023-06 or 2023-Q2 → Period; raises PeriodError on anything else."""
    try:
        year_text, _, rest = key.partition("-")
        year = int(year_text)
        if rest.startswith("Q"):
            quarter = int(rest[1:])
            if 1 <= quarter <= 4 and len(rest) == 2:
                return _quarter_period(year, quarter)
        elif len(rest) == 2:
            month = int(rest)
            if 1 <= month <= 12:
                return _month_period(year, month)
    except ValueError:
        pass
    raise PeriodError(f"“{key}”不是有效的填报期间（应为 2023-06 或 2023-Q2 的形式）。")


def current_period(today: date, budget_year: int, frequency: str = MONTHLY) -> Period:
    """The period owners are asked about now: today's, clamped into the budget year."""
    if today.year < budget_year:
        day = date(budget_year, 1, 1)
    elif today.year > budget_year:
        day = date(budget_year, 12, 31)
    else:
        day = today
    return period_for(day, frequency)
