"""Applying a chunk of events to one consumer (kit/dispatcher): first in one transaction without
savepoints for a batch consumer (its handlers only write to the database), else, or when that fails, event
by event inside savepoints, so a failing handler or an event another process applied first rolls back only
that event.

What is applied is recorded in the same transaction, in two ways. The consumer's mark (`consumer_cursors`:
every event at or below it is applied or not wanted) is locked first and moved up to the highest sequence
number the dispatcher allows (`cap`: not past a hole, a failed event or the next chunk); a consumption row
is written only for the events applied above the new mark (a hole or a failure below them). In a steady
flow that is none: a node's dispatcher wrote one row per event per consumer (five for a declaration on a
sub-department), which took more of PostgreSQL than anything else it did. An event at or below the mark as
locked was applied by another process (a lease that overlapped): it is skipped, not applied again."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import cast

import structlog
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from haiquan.kit import clock, pending
from haiquan.kit.db import Database, UnitOfWork, insert_for
from haiquan.kit.outbox import Consumer, Event, record_consumed
from haiquan.kit.tables import ConsumerCursor, EventConsumption

log = structlog.get_logger(__name__)


class Outcome(Enum):
    APPLIED = "applied"
    ELSEWHERE = "elsewhere"  # applied by another process first: done, not counted
    FAILED = "failed"  # the handler raised: stays pending and is tried again on the next pass


Applied = tuple[list[tuple[Event, Outcome]], int]  # each event's outcome, and the consumer's mark after


def apply_chunk(
    db: Database, consumer: Consumer, events: list[Event], cap: int, known: frozenset[str] = frozenset()
) -> Applied:
    """Apply `events` (in sequence order) and move the consumer's mark up to `cap` at most; `known`: ids of
    events that failed before (logged again without their traceback)."""
    if consumer.batch:
        done = _apply_unguarded(db, consumer, events, cap)
        if done is not None:
            return done
    return _apply_guarded(db, consumer, events, cap, known)


_CURSORS = cast(Table, ConsumerCursor.__table__)
# built once (Core, not the ORM): each chunk of each consumer runs both
_LOCK_MARK = (
    select(_CURSORS.c.low_seq).where(_CURSORS.c.consumer == bindparam("b_consumer")).with_for_update()
)
_MOVE_MARK = (
    update(_CURSORS)
    .where(_CURSORS.c.consumer == bindparam("b_consumer"), _CURSORS.c.low_seq < bindparam("b_low"))
    .values(low_seq=bindparam("b_low"))
)


def ensure_marks(session: Session, consumers: Iterable[str]) -> None:
    """A mark row (at 0) for each consumer that has none, so that applying a chunk always has one to lock."""
    rows = [{"consumer": name, "low_seq": 0} for name in consumers]
    if rows:
        session.execute(
            insert_for(session, _CURSORS).values(rows).on_conflict_do_nothing(index_elements=["consumer"])
        )


def _locked_mark(session: Session, consumer: str) -> int:
    """The consumer's mark, its row locked until the transaction ends (SQLite: the writer holds the whole
    database already)."""
    return int(session.connection().execute(_LOCK_MARK, {"b_consumer": consumer}).scalar() or 0)


def move_mark(session: Session, consumer: str, low: int) -> None:
    """Raise the consumer's mark to `low` (never lowers it)."""
    session.connection().execute(_MOVE_MARK, {"b_consumer": consumer, "b_low": low})


def _apply_unguarded(db: Database, consumer: Consumer, events: list[Event], cap: int) -> Applied | None:
    """A batch consumer's chunk in one transaction without savepoints; None if anything failed (the chunk
    is then applied again, event by event, by the guarded path)."""
    with db.unit_of_work() as uow:
        try:
            saved = _locked_mark(uow.session, consumer.name)
            todo = [ev for ev in events if ev.seq > saved]
            low = max(saved, cap)
            if todo:
                if consumer.many is not None:
                    consumer.many(uow, todo)
                else:
                    for ev in todo:
                        consumer.handler(uow, ev)
                record_consumed(uow.session, consumer.name, [ev.id for ev in todo if ev.seq > low])
            move_mark(uow.session, consumer.name, low)
            uow.commit()
        except OperationalError:
            raise  # the database, not the events: end the round, nothing is marked
        except Exception:
            uow.rollback()
            return None
    return [(ev, Outcome.APPLIED if ev.seq > saved else Outcome.ELSEWHERE) for ev in events], low


def _apply_guarded(
    db: Database, consumer: Consumer, events: list[Event], cap: int, known: frozenset[str]
) -> Applied:
    """Several events in one transaction, each inside its own savepoint with its consumption row, so a
    failing handler or an event applied concurrently elsewhere rolls back only that event; the mark
    stops below the first that failed."""
    out: list[tuple[Event, Outcome]] = []
    with db.unit_of_work() as uow:
        s = uow.session
        saved = _locked_mark(s, consumer.name)
        for ev in events:
            if ev.seq <= saved:
                out.append((ev, Outcome.ELSEWHERE))
                continue
            out.append((ev, _apply_in_savepoint(uow, consumer, ev, known)))
        failed = [ev.seq for ev, outcome in out if outcome is Outcome.FAILED]
        low = max(saved, min([cap, *(seq - 1 for seq in failed)]))
        move_mark(s, consumer.name, low)
        try:
            uow.commit()
        except IntegrityError:
            uow.rollback()  # lost a race at commit time: one transaction per event, the mark left as it was
            return [(ev, _apply_one(db, consumer, ev, again=ev.id in known)) for ev in events], saved
    return out, low


def _apply_in_savepoint(uow: UnitOfWork, consumer: Consumer, ev: Event, known: frozenset[str]) -> Outcome:
    s = uow.session
    callbacks = len(uow._after_commit)
    try:
        with s.begin_nested():
            consumer.handler(uow, ev)
            s.add(EventConsumption(consumer=consumer.name, event_id=ev.id, applied_at=clock.now()))
            s.flush()
            pending.flush_rows(s)  # the event's buffered rows inside its savepoint: a clash fails it alone
        return Outcome.APPLIED
    except IntegrityError:
        del uow._after_commit[callbacks:]
        return Outcome.ELSEWHERE
    except OperationalError:
        raise
    except Exception as exc:
        del uow._after_commit[callbacks:]
        _failure(consumer, ev, exc, again=ev.id in known)
        return Outcome.FAILED


def _apply_one(db: Database, consumer: Consumer, ev: Event, *, again: bool) -> Outcome:
    with db.unit_of_work() as uow:
        try:
            if ev.seq <= _locked_mark(uow.session, consumer.name):
                return Outcome.ELSEWHERE  # another process's mark passed it meanwhile
            consumer.handler(uow, ev)
            uow.session.add(EventConsumption(consumer=consumer.name, event_id=ev.id, applied_at=clock.now()))
            uow.commit()
            return Outcome.APPLIED
        except IntegrityError:
            uow.rollback()
            return Outcome.ELSEWHERE
        except OperationalError:
            raise
        except Exception as exc:
            uow.rollback()
            _failure(consumer, ev, exc, again=again)
            return Outcome.FAILED


def _failure(consumer: Consumer, ev: Event, exc: Exception, *, again: bool) -> None:
    """The first failure of an event with its traceback; the next ones in one line."""
    if again:
        log.warning(
            "consumer_failed_again", consumer=consumer.name, event_id=ev.id, type=ev.type, error=repr(exc)
        )
    else:
        log.error("consumer_failed", consumer=consumer.name, event_id=ev.id, type=ev.type, exc_info=exc)
