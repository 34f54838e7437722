"""Events written to the outbox in the caller's transaction, and the consumers that act on them (applied by
kit.dispatcher, each event id at most once per consumer)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import structlog
from sqlalchemy import Select, Table, insert, select, text
from sqlalchemy.orm import Session

from haiquan.kit import clock, pending
from haiquan.kit.db import UnitOfWork, new_id, pg_array
from haiquan.kit.tables import EventConsumption, OutboxEvent

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
    def from_columns(cls, row: Sequence[Any]) -> Event:
        """From a row of `select_events()` (no ORM object: the Dispatcher reads thousands at a time)."""
        seq, id_, type_, version, unit, subject, occurred_at, actor, payload, origin = row
        return quick_event(id_, seq, type_, version, unit, subject, occurred_at, actor, payload, origin)

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


def quick_event(
    id: str,
    seq: int,
    type: str,
    version: int,
    unit: str,
    subject: str,
    occurred_at: datetime,
    actor: str,
    payload: dict[str, Any],
    origin: str | None = None,
) -> Event:
    """Event(...) with the same fields, equal to it and as frozen, without the frozen dataclass's __init__
    (one object.__setattr__ per field): a third of the time, for the thousands of events a dispatcher or a
    federation consumer makes at once."""
    ev = object.__new__(Event)
    d = ev.__dict__
    d["id"], d["seq"], d["type"], d["version"], d["unit"] = id, seq, type, version, unit
    d["subject"], d["occurred_at"], d["actor"], d["payload"], d["origin"] = (
        subject,
        occurred_at,
        actor,
        payload,
        origin,
    )
    return ev


def select_events() -> Select[Any]:
    """The outbox columns an Event is made of, in `Event.from_columns` order."""
    o = OutboxEvent
    return select(o.seq, o.id, o.type, o.version, o.unit, o.subject, o.occurred_at, o.actor).add_columns(
        o.payload, o.origin
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
    # True: only events federated from child nodes (a read model of their records: the node's own records
    # are in its own tables).
    federated_only: bool = False
    # True (every consumer here): the handler only writes to the database (no calls out; webhooks are rows a
    # sender delivers later), so a chunk is first applied in one transaction without a savepoint per event,
    # and only if that fails again event by event, each in its own savepoint. False for a handler that
    # calls out: every event in its own savepoint from the start.
    batch: bool = True
    # Optional, for batch consumers: applies a whole chunk at once (one statement instead of one per event);
    # `handler` is still used, event by event, when the chunk fails and is applied again one at a time.
    many: Callable[[UnitOfWork, list[Event]], None] | None = None

    def wants(self, event_type: str) -> bool:
        return event_type in self.types or any(event_type.startswith(p) for p in self.prefixes)

    def accepts(self, event: Event) -> bool:
        return (
            self.wants(event.type)
            and not (self.local_only and event.federated)
            and not (self.federated_only and not event.federated)
        )


CONSUMED_PG = text(
    "INSERT INTO event_consumptions (consumer, event_id, applied_at) "
    "SELECT :consumer, unnest(CAST(:ids AS varchar[])), :at"
)


def record_consumed(session: Session, consumer: str, ids: list[str]) -> None:
    """The consumption rows of events a consumer applied, in one statement: on PostgreSQL one array
    parameter (no statement per row), elsewhere executemany. In the consumer's transaction."""
    if not ids:
        return
    now = clock.now()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(CONSUMED_PG, {"consumer": consumer, "ids": pg_array(ids), "at": now})
        return
    rows = [{"consumer": consumer, "event_id": i, "applied_at": now} for i in ids]
    session.execute(insert(cast(Table, EventConsumption.__table__)), rows)


def types(*names: str) -> frozenset[str]:
    return frozenset(names)


def all_of(rows: Iterable[OutboxEvent]) -> list[Event]:
    return [Event.from_row(r) for r in rows]
