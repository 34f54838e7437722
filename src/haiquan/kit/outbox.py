"""Events written to the outbox in the caller's transaction, and the in-process dispatcher that applies
them to consumers exactly once (each event id recorded in the consumer's own transaction)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

import structlog
from sqlalchemy import Table, and_, exists, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from haiquan.kit import clock
from haiquan.kit.db import Database, UnitOfWork, new_id
from haiquan.kit.tables import ConsumerCursor, EventConsumption, OutboxEvent

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
) -> OutboxEvent:
    row = OutboxEvent(**row_for(type=type, unit=unit, actor=actor, payload=payload, version=version))
    session.add(row)
    return row


def record_many(session: Session, rows: list[dict[str, Any]]) -> None:
    """Write many events (rows from `row_for`) in one executemany, in the caller's transaction and order."""
    if rows:
        session.execute(insert(cast(Table, OutboxEvent.__table__)), rows)


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
    # True: the handler only writes to the database (no calls out), so a chunk of events may be applied
    # in one transaction without a savepoint each, and applied again event by event if one fails.
    batch: bool = False

    def wants(self, event_type: str) -> bool:
        return event_type in self.types or any(event_type.startswith(p) for p in self.prefixes)

    def accepts(self, event: Event) -> bool:
        return self.wants(event.type) and not (self.local_only and event.federated)


@dataclass
class Dispatcher:
    """Applies outbox events to registered consumers, in sequence order, each event once per consumer."""

    db: Database
    consumers: list[Consumer] = field(default_factory=list)
    batch: int = 500
    chunk: int = 100  # events applied per transaction (each in its own savepoint)
    settle: timedelta = timedelta(seconds=30)
    _wake: threading.Event = field(default_factory=threading.Event)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def register(self, consumer: Consumer) -> None:
        self.consumers.append(consumer)

    def wake(self) -> None:
        self._wake.set()

    def run_once(self) -> int:
        applied = 0
        for consumer in self.consumers:
            applied += self._run_consumer(consumer)
        return applied

    def _pending(self, session: Session, consumer: Consumer, low: int) -> list[Event]:
        done = exists().where(
            and_(EventConsumption.consumer == consumer.name, EventConsumption.event_id == OutboxEvent.id)
        )
        rows = session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.seq > low, ~done)
            .order_by(OutboxEvent.seq)
            .limit(self.batch)
        ).all()
        return [Event.from_row(r) for r in rows]

    def _run_consumer(self, consumer: Consumer) -> int:
        with self.db.unit_of_work() as uow:
            cursor = uow.session.get(ConsumerCursor, consumer.name)
            low = cursor.low_seq if cursor else 0
            events = self._pending(uow.session, consumer, low)
            uow.rollback()
        applied = 0
        for i in range(0, len(events), self.chunk):
            applied += self._apply_chunk(consumer, events[i : i + self.chunk])
        self._advance(consumer, low)
        return applied

    def _apply_chunk(self, consumer: Consumer, events: list[Event]) -> int:
        if consumer.batch:
            done = self._apply_unguarded(consumer, events)
            if done is not None:
                return done
        return self._apply_guarded(consumer, events)

    def _apply_unguarded(self, consumer: Consumer, events: list[Event]) -> int | None:
        """A batch consumer's chunk in one transaction without savepoints; None if anything failed (the
        chunk is then applied again, event by event, by the guarded path)."""
        with self.db.unit_of_work() as uow:
            try:
                for ev in events:
                    if consumer.accepts(ev):
                        consumer.handler(uow, ev)
                    uow.session.add(
                        EventConsumption(consumer=consumer.name, event_id=ev.id, applied_at=clock.now())
                    )
                uow.commit()
                return len(events)
            except Exception:
                uow.rollback()
                return None

    def _apply_guarded(self, consumer: Consumer, events: list[Event]) -> int:
        """Apply several events in one transaction. An event the consumer takes runs inside its own
        savepoint, so a failing handler or an event applied concurrently elsewhere rolls back only that
        event (it stays pending or is skipped); an event it does not take is only marked as seen."""
        with self.db.unit_of_work() as uow:
            s = uow.session
            applied = 0
            for ev in events:
                if not consumer.accepts(ev):
                    s.add(EventConsumption(consumer=consumer.name, event_id=ev.id, applied_at=clock.now()))
                    applied += 1
                    continue
                callbacks = len(uow._after_commit)
                try:
                    with s.begin_nested():
                        consumer.handler(uow, ev)
                        s.add(
                            EventConsumption(consumer=consumer.name, event_id=ev.id, applied_at=clock.now())
                        )
                        s.flush()
                    applied += 1
                except IntegrityError:
                    del uow._after_commit[callbacks:]  # applied concurrently by another worker
                except Exception:
                    del uow._after_commit[callbacks:]
                    log.exception("consumer_failed", consumer=consumer.name, event_id=ev.id, type=ev.type)
            try:
                uow.commit()
            except IntegrityError:
                uow.rollback()  # lost a race at commit time: fall back to one transaction per event
                return sum(1 for ev in events if self._apply(consumer, ev))
            return applied

    def _apply(self, consumer: Consumer, ev: Event) -> bool:
        with self.db.unit_of_work() as uow:
            try:
                if consumer.accepts(ev):
                    consumer.handler(uow, ev)
                uow.session.add(
                    EventConsumption(consumer=consumer.name, event_id=ev.id, applied_at=clock.now())
                )
                uow.commit()
                return True
            except IntegrityError:
                uow.rollback()  # applied concurrently by another worker: exactly once still holds
                return False
            except Exception:
                uow.rollback()
                log.exception("consumer_failed", consumer=consumer.name, event_id=ev.id, type=ev.type)
                return False

    def _advance(self, consumer: Consumer, low: int) -> None:
        """Move the low-water mark past events that are applied and old enough that no earlier
        sequence number can still commit."""
        horizon = clock.now() - self.settle
        with self.db.unit_of_work() as uow:
            s = uow.session
            done = exists().where(
                and_(EventConsumption.consumer == consumer.name, EventConsumption.event_id == OutboxEvent.id)
            )
            first_open = s.scalar(
                select(OutboxEvent.seq).where(OutboxEvent.seq > low, ~done).order_by(OutboxEvent.seq).limit(1)
            )
            # Federated copies carry their original occurred_at; their published_at is when they landed here.
            landed = func.coalesce(OutboxEvent.published_at, OutboxEvent.occurred_at)
            q = select(OutboxEvent.seq).where(OutboxEvent.seq > low, landed < horizon)
            if first_open is not None:
                q = q.where(OutboxEvent.seq < first_open)
            new_low = s.scalar(q.order_by(OutboxEvent.seq.desc()).limit(1))
            if new_low is None or new_low <= low:
                return
            cursor = s.get(ConsumerCursor, consumer.name)
            if cursor is None:
                s.add(ConsumerCursor(consumer=consumer.name, low_seq=new_low))
            else:
                cursor.low_seq = new_low
            uow.commit()

    def start(self, interval: float) -> None:
        if self._thread is not None:
            return
        self._stop.clear()

        def loop() -> None:
            while not self._stop.is_set():
                try:
                    self.run_once()
                except Exception:
                    log.exception("dispatcher_loop_failed")
                self._wake.wait(interval)
                self._wake.clear()

        self._thread = threading.Thread(target=loop, name="haiquan-dispatcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None


def types(*names: str) -> frozenset[str]:
    return frozenset(names)


def all_of(rows: Iterable[OutboxEvent]) -> list[Event]:
    return [Event.from_row(r) for r in rows]
