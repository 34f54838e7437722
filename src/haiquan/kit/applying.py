"""Applying a chunk of events to one consumer (kit/dispatcher): first in one transaction without
savepoints for a batch consumer (its handlers only write to the database), else, or when that fails, event
by event inside savepoints, so a failing handler or an event another process applied first rolls back only
that event. The consumption rows are written in the same transactions."""

from __future__ import annotations

from enum import Enum

import structlog
from sqlalchemy.exc import IntegrityError, OperationalError

from haiquan.kit import clock
from haiquan.kit.db import Database
from haiquan.kit.outbox import Consumer, Event, record_consumed
from haiquan.kit.tables import EventConsumption

log = structlog.get_logger(__name__)


class Outcome(Enum):
    APPLIED = "applied"
    ELSEWHERE = "elsewhere"  # applied by another process first: done, not counted
    FAILED = "failed"  # the handler raised: stays pending and is tried again on the next pass


def apply_chunk(
    db: Database, consumer: Consumer, events: list[Event], known: frozenset[str] = frozenset()
) -> list[tuple[Event, Outcome]]:
    """`known`: ids of events that failed before (logged again without their traceback)."""
    if consumer.batch and _apply_unguarded(db, consumer, events):
        return [(ev, Outcome.APPLIED) for ev in events]
    return _apply_guarded(db, consumer, events, known)


def _apply_unguarded(db: Database, consumer: Consumer, events: list[Event]) -> bool:
    """A batch consumer's chunk in one transaction without savepoints; False if anything failed (the
    chunk is then applied again, event by event, by the guarded path)."""
    with db.unit_of_work() as uow:
        try:
            if consumer.many is not None:
                consumer.many(uow, events)
            else:
                for ev in events:
                    consumer.handler(uow, ev)
            record_consumed(uow.session, consumer.name, [ev.id for ev in events])
            uow.commit()
            return True
        except OperationalError:
            raise  # the database, not the events: end the round, nothing is marked
        except Exception:
            uow.rollback()
            return False


def _apply_guarded(
    db: Database, consumer: Consumer, events: list[Event], known: frozenset[str]
) -> list[tuple[Event, Outcome]]:
    """Several events in one transaction, each inside its own savepoint, so a failing handler or an event
    applied concurrently elsewhere rolls back only that event."""
    out: list[tuple[Event, Outcome]] = []
    with db.unit_of_work() as uow:
        s = uow.session
        for ev in events:
            callbacks = len(uow._after_commit)
            try:
                with s.begin_nested():
                    consumer.handler(uow, ev)
                    s.add(EventConsumption(consumer=consumer.name, event_id=ev.id, applied_at=clock.now()))
                    s.flush()
                out.append((ev, Outcome.APPLIED))
            except IntegrityError:
                del uow._after_commit[callbacks:]
                out.append((ev, Outcome.ELSEWHERE))
            except OperationalError:
                raise
            except Exception as exc:
                del uow._after_commit[callbacks:]
                _failure(consumer, ev, exc, again=ev.id in known)
                out.append((ev, Outcome.FAILED))
        try:
            uow.commit()
        except IntegrityError:
            uow.rollback()  # lost a race at commit time: one transaction per event
            return [(ev, _apply_one(db, consumer, ev, again=ev.id in known)) for ev in events]
    return out


def _apply_one(db: Database, consumer: Consumer, ev: Event, *, again: bool) -> Outcome:
    with db.unit_of_work() as uow:
        try:
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
