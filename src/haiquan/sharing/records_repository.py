"""Queries of the replicated records (decision 0038): the projection's read and bulk upsert, unscoped (the
federation consumer acts for no caller), and the officers' list and look-up, scoped by the caller's units.

The upsert is one statement per batch: on PostgreSQL the rows go by COPY into a temporary table and one
INSERT ... SELECT ... ON CONFLICT DO UPDATE writes them (as sharing/inbox.py writes the outbox copies);
elsewhere one executemany of INSERT ... ON CONFLICT DO UPDATE."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from psycopg.types.json import Jsonb
from sqlalchemy import Table, func, or_, select
from sqlalchemy.orm import Session

from haiquan.kit.auth import Scope
from haiquan.kit.db import among, insert_for
from haiquan.kit.errors import NotFound
from haiquan.sharing.records_tables import ReplicatedRecord

T = cast(Table, ReplicatedRecord.__table__)
COLUMNS = (
    "record_id", "kind", "reference", "unit", "origin", "status", "summary", "history", "events",
    "last_event_id", "updated_at", "received_at",
)  # fmt: skip
KEYS = ("record_id", "kind")
JSON_COLUMNS = frozenset({"summary", "history"})

BATCH_TABLE = """CREATE TEMP TABLE IF NOT EXISTS hq_replicated_batch (
    record_id varchar(64), kind varchar(16), reference varchar(64), unit varchar(16), origin varchar(16),
    status varchar(40), summary jsonb, history jsonb, events integer, last_event_id varchar(32),
    updated_at timestamptz, received_at timestamptz
) ON COMMIT DELETE ROWS"""
_SET = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS if c not in KEYS)
UPSERT = f"""INSERT INTO replicated_records ({", ".join(COLUMNS)})
SELECT {", ".join(COLUMNS)} FROM hq_replicated_batch
ON CONFLICT (record_id, kind) DO UPDATE SET {_SET}"""


def stored(session: Session, *, keys: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """The rows of these (kind, record id) keys that exist, as dicts: one statement."""
    wanted = set(keys)
    cols = [T.c[c] for c in COLUMNS]
    q = select(*cols).where(among(session, T.c.record_id, {rid for _, rid in keys}))
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for row in session.execute(q).mappings():
        key = (row["kind"], row["record_id"])
        if key in wanted:
            out[key] = dict(row)
    return out


def upsert(session: Session, rows: list[dict[str, Any]], *, new: int = 0) -> None:
    """Insert the rows, or replace the stored ones of the same keys: one statement. On PostgreSQL the first
    `new` rows, which `stored` did not find, are copied straight into the table (no temporary table, no
    conflict to look for: this transaction's ingest is the table's one writer, and a row written meanwhile
    fails the batch, which is then applied again), the others upserted."""
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        if new:
            _copy_pg(session, rows[:new], "replicated_records")
        if rows[new:]:
            _upsert_pg(session, rows[new:])
        return
    stmt = insert_for(session, T)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(KEYS), set_={c: stmt.excluded[c] for c in COLUMNS if c not in KEYS}
    )
    session.execute(stmt, rows)


def _copy_pg(session: Session, rows: list[dict[str, Any]], table: str) -> None:
    raw = session.connection().connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as cp:
        for r in rows:
            cp.write_row(tuple(Jsonb(r[c]) if c in JSON_COLUMNS else r[c] for c in COLUMNS))


def _upsert_pg(session: Session, rows: list[dict[str, Any]]) -> None:
    raw = session.connection().connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur:
        cur.execute(f"{BATCH_TABLE}; DELETE FROM hq_replicated_batch")
    _copy_pg(session, rows, "hq_replicated_batch")
    with raw.cursor() as cur:
        cur.execute(UPSERT)


# --- officers' reads ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    kind: str
    record_id: str
    reference: str
    unit: str
    origin: str
    status: str
    summary: dict[str, Any]
    history: list[dict[str, str]]
    events: int
    updated_at: datetime
    received_at: datetime


def _record(r: ReplicatedRecord) -> Record:
    history = [{"type": str(e[0]), "at": str(e[1])} for e in (r.history or []) if len(e) >= 2]
    summary = r.summary if isinstance(r.summary, dict) else json.loads(r.summary)
    return Record(
        r.kind, r.record_id, r.reference, r.unit, r.origin, r.status, summary, history, r.events,
        r.updated_at, r.received_at,
    )  # fmt: skip


def _scoped(session: Session, q: Any, scope: Scope) -> Any:
    if scope.units is not None:
        q = q.where(among(session, ReplicatedRecord.unit, scope.units))
    return q


def list_records(
    session: Session,
    *,
    scope: Scope,
    kind: str | None = None,
    unit: str | None = None,
    status: str | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Record], int]:
    """The replicated records in the caller's units, the most recently changed first, and how many match."""
    stmt = _scoped(session, select(ReplicatedRecord), scope)
    if kind:
        stmt = stmt.where(ReplicatedRecord.kind == kind)
    if unit:
        stmt = stmt.where(ReplicatedRecord.unit == unit)
    if status:
        stmt = stmt.where(ReplicatedRecord.status == status)
    if q:
        like = f"{q.strip()}%"
        stmt = stmt.where(or_(ReplicatedRecord.reference.like(like), ReplicatedRecord.record_id.like(like)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = stmt.order_by(ReplicatedRecord.updated_at.desc(), ReplicatedRecord.record_id)
    rows = session.scalars(page.limit(limit).offset(offset)).all()
    return [_record(r) for r in rows], int(total)


def get_record(session: Session, *, kind: str, record_id: str, scope: Scope) -> Record:
    """One replicated record by kind and id (or reference); NotFound outside the caller's units (its
    existence is not told)."""
    stmt = _scoped(session, select(ReplicatedRecord), scope).where(ReplicatedRecord.kind == kind)
    row = session.scalars(stmt.where(ReplicatedRecord.record_id == record_id)).first()
    if row is None:
        row = session.scalars(stmt.where(ReplicatedRecord.reference == record_id)).first()
    if row is None:
        raise NotFound(f"no replicated {kind} {record_id} in your units", field="record_id")
    return _record(row)
