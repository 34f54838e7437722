"""The dispatcher reads the outbox once per pass for every consumer, above a mark kept in memory: events
that commit out of sequence order (holes) are still applied, a restart resumes from the saved marks without
applying anything twice, two dispatchers on one database apply each event once, and an idle pass costs one
query whatever the number of consumers."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from haiquan.kit import outbox
from haiquan.kit.db import Database, UnitOfWork
from haiquan.kit.dispatcher import Dispatcher
from haiquan.kit.outbox import Consumer, Event
from haiquan.kit.tables import ConsumerCursor, EventConsumption, OutboxEvent
from tests.support import unrecorded


def _put(db: Database, *seqs: int, type: str = "declaration.lodged") -> None:
    """Outbox rows with the given sequence numbers (as transactions that took them would leave them)."""
    with db.unit_of_work() as uow:
        rows = [
            {**outbox.row_for(type=type, unit="01B1", actor="t", payload={"n": seq}), "seq": seq}
            for seq in seqs
        ]
        outbox.record_many(uow.session, rows)
        uow.commit()


class Seen:
    def __init__(self) -> None:
        self.counts: Counter[int] = Counter()

    def __call__(self, uow: UnitOfWork, ev: Event) -> None:
        self.counts[ev.payload["n"]] += 1


def _dispatcher(db: Database, seen: Seen, *, batch: bool = False, **kw: Any) -> Dispatcher:
    d = Dispatcher(db, **kw)
    d.register(Consumer("t.seen", frozenset({"declaration.lodged"}), seen, batch=batch))
    d.register(Consumer("t.other", frozenset({"payment.received"}), Seen()))
    return d


def test_an_event_committed_after_a_later_one_is_still_applied(db: Database) -> None:
    seen = Seen()
    d = _dispatcher(db, seen)
    _put(db, 1, 3)  # 2 is taken by a transaction that has not committed yet
    assert d.run_once() == 2
    _put(db, 2)
    assert d.run_once() == 1
    assert d.run_once() == 0
    assert seen.counts == Counter({1: 1, 2: 1, 3: 1})


def test_a_hole_is_given_up_after_settle_and_the_mark_saved_past_it(db: Database) -> None:
    seen = Seen()
    d = _dispatcher(db, seen, settle=timedelta(seconds=0), save_every=0.0)
    _put(db, 1, 3)
    d.run_once()
    d.run_once()  # the hole at 2 is older than settle: a rolled-back transaction
    with db.unit_of_work() as uow:
        lows = {c.consumer: c.low_seq for c in uow.session.scalars(select(ConsumerCursor))}
    assert lows == {"t.seen": 3, "t.other": 3}


def test_a_restart_resumes_from_the_saved_marks_without_doubles(db: Database) -> None:
    seen = Seen()
    first = _dispatcher(db, seen, save_every=3600)  # the marks are not saved before the "crash"
    _put(db, 1, 2, 3)
    assert first.run_once() == 3
    _put(db, 4, 5)
    again = _dispatcher(db, seen)
    assert again.run_once() == 2  # 1-3 found applied: the mark was saved with them
    again.stop()  # saves the marks
    _put(db, 6)
    third = _dispatcher(db, seen)
    assert third.run_once() == 1
    assert seen.counts == Counter({n: 1 for n in range(1, 7)})


def test_two_dispatchers_on_one_database_apply_each_event_once(db: Database) -> None:
    seen = Seen()
    one, two = _dispatcher(db, seen, batch=True), _dispatcher(db, seen, batch=True)
    _put(db, *range(1, 41))
    one.run_once()
    two.run_once()
    _put(db, *range(41, 61))
    two.run_once()
    one.run_once()
    assert seen.counts == Counter({n: 1 for n in range(1, 61)})
    with db.unit_of_work() as uow:
        ids = list(uow.session.scalars(select(OutboxEvent.id)))
        rows = uow.session.scalar(select(func.count()).select_from(EventConsumption))
    assert len(ids) == 60
    assert unrecorded(db, "t.seen", ids) == []
    # each chunk moved the mark past its events in its own transaction: no consumption row was needed
    assert rows == 0


def test_rows_are_kept_only_above_the_mark_a_hole_holds_back(db: Database) -> None:
    seen = Seen()
    d = _dispatcher(db, seen, batch=True)
    _put(db, 1, 2, 4, 5)  # 3 is taken by a transaction that has not committed yet
    assert d.run_once() == 4
    with db.unit_of_work() as uow:
        consumed = {
            uow.session.scalar(select(OutboxEvent.seq).where(OutboxEvent.id == r.event_id))
            for r in uow.session.scalars(select(EventConsumption))
        }
        ids = list(uow.session.scalars(select(OutboxEvent.id)))
    assert consumed == {4, 5}  # above the hole: the mark stays at 2
    assert unrecorded(db, "t.seen", ids) == []
    again = _dispatcher(db, seen, batch=True)  # a restart: reads from 2, skips 4 and 5 by their rows
    _put(db, 3)
    assert again.run_once() == 1
    assert seen.counts == Counter({1: 1, 2: 1, 3: 1, 4: 1, 5: 1})


def test_a_chunk_skips_what_another_dispatchers_mark_has_passed(db: Database) -> None:
    seen = Seen()
    slow, quick = _dispatcher(db, seen, batch=True), _dispatcher(db, seen, batch=True)
    _put(db, 1, 2, 3)
    slow._start()
    events = slow._read()  # read, not applied yet: as a dispatcher whose lease ran out mid-round
    assert quick.run_once() == 3  # applied, the mark at 3, no consumption rows
    assert slow._deliver(events, retry=False) == 0  # its chunk found the mark past them: skipped
    assert seen.counts == Counter({1: 1, 2: 1, 3: 1})


@contextmanager
def _statements(db: Database) -> Iterator[list[str]]:
    sent: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_an_idle_pass_costs_one_query_whatever_the_number_of_consumers(db: Database) -> None:
    d = Dispatcher(db)
    for i in range(12):
        d.register(Consumer(f"t.c{i}", frozenset({"declaration.lodged"}), Seen()))
    _put(db, 1)
    assert d.run_once() == 12
    with _statements(db) as sent:
        assert d.run_once() == 0
    selects = [s for s in sent if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1, sent


def test_a_sequence_jump_is_not_tracked_number_by_number(db: Database) -> None:
    seen = Seen()
    d = _dispatcher(db, seen)
    _put(db, 1, 1_000_000)  # e.g. a sequence set forward after a restore
    assert d.run_once() == 2
    assert len(d._holes) == 0
    _put(db, 1_000_001)
    assert d.run_once() == 1


def test_stop_in_the_middle_of_a_pass_loses_and_doubles_nothing(db: Database) -> None:
    seen = Seen()

    def slow(uow: UnitOfWork, ev: Event) -> None:
        seen(uow, ev)
        time.sleep(0.005)

    d = Dispatcher(db, chunk=10, save_every=0.0)
    d.register(Consumer("t.slow", frozenset({"declaration.lodged"}), slow))
    _put(db, *range(1, 301))
    d.start(0.05)
    time.sleep(0.4)  # some chunks applied, the pass not finished
    t0 = time.monotonic()
    d.stop()
    assert time.monotonic() - t0 < 5
    assert 0 < sum(seen.counts.values()) < 300
    again = Dispatcher(db)
    again.register(Consumer("t.slow", frozenset({"declaration.lodged"}), seen))
    again.run_once()
    assert seen.counts == Counter({n: 1 for n in range(1, 301)})


def test_a_database_error_ends_the_pass_instead_of_failing_every_event(db: Database) -> None:
    seen = Seen()
    down = {"yes": True}

    def handler(uow: UnitOfWork, ev: Event) -> None:
        if down["yes"]:
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))
        seen(uow, ev)

    d = Dispatcher(db)
    d.register(Consumer("t.db", frozenset({"declaration.lodged"}), handler))
    _put(db, *range(1, 51))
    with pytest.raises(OperationalError):
        d.run_once()
    down["yes"] = False
    assert d.run_once() == 50
    assert seen.counts == Counter({n: 1 for n in range(1, 51)})


def test_an_event_that_keeps_failing_is_tried_less_and_less_often(db: Database) -> None:
    calls: Counter[int] = Counter()

    def poison(uow: UnitOfWork, ev: Event) -> None:
        calls[ev.payload["n"]] += 1
        if ev.payload["n"] == 2:
            raise RuntimeError("cannot apply this one")

    d = Dispatcher(db)
    d.register(Consumer("t.poison", frozenset({"declaration.lodged"}), poison))
    _put(db, 1, 2, 3)
    stop = threading.Event()
    for _ in range(20):  # twenty passes of the thread within a second
        d._run(stop)
    assert calls[2] == 2  # one failing pass (the chunk, then the event alone); next try after 1 s
    with db.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(EventConsumption)) == 2  # 1 and 3
    assert d.run_once() == 0
    assert calls[2] == 4
