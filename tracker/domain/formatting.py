"""One rule for showing money and rates, used by pages, banners, charts and exports alike.

- Amounts are in 万元 with 2 decimals and thousands separators: 35.2 → "35.20",
  1234.567 → "1,234.57".
- Rates are fractions shown as percentages with 2 decimals: 0.34456 → "34.46%".
- Rounding is 四舍五入 (half up), as in published tables; Python's default (half even) would
  show 0.125 as 0.12. Exports write the unrounded value with the same number format
  ("#,##0.00", "0.00%"), so a cell shows what the page shows.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

EMPTY = "—"
MONEY_FORMAT = "#,##0.00"  # Excel number formats matching money() and rate()
RATE_FORMAT = "0.00%"


def _q(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def money(value, places: int = 2, *, empty: str = EMPTY) -> str:
    """万元 amount: "1,234.57"."""
    if value is None or value == "":
        return empty
    value = Decimal(value).quantize(_q(places), rounding=ROUND_HALF_UP)
    return f"{value:,.{places}f}"


def rate(fraction, places: int = 2, *, empty: str = EMPTY) -> str:
    """A fraction as a percentage: 0.34456 → "34.46%"."""
    if fraction is None or fraction == "":
        return empty
    value = (Decimal(fraction) * 100).quantize(_q(places), rounding=ROUND_HALF_UP)
    return f"{value:,.{places}f}%"


def points(value, *, empty: str = EMPTY) -> str:
    """Scores: 2 decimals (DOMAIN.md §5 rounds scores to 2 decimals)."""
    return money(value, 2, empty=empty)
