"""Reading the record for display: current entries, a project's progress, histories."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, bindparam, exists, null, select, union_all
from sqlalchemy.orm import aliased, selectinload

from tracker.domain import progress as progress_rules
from tracker.domain.accumulation import CUMULATIVE
from tracker.domain.monitoring import time_progress
from tracker.domain.targets import KIND_WITHIN_BUDGET, Target
from tracker.extensions import db
from tracker.models import Indicator, ProgressEntry, Project, Spending
from tracker.services import clock


@functools.cache
def _is_current(model) -> ColumnElement[bool]:
    """Not superseded by a later correction and not voided. Built once per model: a fresh
    ``aliased()`` per call cost more than running the page's query (its column collection
    is rebuilt and every column adapted each time); the clause itself is immutable, so one
    copy serves every statement (each EXISTS is its own scope)."""
    newer = aliased(model)
    return and_(~exists(select(newer.id).where(newer.supersedes_id == model.id)), model.is_void.is_(False))


def current_entries_query(model):
    """Entries not superseded by a later correction and not voided."""
    return select(model).where(_is_current(model))


@dataclass
class IndicatorProgress:
    indicator: Indicator
    readings: list[progress_rules.Reading] = field(default_factory=list)
    latest: progress_rules.Reading | None = None  # the latest current entry (as_of, tier, completed_on …)
    ytd: Decimal | None = None
    status: str = progress_rules.NONE
    entry_count: int = 0
    target: Target | None = None  # the indicator's target, built once for the page

    @property
    def status_label(self) -> str:
        return progress_rules.STATUS_LABELS[self.status]


@dataclass
class ProjectProgress:
    project: Project
    rows: list[IndicatorProgress]
    spent: Decimal
    execution_rate: Decimal | None
    time_progress: Decimal
    monthly_spent: dict[int, Decimal]


@functools.cache
def _page_statement():
    """The project page's one read, built once (bound parameters): plain columns of the
    current entries of the indicators asked about, then (indicator_id NULL) the project's
    current spending as (spent_on, amount) in the as_of and value columns — one round trip.
    Building the statements and loading ~200 entries as ORM objects per request was most of
    the page's time."""
    entries = select(
        ProgressEntry.indicator_id,
        ProgressEntry.as_of,
        ProgressEntry.id,
        ProgressEntry.value,
        ProgressEntry.tier,
        ProgressEntry.completed_on,
        ProgressEntry.for_month,
    ).where(
        _is_current(ProgressEntry),
        ProgressEntry.project_id == bindparam("project_id"),
        ProgressEntry.indicator_id.in_(bindparam("indicator_ids", expanding=True)),
    )
    spending = select(null(), Spending.spent_on, null(), Spending.amount, null(), null(), null()).where(
        _is_current(Spending), Spending.project_id == bindparam("project_id")
    )
    return union_all(entries, spending)


def project_progress(project: Project, indicators: list[Indicator]) -> ProjectProgress:
    """Everything the project page shows, in a fixed number of queries whatever the data size."""
    day = clock.today()
    year = project.year.year
    session = db.session()
    session.flush()  # Core reads below do not autoflush
    read = (
        session.connection()
        .execute(_page_statement(), {"project_id": project.id, "indicator_ids": [ind.id for ind in indicators]})
        .all()  # fetchall: iterating the result would fetch row by row
    )
    by_indicator: dict[int, list[progress_rules.Reading]] = {}
    spending = []
    make = progress_rules.Reading._make
    for entry in read:
        if entry[0] is None:
            spending.append((entry[1], entry[3]))
            continue
        found = by_indicator.get(entry[0])
        if found is None:
            found = by_indicator[entry[0]] = []
        found.append(make(entry[1:]))
    spent = sum((amount for _, amount in spending), Decimal(0))
    monthly: dict[int, Decimal] = {}
    for spent_on, amount in spending:
        if spent_on.year == year:
            monthly[spent_on.month] = monthly.get(spent_on.month, Decimal(0)) + amount
    budget = project.budget
    rows = []
    for ind in indicators:
        readings = by_indicator.get(ind.id, [])
        row = IndicatorProgress(ind, readings, entry_count=len(readings))
        if readings:
            row.latest = max(readings, key=lambda r: (r.as_of, r.seq))
        cumulative = ind.accumulation == CUMULATIVE
        row.ytd = progress_rules.year_to_date(readings, cumulative=cumulative)
        target = row.target = ind.target
        row.status = progress_rules.attainment(
            target,
            readings,
            cumulative=cumulative,
            budget_year=year,
            today=day,
            budget=budget if target.kind == KIND_WITHIN_BUDGET else None,
            spent=spent if target.kind == KIND_WITHIN_BUDGET and budget is not None else None,
        )
        rows.append(row)
    as_of = min(day, date(year, 12, 31))
    rate = (spent / budget) if budget else None
    return ProjectProgress(project, rows, spent, rate, time_progress(as_of, year), monthly)


def indicator_history(indicator: Indicator) -> list[ProgressEntry]:
    """Every entry ever made, by 截至日期 (newest first; for one date the latest entry first),
    corrections and withdrawals included."""
    return list(
        db.session.scalars(
            select(ProgressEntry)
            .where(ProgressEntry.indicator_id == indicator.id)
            .options(selectinload(ProgressEntry.created_by))
            .order_by(ProgressEntry.as_of.desc(), ProgressEntry.created_at.desc(), ProgressEntry.id.desc())
        ).all()
    )


def superseded_ids(model, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(db.session.scalars(select(model.supersedes_id).where(model.supersedes_id.in_(ids))))


def spending_history(project: Project) -> list[Spending]:
    """Every expenditure ever recorded for the project, newest first (corrections included)."""
    return list(
        db.session.scalars(
            select(Spending)
            .where(Spending.project_id == project.id)
            .options(selectinload(Spending.created_by))
            .order_by(Spending.spent_on.desc(), Spending.id.desc())
        ).all()
    )
