"""Reading the record for display: current entries, a project's progress, histories."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import exists, select
from sqlalchemy.orm import aliased, selectinload

from tracker.domain import progress as progress_rules
from tracker.domain.accumulation import CUMULATIVE
from tracker.domain.monitoring import time_progress
from tracker.domain.targets import KIND_WITHIN_BUDGET
from tracker.extensions import db
from tracker.models import Indicator, ProgressEntry, Project, Spending
from tracker.services import clock


def current_entries_query(model):
    """Entries not superseded by a later correction and not voided."""
    newer = aliased(model)
    return select(model).where(
        ~exists(select(newer.id).where(newer.supersedes_id == model.id)), model.is_void.is_(False)
    )


@dataclass
class IndicatorProgress:
    indicator: Indicator
    readings: list[progress_rules.Reading] = field(default_factory=list)
    latest: ProgressEntry | None = None
    ytd: Decimal | None = None
    status: str = progress_rules.NONE
    entry_count: int = 0

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


def _reading(entry: ProgressEntry) -> progress_rules.Reading:
    return progress_rules.Reading(entry.as_of, entry.id, entry.value, entry.tier, entry.completed_on, entry.for_month)


def project_progress(project: Project, indicators: list[Indicator]) -> ProjectProgress:
    """Everything the project page shows, in a fixed number of queries whatever the data size."""
    day = clock.today()
    year = project.year.year
    entries = db.session.scalars(
        current_entries_query(ProgressEntry).where(
            ProgressEntry.project_id == project.id, ProgressEntry.indicator_id.in_([ind.id for ind in indicators])
        )
    ).all()  # only the indicators asked about: the indicator page needs one, not the project's all
    spending = db.session.execute(
        select(Spending.spent_on, Spending.amount).where(
            Spending.id.in_(
                current_entries_query(Spending).where(Spending.project_id == project.id).with_only_columns(Spending.id)
            )
        )
    ).all()
    spent = sum((amount for _, amount in spending), Decimal(0))
    monthly: dict[int, Decimal] = {}
    for spent_on, amount in spending:
        if spent_on.year == year:
            monthly[spent_on.month] = monthly.get(spent_on.month, Decimal(0)) + amount
    by_indicator: dict[int, list[ProgressEntry]] = {}
    for entry in entries:
        by_indicator.setdefault(entry.indicator_id, []).append(entry)
    budget = project.budget
    rows = []
    for ind in indicators:
        mine = by_indicator.get(ind.id, [])
        readings = [_reading(e) for e in mine]
        row = IndicatorProgress(ind, readings, entry_count=len(mine))
        if mine:
            row.latest = max(mine, key=lambda e: (e.as_of, e.id))
        cumulative = ind.accumulation == CUMULATIVE
        row.ytd = progress_rules.year_to_date(readings, cumulative=cumulative)
        target = ind.target
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
