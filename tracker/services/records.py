"""What the record says about many indicators at once, aggregated in the database.

The batch runs (双监控, 自评 opening) need, per indicator, the sum of the values, the latest
value, the latest tier and the latest completion date per month, counting only current
entries (not superseded, not voided) dated on or before a day. Reading every entry as an
object and folding it in Python (tracker.domain.progress) was most of their time at county
scale, so here the same rules are SQL: SUM for the sum, ROW_NUMBER() over (as_of, id)
descending for "latest" (the id breaks ties of the same day, as Reading.seq does). One
query each for a batch of projects, whatever the number of entries.

``from_readings`` gives the same IndicatorRecord from Reading objects through the domain's
own functions, for the per-form paths; tests/services/test_runs_golden.py proves that the
batch runs write what the per-entry code wrote.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select, text

from tracker.domain import progress as progress_rules
from tracker.extensions import db
from tracker.models import Expenditure, ProgressEntry
from tracker.services.progress import current_entries_query


@dataclass
class IndicatorRecord:
    total: Decimal | None = None  # sum of the values (cumulative indicators)
    latest_value: Decimal | None = None  # the latest value (level indicators)
    latest_tier: str | None = None
    completions: dict[int | None, date] = field(default_factory=dict)  # per month, None = one-off

    def value(self, *, cumulative: bool) -> Decimal | None:
        """The year-to-date figure: progress_rules.year_to_date."""
        return self.total if cumulative else self.latest_value


EMPTY = IndicatorRecord()


def from_readings(readings: Iterable[progress_rules.Reading]) -> IndicatorRecord:
    readings = list(readings)
    return IndicatorRecord(
        total=progress_rules.year_to_date(readings, cumulative=True),
        latest_value=progress_rules.year_to_date(readings, cumulative=False),
        latest_tier=progress_rules.latest_tier(readings),
        completions=progress_rules.completions(readings),
    )


def _core():
    """The session's connection (same transaction): plain Core rows, no ORM result processing."""
    return db.session.connection()


def _current(project_ids: list[int], as_of: date | None):
    stmt = current_entries_query(ProgressEntry).where(ProgressEntry.project_id.in_(project_ids))
    if as_of is not None:
        stmt = stmt.where(ProgressEntry.as_of <= as_of)
    return stmt


def _latest(project_ids: list[int], as_of: date | None, column, *partition):
    ranked = (
        _current(project_ids, as_of)
        .where(column.is_not(None))
        .with_only_columns(
            ProgressEntry.indicator_id,
            *partition,
            column,
            func.row_number()
            .over(
                partition_by=[ProgressEntry.indicator_id, *partition],
                order_by=[ProgressEntry.as_of.desc(), ProgressEntry.id.desc()],
            )
            .label("rank"),
        )
        .subquery()
    )
    columns = [ranked.c.indicator_id, *(ranked.c[p.key] for p in partition), ranked.c[column.key]]
    return _core().execute(select(*columns).where(ranked.c.rank == 1)).all()


def indicator_records(project_ids: list[int], *, as_of: date | None = None) -> dict[int, IndicatorRecord]:
    """IndicatorRecord per indicator of the projects (entries dated ≤ as_of when given)."""
    records: dict[int, IndicatorRecord] = {}

    def get(indicator_id: int) -> IndicatorRecord:
        record = records.get(indicator_id)
        if record is None:
            record = records[indicator_id] = IndicatorRecord()
        return record

    if not project_ids:
        return records
    if db.session.get_bind().dialect.name == "postgresql":
        # Sorting a batch's entries (anti-join, windows) needs more than the 4 MB default, or
        # it spills to disk; for this transaction only.
        db.session.execute(text("SET LOCAL work_mem = '64MB'"))
    totals = (
        _core()
        .execute(
            _current(project_ids, as_of)
            .where(ProgressEntry.value.is_not(None))
            .with_only_columns(ProgressEntry.indicator_id, func.sum(ProgressEntry.value).label("total"))
            .group_by(ProgressEntry.indicator_id)
        )
        .all()
    )
    for indicator_id, total in totals:
        get(indicator_id).total = total
    for indicator_id, value in _latest(project_ids, as_of, ProgressEntry.value):
        get(indicator_id).latest_value = value
    for indicator_id, tier in _latest(project_ids, as_of, ProgressEntry.tier):
        get(indicator_id).latest_tier = tier
    for indicator_id, month, completed in _latest(
        project_ids, as_of, ProgressEntry.completed_on, ProgressEntry.for_month
    ):
        get(indicator_id).completions[month] = completed
    return records


def spending_by_project(project_ids: list[int], *, until: date) -> dict[int, Decimal]:
    """Current spending per project dated on or before ``until`` (one GROUP BY)."""
    if not project_ids:
        return {}
    rows = _core().execute(
        current_entries_query(Expenditure)
        .where(Expenditure.project_id.in_(project_ids), Expenditure.spent_on <= until)
        .with_only_columns(Expenditure.project_id, func.sum(Expenditure.amount))
        .group_by(Expenditure.project_id)
    )
    return {project_id: amount for project_id, amount in rows}  # noqa: C416 - a Result is not a mapping
