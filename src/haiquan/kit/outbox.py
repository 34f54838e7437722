"""Events written to the outbox in the caller's transaction, and the consumers that act on them (applied by
kit.dispatcher, each event id at most once per consumer)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import structlog
from sqlalchemy import Table
from sqlalchemy.orm import Session

from haiquan.kit import clock, pending
from haiquan.kit.db import UnitOfWork, new_id
from haiquan.kit.tables import OutboxEvent

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Event:
    id: str
    seq: int
    type: str
    version: int
    unit: str
    subject: str
    occurred_at: datetime
    actor: str
    payload: dict[str, Any]
    origin: str | None = None  # None: recorded here; else the node unit it was federated from

    @property
    def federated(self) -> bool:
        return self.origin is not None

    @classmethod
    def from_row(cls, row: OutboxEvent) -> Event:
        return cls(
            id=row.id,
            seq=row.seq,
            type=row.type,
            version=row.version,
            unit=row.unit,
            subject=row.subject,
            occurred_at=row.occurred_at,
            actor=row.actor,
            payload=dict(row.payload),
            origin=row.origin,
        )


SubjectFn = Callable[[str, str], str]


def default_subject(event_type: str, unit: str) -> str:
    """hq.ev.<department>.<unit>.<type>: a department subscribes to its subtree with hq.ev.<dept>.>"""
    dept = unit[:2] if len(unit) >= 2 else unit
    return f"hq.ev.{dept}.{unit}.{event_type}"


def row_for(*, type: str, unit: str, actor: str, payload: dict[str, Any], version: int = 1) -> dict[str, Any]:
    """The outbox row of one event, as a dict for `record_many`."""
    return {
        "id": new_id(),
        "type": type,
        "version": version,
        "unit": unit,
        "subject": default_subject(type, unit),
        "occurred_at": clock.now(),
        "actor": actor,
        "payload": payload,
    }


def record(
    session: Session,
    *,
    type: str,
    unit: str,
    actor: str,
    payload: dict[str, Any],
    version: int = 1,
) -> str:
    """Record an event in the caller's transaction (written at commit, kit.pending); returns its id."""
    row = row_for(type=type, unit=unit, actor=actor, payload=payload, version=version)
    pending.add(session, OUTBOX, row)
    return str(row["id"])


def record_many(session: Session, rows: list[dict[str, Any]]) -> None:
    """Record many events (rows from `row_for`) in the caller's transaction, in order."""
    pending.add_many(session, OUTBOX, rows)


OUTBOX = cast(Table, OutboxEvent.__table__)


Handler = Callable[[UnitOfWork, Event], None]


@dataclass
class Consumer:
    name: str
    types: frozenset[str]
    handler: Handler
    prefixes: tuple[str, ...] = ()
    # True: skip events federated from child nodes (side effects such as webhooks that the originating
    # node already performed). Reports and read models keep the default and cover the whole subtree.
    local_only: bool = False
    # True (every consumer here): the handler only writes to the database (no calls out; webhooks are rows a
    # sender delivers later), so a chunk is first applied in one transaction without a savepoint per event,
    # and only if that fails again event by event, each in its own savepoint. False for a handler that
    # calls out: every event in its own savepoint from the start.
    batch: bool = True

    def wants(self, event_type: str) -> bool:
        return event_type in self.types or any(event_type.startswith(p) for p in self.prefixes)

    def accepts(self, event: Event) -> bool:
        return self.wants(event.type) and not (self.local_only and event.federated)


def types(*names: str) -> frozenset[str]:
    return frozenset(names)


def all_of(rows: Iterable[OutboxEvent]) -> list[Event]:
    return [Event.from_row(r) for r in rows]
