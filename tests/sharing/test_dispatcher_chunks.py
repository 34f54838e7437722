"""The Dispatcher applies events in chunks: a failing handler rolls back only its event, which stays
pending and is applied once it succeeds; batch consumers fall back to one event at a time."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from haiquan.kit import audit, outbox
from haiquan.kit.db import Database, UnitOfWork
from haiquan.kit.dispatcher import Dispatcher
from haiquan.kit.outbox import Consumer, Event
from haiquan.kit.tables import AuditEntry, EventConsumption
from tests.support import unrecorded


def _record(db: Database, n: int) -> list[str]:
    with db.unit_of_work() as uow:
        ids = [
            outbox.record(uow.session, type="declaration.lodged", unit="01B1", actor="t", payload={"i": i})
            for i in range(n)
        ]
        uow.commit()
    return ids


def _done(db: Database) -> Counter[str]:
    with db.unit_of_work() as uow:
        return Counter(
            uow.session.scalars(select(AuditEntry.target).where(AuditEntry.action == "done")).all()
        )


@pytest.mark.parametrize("batch", [False, True])
def test_a_failing_event_does_not_hold_back_the_others(db: Database, batch: bool) -> None:
    ids = _record(db, 5)
    broken = {ids[2]}

    def handler(uow: UnitOfWork, ev: Event) -> None:
        audit.append(uow.session, actor="t", action="done", target=ev.id)  # rolled back if the event fails
        if ev.id in broken:
            raise RuntimeError("boom")

    d = Dispatcher(db)
    d.register(Consumer("t.chunks", frozenset({"declaration.lodged"}), handler, batch=batch))
    assert d.run_once() == 4
    assert _done(db) == Counter({i: 1 for i in ids if i not in broken})
    with db.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(EventConsumption)) == 4
    broken.clear()
    assert d.run_once() == 1  # retried
    assert d.run_once() == 0
    assert _done(db) == Counter({i: 1 for i in ids})  # every event applied exactly once
    with db.unit_of_work() as uow:
        assert audit.verify(uow.session)[1] is None


def test_a_chunk_handler_takes_the_chunk_at_once_and_falls_back_to_one_event_at_a_time(db: Database) -> None:
    ids = _record(db, 7)
    broken = {ids[4]}
    chunks: list[int] = []

    def one(uow: UnitOfWork, ev: Event) -> None:
        audit.append(uow.session, actor="t", action="done", target=ev.id)
        if ev.id in broken:
            raise RuntimeError("boom")

    def many(uow: UnitOfWork, events: list[Event]) -> None:
        chunks.append(len(events))
        for ev in events:
            one(uow, ev)

    d = Dispatcher(db, chunk=3)
    d.register(Consumer("t.many", frozenset({"declaration.lodged"}), one, many=many))
    assert d.run_once() == 6
    assert chunks == [3, 3, 1]  # the chunk with the broken event is then applied one event at a time
    assert _done(db) == Counter({i: 1 for i in ids if i not in broken})
    broken.clear()
    assert d.run_once() == 1
    assert _done(db) == Counter({i: 1 for i in ids})
    assert unrecorded(db, "t.many", ids) == []
    with db.unit_of_work() as uow:  # rows only where the mark could not pass: after the broken event
        assert uow.session.scalar(select(func.count()).select_from(EventConsumption)) == 3
