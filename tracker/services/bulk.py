"""Bulk INSERT of many rows inside the session's transaction, without an ORM object per row.

PostgreSQL: COPY … FROM STDIN through the session's own psycopg connection (the rows join
the same transaction, so a job's work and its completion row still commit or roll back
together). At county scale this is several times faster than an executemany, which
psycopg sends row by row and SQLAlchemy prepares row by row. SQLite: the DB-API's
executemany on the session's connection, values converted by the columns' own types.

Column defaults declared on the models (``default=""``, ``default=utcnow``) are filled in
for keys a row leaves out, as an ORM insert would.
"""

from __future__ import annotations

import gc
import json
from contextlib import closing, contextmanager
from itertools import repeat
from operator import itemgetter

from sqlalchemy import JSON, insert

from tracker.extensions import db

CHUNK = 5000


@contextmanager
def cycle_collector_paused():
    """For a batch run (also as a decorator): Python's cycle collector stays off meanwhile.

    A county run allocates millions of short-lived tuples, dicts and Decimals, all freed by
    reference counting; every few hundred allocations the collector would still walk the
    young objects, and now and then every live object of the process again (the app, the
    mappers, the batch) — about a sixth of a run's time, finding nothing to free. It runs
    again as usual afterwards (and then collects any cycles the run left)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _defaults(table, keys: set[str]) -> tuple[dict, dict]:
    """The model's column defaults for the columns a row leaves out: (values the same for
    every row, callables called per row). Scalars and empty list/dict factories (a new empty
    container each call, always stored alike) are the same for every row; other callables
    (utcnow) are called per row, as an ORM insert would."""
    fixed, per_row = {}, {}
    for column in table.columns:
        if column.key in keys or column.default is None:
            continue
        if column.autoincrement is True or (column.primary_key and column.autoincrement == "auto"):
            continue
        default = column.default
        if default.is_scalar:
            fixed[column.key] = default.arg
        elif default.is_callable:
            if getattr(default.arg, "__wrapped__", None) in (list, dict):
                fixed[column.key] = default.arg(None)
            else:
                per_row[column.key] = default.arg
    return fixed, per_row


def insert_rows(model, rows: list[dict]) -> int:
    """Insert ``rows`` (dicts keyed by column) into ``model``'s table; returns the count."""
    if not rows:
        return 0
    table = model.__table__
    session = db.session
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name not in ("postgresql", "sqlite"):
        for start in range(0, len(rows), CHUNK):
            session.execute(insert(model), rows[start : start + CHUNK])
        return len(rows)
    # Keys are column keys or, as in ORM inserts, attribute names (User.is_active_flag → is_active).
    by_attribute = {prop.key: prop.columns[0] for prop in model.__mapper__.column_attrs}
    keys = list(rows[0])
    chosen = [by_attribute.get(k, table.c.get(k)) for k in keys]
    fixed, per_row = _defaults(table, {c.key for c in chosen})
    columns = chosen + [table.c[k] for k in fixed] + [table.c[k] for k in per_row]
    names = ", ".join(f'"{c.name}"' for c in columns)
    pick = itemgetter(*keys) if len(keys) > 1 else (lambda row, key=keys[0]: (row[key],))
    calls = list(per_row.values())

    raw = connection.connection.driver_connection
    if raw is None:
        raise RuntimeError("bulk insert needs an open DB-API connection")
    if dialect.name == "postgresql":
        # COPY takes JSON columns as their text (a dict or list is not a COPY value).
        as_json = [i for i, c in enumerate(columns) if isinstance(c.type, JSON)]
        fixed_values = list(fixed.values())
        with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                value = [*pick(row), *fixed_values, *(call(None) for call in calls)]
                for i in as_json:
                    if value[i] is not None:
                        value[i] = json.dumps(value[i], ensure_ascii=False)
                copy.write_row(value)
        return len(rows)
    # SQLite: the DB-API's executemany with the column types' own bind conversions (what
    # SQLAlchemy would store), without SQLAlchemy's per-row parameter processing: the values
    # are converted column by column, constants once.
    processors = [c.type._cached_bind_processor(dialect) for c in columns]
    n = len(keys)
    by_column: list = list(zip(*map(pick, rows), strict=True))
    for i, process in enumerate(processors[:n]):
        if process is not None:
            by_column[i] = _converted(by_column[i], process)
    for process, value in zip(processors[n : n + len(fixed)], fixed.values(), strict=True):
        by_column.append(repeat(value if process is None or value is None else process(value), len(rows)))
    for process, call in zip(processors[n + len(fixed) :], calls, strict=True):
        by_column.append(_converted([call(None) for _ in rows], process) if process else [call(None) for _ in rows])
    with closing(raw.cursor()) as cursor:  # a cursor, not the transaction
        cursor.executemany(
            f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" * len(columns))})',
            zip(*by_column, strict=True),
        )
    return len(rows)


def _converted(values, process) -> list:
    """``process`` applied to each value but None; a value that is the previous one's object
    (a batch's ``now``, a shared weight) reuses its conversion."""
    out: list = []
    append = out.append
    last = done = None
    for value in values:
        if value is None:
            append(None)
        elif value is last:
            append(done)
        else:
            last, done = value, process(value)
            append(done)
    return out


def child_rows(rows_by_parent_key: dict, parent_ids: dict, column: str) -> list[dict]:
    """Child rows collected per parent key (e.g. project id), given the id of their parent row
    (read back after the parents' bulk insert) in ``column``; one flat list for insert_rows."""
    out: list[dict] = []
    for key, rows in rows_by_parent_key.items():
        parent_id = parent_ids[key]
        for row in rows:
            row[column] = parent_id
        out.extend(rows)
    return out
