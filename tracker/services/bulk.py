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

import json
from contextlib import closing

from sqlalchemy import JSON, insert

from tracker.extensions import db

CHUNK = 5000


def _defaults(table, keys: set[str]) -> dict:
    values = {}
    for column in table.columns:
        if column.key in keys or column.default is None:
            continue
        if column.autoincrement is True or (column.primary_key and column.autoincrement == "auto"):
            continue
        default = column.default
        if default.is_scalar:
            values[column.key] = default.arg
        elif default.is_callable:
            values[column.key] = default  # called per row below
    return values


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
    defaults = _defaults(table, {c.key for c in chosen})
    columns = chosen + [table.c[k] for k in defaults]
    fixed = list(defaults.values())
    callables = [i for i, v in enumerate(fixed) if getattr(v, "is_callable", False) is True]
    names = ", ".join(f'"{c.name}"' for c in columns)

    def values():
        for row in rows:
            extra = list(fixed)
            for i in callables:
                extra[i] = fixed[i].arg(None)
            yield [row[k] for k in keys] + extra

    raw = connection.connection.driver_connection
    if raw is None:
        raise RuntimeError("bulk insert needs an open DB-API connection")
    if dialect.name == "postgresql":
        # COPY takes JSON columns as their text (a dict or list is not a COPY value).
        as_json = [i for i, c in enumerate(columns) if isinstance(c.type, JSON)]
        with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for value in values():
                for i in as_json:
                    if value[i] is not None:
                        value[i] = json.dumps(value[i], ensure_ascii=False)
                copy.write_row(value)
        return len(rows)
    # SQLite: the DB-API's executemany with the column types' own bind conversions (what
    # SQLAlchemy would store), without SQLAlchemy's per-row parameter processing.
    processors = [c.type._cached_bind_processor(dialect) for c in columns]
    converted = (
        tuple(v if p is None or v is None else p(v) for p, v in zip(processors, value, strict=True))
        for value in values()
    )
    with closing(raw.cursor()) as cursor:  # a cursor, not the transaction
        cursor.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" * len(columns))})', converted)
    return len(rows)


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
