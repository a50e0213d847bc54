"""What the record says about many indicators at once, for the batch runs.

The batch runs (双监控, 自评 opening) need, per indicator, the sum of the values, the latest
value, the latest tier and the latest completion date per month, counting only current
entries (not superseded, not voided) dated on or before a day. Reading every entry as an ORM
object and folding it per indicator (tracker.domain.progress) was most of their time at
county scale. Per batch of projects now:

- PostgreSQL aggregates in the database: the exact numeric SUM, the latest value and tier
  by array_agg(… ORDER BY as_of DESC, id DESC), the latest completion per month by
  DISTINCT ON — two queries.
- SQLite stores the values as REAL (its SUM would be a float sum), so one query gives the
  current entries in (indicator, as_of, id) order, read from the DB-API cursor without a Row
  per entry, and the fold keeps the last of each (the id breaks ties of the same day, as
  Reading.seq does) and adds the Decimals the per-entry code adds. That single scan replaced
  four window/aggregate queries that each scanned the batch's entries again.

``indicators_by_project`` and ``plain_rows`` read the batch's indicator columns the same way
(the columns' own result conversions, applied column by column).

``from_readings`` gives the same IndicatorRecord from Reading objects through the domain's
own functions, for the per-form paths; tests/services/test_runs_golden.py proves that the
batch runs write what the per-entry code wrote.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from functools import partial
from typing import NamedTuple

from sqlalchemy import func, literal_column, select, text
from sqlalchemy.dialects.postgresql import aggregate_order_by, array_agg, distinct_on

from tracker.domain import progress as progress_rules
from tracker.extensions import db
from tracker.models import Expenditure, Indicator, ProgressEntry
from tracker.services.progress import current_entries_query


class IndicatorRecord:
    """What the record says about one indicator: its values (as the year-to-date figure), the
    latest tier and the latest completion date per month (None = one-off).

    The SQLite batch keeps the values as the driver returned them, in (as_of, id) order, and
    converts and adds them only when asked (values_in_order): a level indicator needs only
    its latest value, a qualitative one none.
    """

    __slots__ = ("_convert", "_latest_value", "_total", "_values", "completions", "latest_tier")

    def __init__(
        self,
        total: Decimal | None = None,
        latest_value: Decimal | None = None,
        latest_tier: str | None = None,
        completions: dict[int | None, date] | None = None,
    ) -> None:
        self._total = total
        self._latest_value = latest_value
        self._values: list | None = None
        self._convert: Callable | None = None
        self.latest_tier = latest_tier
        self.completions: dict[int | None, date] = {} if completions is None else completions

    @classmethod
    def values_in_order(
        cls, values: list, convert: Callable | None, latest_tier: str | None, completions: dict[int | None, date]
    ) -> IndicatorRecord:
        record = cls(None, None, latest_tier, completions)
        if values:
            record._values, record._convert = values, convert
        return record

    @property
    def total(self) -> Decimal | None:
        """Sum of the values (cumulative indicators), as progress_rules.year_to_date adds them."""
        if self._values is not None and self._total is None:
            values = self._values if self._convert is None else map(self._convert, self._values)
            self._total = sum(values, ZERO)
        return self._total

    @property
    def latest_value(self) -> Decimal | None:
        """The latest value (level indicators)."""
        if self._values is not None and self._latest_value is None:
            last = self._values[-1]
            self._latest_value = last if self._convert is None else self._convert(last)
        return self._latest_value

    def value(self, *, cumulative: bool) -> Decimal | None:
        """The year-to-date figure: progress_rules.year_to_date."""
        return self.total if cumulative else self.latest_value


ZERO = Decimal(0)
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


class IndicatorRow(NamedTuple):
    """An indicator's columns the batch runs read (indicator_target() takes it like an Indicator)."""

    id: int
    project_id: int
    position: int
    level1: str
    level2: str
    level3: str
    accumulation: str
    # Indicator.TARGET_COLUMNS, in that order: row[FIRST_TARGET_COLUMN:] is the target's key
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


FIRST_TARGET_COLUMN = IndicatorRow._fields.index("target_raw")
if IndicatorRow._fields[FIRST_TARGET_COLUMN:] != Indicator.TARGET_COLUMNS:  # pragma: no cover - a model change
    raise RuntimeError("IndicatorRow must end with Indicator.TARGET_COLUMNS")


def indicators_by_project(project_ids: list[int], *, names: bool = True) -> dict[int, list[IndicatorRow]]:
    """The projects' indicators in form order (position, id), per project. ``names=False``:
    without the 二级/三级 names (level2, level3 are ""), for a run that does not copy them."""
    columns = [
        getattr(Indicator, c) if names or c not in ("level2", "level3") else literal_column("''").label(c)
        for c in IndicatorRow._fields
    ]
    out: dict[int, list[IndicatorRow]] = {}
    for row in plain_rows(
        select(*columns)
        .where(Indicator.project_id.in_(project_ids))
        .order_by(Indicator.project_id, Indicator.position, Indicator.id),
        IndicatorRow,
    ):
        found = out.get(row.project_id)
        if found is None:
            out[row.project_id] = [row]
        else:
            found.append(row)
    return out


def plain_rows(stmt, row_type: type[tuple] | None = None) -> list:
    """The rows of a Core SELECT on the session's connection as tuples (or ``row_type``, a
    NamedTuple), with the columns' own result conversions — what a Row would hold — read from
    the DB-API cursor and converted column by column, without a Row object per row."""
    connection = _core()
    with connection.execute(stmt) as result:  # closed (its cursor too) when read
        cursor = result.cursor
        if cursor is None:  # pragma: no cover - a SELECT always has a cursor
            raise RuntimeError("plain_rows needs a SELECT")
        conversions = [
            (i, process)
            for i, (column, described) in enumerate(zip(stmt.selected_columns, cursor.description, strict=True))
            if (process := column.type._cached_result_processor(connection.dialect, described[1])) is not None
        ]
        rows = cursor.fetchall()
    if conversions and rows:
        by_column: list = list(zip(*rows, strict=True))
        for i, process in conversions:  # SQLAlchemy's processors take None too, as in a Row
            by_column[i] = map(process, by_column[i])
        rows = zip(*by_column, strict=True)
    if row_type is None:
        return rows if isinstance(rows, list) else list(rows)
    return list(map(partial(tuple.__new__, row_type), rows))


def _current(project_ids: list[int], as_of: date | None):
    stmt = current_entries_query(ProgressEntry).where(ProgressEntry.project_id.in_(project_ids))
    if as_of is not None:
        stmt = stmt.where(ProgressEntry.as_of <= as_of)
    return stmt


def indicator_records(project_ids: list[int], *, as_of: date | None = None) -> dict[int, IndicatorRecord]:
    """IndicatorRecord per indicator of the projects (entries dated ≤ as_of when given).

    PostgreSQL aggregates in the database (_aggregated). SQLite stores the values as REAL,
    so its SUM is a float sum: one query for the batch gives the current entries in
    (indicator, as_of, id) order and _folded adds the Decimals the per-entry code adds; the
    latest of anything is simply the last one seen (Reading's (as_of, seq) order).
    """
    if not project_ids:
        return {}
    connection = _core()
    if connection.dialect.name == "postgresql":
        # Sorting a batch's entries (anti-join, order) needs more than the 4 MB default, or
        # it spills to disk; for this transaction only.
        connection.execute(text("SET LOCAL work_mem = '64MB'"))
        return _aggregated(project_ids, as_of)
    return _folded(project_ids, as_of)


def _latest_of(column):
    """PostgreSQL: the column's value in the latest entry (as_of, id) that has one."""
    return array_agg(aggregate_order_by(column, ProgressEntry.as_of.desc(), ProgressEntry.id.desc())).filter(
        column.is_not(None)
    )[1]


def _aggregated(project_ids: list[int], as_of: date | None) -> dict[int, IndicatorRecord]:
    """Two queries for the batch: per indicator the exact numeric SUM and the latest value and
    tier; per indicator and month the latest completion date."""
    records = {
        indicator_id: IndicatorRecord(total, latest_value, latest_tier, {})
        for indicator_id, total, latest_value, latest_tier in plain_rows(
            _current(project_ids, as_of)
            .with_only_columns(
                ProgressEntry.indicator_id,
                func.sum(ProgressEntry.value),
                _latest_of(ProgressEntry.value),
                _latest_of(ProgressEntry.tier),
            )
            .group_by(ProgressEntry.indicator_id)
        )
    }
    for indicator_id, month, completed in plain_rows(
        _current(project_ids, as_of)
        .where(ProgressEntry.completed_on.is_not(None))
        .with_only_columns(ProgressEntry.indicator_id, ProgressEntry.for_month, ProgressEntry.completed_on)
        .ext(distinct_on(ProgressEntry.indicator_id, ProgressEntry.for_month))
        .order_by(
            ProgressEntry.indicator_id, ProgressEntry.for_month, ProgressEntry.as_of.desc(), ProgressEntry.id.desc()
        )
    ):
        record = records.get(indicator_id)
        if record is None:
            record = records[indicator_id] = IndicatorRecord()
        record.completions[month] = completed
    return records


def _folded(project_ids: list[int], as_of: date | None) -> dict[int, IndicatorRecord]:
    """One query for the batch, its rows read from the DB-API cursor with the columns' own
    result conversions, without a Row object per entry.

    "Current" as current_entries_query says — not voided, and no entry supersedes it — but
    the superseded ids are one set read first (the unique index on supersedes_id holds them)
    instead of SQLite's anti-join subquery per entry, which was a fifth of the batch's reading.
    """
    records: dict[int, IndicatorRecord] = {}
    connection = _core()
    dialect = connection.dialect
    superseded = set(
        connection.execute(
            select(ProgressEntry.supersedes_id).where(ProgressEntry.supersedes_id.is_not(None))
        ).scalars()
    )
    columns = (
        ProgressEntry.indicator_id,
        ProgressEntry.value,
        ProgressEntry.tier,
        ProgressEntry.completed_on,
        ProgressEntry.for_month,
        ProgressEntry.id,
    )
    stmt = select(*columns).where(ProgressEntry.project_id.in_(project_ids), ProgressEntry.is_void.is_(False))
    if as_of is not None:
        stmt = stmt.where(ProgressEntry.as_of <= as_of)
    current_id = None
    values: list = []
    latest_tier: str | None = None
    completions: dict[int | None, date] = {}
    folded = IndicatorRecord.values_in_order
    with connection.execute(
        stmt.order_by(ProgressEntry.project_id, ProgressEntry.indicator_id, ProgressEntry.as_of, ProgressEntry.id)
    ) as result:
        cursor = result.cursor
        if cursor is None:  # pragma: no cover - a SELECT always has a cursor
            raise RuntimeError("indicator_records needs a cursor")
        description = cursor.description
        to_value, to_date = (columns[i].type._cached_result_processor(dialect, description[i][1]) for i in (1, 3))
        for indicator_id, value, tier, completed_on, for_month, entry_id in cursor:
            if entry_id in superseded:
                continue
            if indicator_id != current_id:
                if current_id is not None:
                    records[current_id] = folded(values, to_value, latest_tier, completions)
                current_id = indicator_id
                values = []
                latest_tier = None
                completions = {}
            if value is not None:
                values.append(value)
            if tier:
                latest_tier = tier
            if completed_on is not None:
                completions[for_month] = to_date(completed_on) if to_date is not None else completed_on
    if current_id is not None:
        records[current_id] = folded(values, to_value, latest_tier, completions)
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
