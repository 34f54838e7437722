"""Tamper-evident audit log. Each entry's hash covers its content and the previous entry's hash, so any
edit, deletion or reordering breaks the chain at a named entry."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from haiquan.kit import clock, pending
from haiquan.kit.sql import new_id
from haiquan.kit.tables import AuditEntry

GENESIS = "0" * 64
_LOCK_KEY = 7242001  # PostgreSQL advisory lock that orders chain appends


def _digest(entry: Any, prev_hash: str) -> str:
    """The entry's hash: a stored AuditEntry row or a pending entry (dict) not yet written."""
    get: Callable[[str], Any] = entry.__getitem__ if isinstance(entry, dict) else entry.__getattribute__
    content = {
        "id": get("id"),
        "at": get("at").isoformat(),
        "actor": get("actor"),
        "action": get("action"),
        "target": get("target"),
        "unit": get("unit"),
        "outcome": get("outcome"),
        "detail": get("detail"),
        "prev": prev_hash,
    }
    raw = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    target: str,
    unit: str | None = None,
    outcome: str = "ok",
    detail: dict[str, Any] | None = None,
) -> None:
    """Record an entry in the caller's transaction. Entries are chained when the unit of work commits
    (`lock_tail`, then `seal`: named steps of UnitOfWork.commit): one lock and one read of the chain's tail
    per transaction, held only from then to the commit, so chain order equals commit order."""
    pending.add_audit(
        session,
        {
            "id": new_id(),
            "at": clock.now(),
            "actor": actor,
            "action": action,
            "target": target,
            "unit": unit,
            "outcome": outcome,
            "detail": detail or {},
        },
    )


def lock_tail(session: Session, raw: Any) -> str:
    """Take the chain's lock, held until COMMIT, and return the hash of its last entry. On PostgreSQL
    `raw` is the psycopg connection of the commit's pipeline (kit.sql.pipelined), so the buffered writes,
    this lock and this read go in one round trip; on SQLite (`raw` None) the transaction's BEGIN IMMEDIATE
    holds the database's write lock already."""
    if raw is None:
        return session.scalar(select(AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)) or GENESIS
    # Two statements on purpose: under READ COMMITTED the tail must be read with a snapshot taken after the
    # lock is granted, or an entry committed while we waited is missed and the chain forks
    # (tests/kit/test_audit.py::test_concurrent_writers_keep_one_unbroken_chain caught it). The server runs
    # a pipeline's statements one after the other, so the SELECT starts (and takes its snapshot) only once
    # the lock is held.
    session.execute(select(func.pg_advisory_xact_lock(_LOCK_KEY)))
    with raw.cursor() as cur:
        cur.execute(_TAIL_SQL)
        found = cur.fetchone()
    return str(found[0]) if found else GENESIS


def seal(session: Session, entries: list[dict[str, Any]], tail: str) -> None:
    """Chain `entries` after `tail` (each hash covers the entry and the one before) and insert them."""
    prev = tail
    for entry in entries:
        entry["prev_hash"] = prev
        entry["hash"] = prev = _digest(entry, prev)
    session.execute(insert(AUDIT), entries)


AUDIT = cast(Table, AuditEntry.__table__)
_TAIL_SQL = "SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1"


@dataclass(frozen=True)
class Broken:
    seq: int
    id: str
    reason: str


def _entries(session: Session, batch: int = 5000) -> Iterator[AuditEntry]:
    last = 0
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify(session: Session) -> tuple[int, Broken | None]:
    """Walk the chain; return how many entries were checked and the first broken one, if any."""
    prev = GENESIS
    count = 0
    for entry in _entries(session):
        count += 1
        if entry.prev_hash != prev:
            return count, Broken(entry.seq, entry.id, "previous hash does not match the entry before it")
        if _digest(entry, prev) != entry.hash:
            return count, Broken(entry.seq, entry.id, "content does not match its hash")
        prev = entry.hash
    return count, None


digest = _digest  # the hash of an entry: kit.audit_export recomputes it from an exported entry
entries = _entries  # the chain in order, in batches: kit.audit_export writes it out
