"""What nearly every page reads besides its user: the deployment settings and the current
budget year.

A logged-in request reads both in the statement that loads its user (``columns()`` in
tracker/services/login_security.py) and keeps them for the request in ``flask.g``; anywhere
else (the CLI, the scheduler, a request without a login) they are read on first use. Both
are read from the database on every request, so a change is seen by every worker at once.
"""

from __future__ import annotations

from typing import NamedTuple

from flask import g, has_app_context
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import BudgetYear


class Year(NamedTuple):
    id: int
    year: int


_CURRENT = select(BudgetYear.id, BudgetYear.year).where(BudgetYear.is_current.is_(True)).limit(1)


def columns() -> tuple:
    """Scalar subqueries to select next to the user: settings text, current year id and number."""
    from tracker.services import settings

    current_id = select(BudgetYear.id).where(BudgetYear.is_current.is_(True)).limit(1).scalar_subquery()
    current_year = select(BudgetYear.year).where(BudgetYear.is_current.is_(True)).limit(1).scalar_subquery()
    return settings.text_column(), current_id, current_year


def absorb(settings_text: str | None, year_id: int | None, year_number: int | None) -> None:
    """Keep for this request what ``columns()`` read."""
    from tracker.services import settings

    if not has_app_context():
        return
    settings.absorb(settings_text)
    g._current_year = Year(year_id, year_number) if year_id is not None and year_number is not None else None


def year() -> Year | None:
    """The current budget year (id and number), or None when no year is marked current."""
    if has_app_context() and "_current_year" in g:
        return g._current_year
    row = db.session.execute(_CURRENT).first()
    found = Year(row.id, row.year) if row is not None else None
    if has_app_context():
        g._current_year = found
    return found


def year_number() -> int | None:
    found = year()
    return found.year if found is not None else None


def forget_year() -> None:
    """After the current year changed in this request."""
    if has_app_context():
        g.pop("_current_year", None)
