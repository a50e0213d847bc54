"""The project page's indicator rows, rendered once per distinct content.

A row is a pure function of a RowView (every value it shows, URLs included): the rendered
HTML is kept per process by that value, so a row is rendered again only when something it
shows changed (an entry, a target, the status, last year's values). Rendering the rows was
the largest part of the page's time (~35 µs a row in Jinja); a kept row costs building
its RowView and one dict lookup. Bounded (ROW_CACHE_SIZE; 0 turns it off) and bypassed
while templates reload (development).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import partial
from typing import NamedTuple

from flask import current_app
from markupsafe import Markup

from tracker.domain.targets import Target
from tracker.memo import Memo
from tracker.models.projects import ACCUMULATION_LABELS, Indicator, indicator_target


class PageIndicator(NamedTuple):
    """An indicator's columns the project page shows, read as a plain row (no ORM object):
    ``target`` and ``accumulation_label`` as on Indicator."""

    id: int
    level1: str
    level2: str
    level3: str
    description: str
    basis: str
    accumulation: str
    target_raw: str
    target_kind: str
    target_op: str | None
    op_override: str | None
    target_value: Decimal | None
    target_unit: str
    deadline_year: int | None
    deadline_month: int | None
    deadline_day: int | None
    deadline_monthly_day: int | None
    target_implicit_op: bool

    @property
    def target(self) -> Target:
        return indicator_target(self)

    @property
    def accumulation_label(self) -> str:
        return ACCUMULATION_LABELS.get(self.accumulation, self.accumulation)


# As services/records.py IndicatorRow: the target's columns are Indicator.TARGET_COLUMNS, in order.
if PageIndicator._fields[PageIndicator._fields.index("target_raw") :] != Indicator.TARGET_COLUMNS:  # pragma: no cover
    raise RuntimeError("PageIndicator must end with Indicator.TARGET_COLUMNS")


class RowView(NamedTuple):
    id: int
    span1: int
    span2: int
    level1: str
    level2: str
    level3: str
    description: str
    target_raw: str
    target: Target  # shown parsed (target_parse)
    accumulation_label: str | None  # quantitative targets only
    basis: str
    ytd: Decimal | None
    unit: str
    latest_text: str
    entry_count: int
    latest_as_of: date | None  # None: nothing recorded yet
    status: str
    status_label: str
    can_edit: bool
    indicator_url: str
    targets_url: str
    show_previous: bool
    pv_target: str | None  # None: no last-year indicator
    pv_actual: str | None
    pv_score: Decimal | None
    pv_weight: Decimal | None


_ROWS: Memo[Markup] = Memo(20000)


def _key(view: RowView) -> tuple:
    # 1.0 and 1.00 are equal Decimals but print differently: the key holds what prints.
    return (view, str(view.target.value), str(view.ytd), str(view.pv_score), str(view.pv_weight))


def render_rows(views: list[RowView]) -> Markup:
    env = current_app.jinja_env
    macro = env.get_template("projects/_indicator_row.html").module.indicator_row  # type: ignore[attr-defined]
    size = 0 if env.auto_reload else current_app.config.get("ROW_CACHE_SIZE", _ROWS.size)
    return Markup("").join(_ROWS.get(_key(view), partial(macro, view), size=size) for view in views)
