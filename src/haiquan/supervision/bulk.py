"""Set-based reads and writes for the batch path: `= ANY(array)` instead of a thousand bind parameters,
COPY for bulk inserts and UPDATE ... FROM unnest(arrays) for bulk updates on PostgreSQL; the portable
SQLAlchemy forms elsewhere (SQLite)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg.types.json import Jsonb
from sqlalchemy import JSON, insert, update
from sqlalchemy.orm import Session


def is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _adapt(value: Any) -> Any:
    return Jsonb(value) if isinstance(value, (dict, list)) else value


def insert_rows(session: Session, model: type[Any], rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    if not is_pg(session):
        session.execute(insert(model), list(rows))
        return
    cols = list(rows[0].keys())
    table = model.__table__
    # JSON columns wrapped as Jsonb; the others go as they are (no per-value type test: 1,000 rows x 15)
    wrap = [i for i, c in enumerate(cols) if isinstance(table.c[c].type, JSON)]
    raw = session.connection().connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({', '.join(cols)}) FROM STDIN") as cp:
        for r in rows:
            values = [r[c] for c in cols]
            for i in wrap:
                values[i] = _adapt(values[i])
            cp.write_row(values)


PG_TYPES = {"int": "integer[]", "text": "text[]", "ts": "timestamptz[]", "bool": "boolean[]"}


def update_rows(
    session: Session, model: type[Any], rows: Sequence[dict[str, Any]], *, key: str, columns: dict[str, str]
) -> None:
    """Update `columns` (name -> int|text|ts|bool) of the rows identified by `key`, in one statement."""
    if not rows:
        return
    if not is_pg(session):
        # ORM bulk UPDATE by primary key (`key` must be it)
        session.execute(update(model), [{key: r[key], **{c: r[c] for c in columns}} for r in rows])
        return
    table = model.__table__
    names = [key, *columns]
    kinds = ["text", *columns.values()]
    sets = ", ".join(f"{c} = v.{c}" for c in columns)
    arrays = ", ".join(f"%s::{PG_TYPES[k]}" for k in kinds)
    sql = f"UPDATE {table.name} AS t SET {sets} FROM unnest({arrays}) AS v({', '.join(names)}) WHERE t.{key} = v.{key}"
    raw = session.connection().connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur:
        cur.execute(sql, [[r[n] for r in rows] for n in names])
