"""While a link drains a backlog the dispatcher keeps to a share of the time, and is never stopped."""

from __future__ import annotations

import threading
import time

from haiquan.kit.backlog import Busy, Pacer
from haiquan.kit.db import Database
from haiquan.kit.dispatcher import Dispatcher
from haiquan.kit.outbox import Consumer, record


def test_busy_lasts_hold_seconds_after_the_last_mark() -> None:
    busy = Busy(hold=0.05)
    assert not busy()
    busy.mark()
    assert busy()
    time.sleep(0.06)
    assert not busy()


def test_a_pacer_waits_only_while_busy_and_in_proportion_to_the_round() -> None:
    stop, busy = threading.Event(), Busy(hold=10)
    pacer = Pacer(busy, share=0.2, longest=2.0)
    pacer.round(stop)  # nothing busy: at once
    time.sleep(0.05)  # a round of 50 ms
    pacer.ended()
    t = time.monotonic()
    pacer.round(stop)
    assert time.monotonic() - t < 0.02  # not busy: the next round at once
    time.sleep(0.05)
    pacer.ended()
    busy.mark()
    t = time.monotonic()
    pacer.round(stop)  # busy: four times the round (a fifth of the time)
    assert 0.15 <= time.monotonic() - t < 0.5
    pacer.ended()
    stop.set()
    t = time.monotonic()
    pacer.round(stop)  # stopping: at once
    assert time.monotonic() - t < 0.02


def test_a_pacer_waits_at_most_longest() -> None:
    busy = Busy(hold=10)
    busy.mark()
    pacer = Pacer(busy, share=0.01, longest=0.1)
    pacer.round(threading.Event())
    time.sleep(0.05)  # would mean a wait of ~5 s at a hundredth of the time
    pacer.ended()
    t = time.monotonic()
    pacer.round(threading.Event())
    assert time.monotonic() - t < 0.3


def test_the_dispatcher_goes_on_while_busy_and_run_once_is_never_paced(db: Database) -> None:
    seen: list[str] = []
    busy = Busy(hold=60)
    busy.mark()
    d = Dispatcher(db, pacer=Pacer(busy, longest=0.2), batch=5)
    d.register(Consumer("t.seen", frozenset({"t.happened"}), lambda uow, e: seen.append(e.id)))

    def put(n: int) -> None:
        with db.unit_of_work() as uow:
            for i in range(n):
                record(uow.session, type="t.happened", unit="01", actor="t", payload={"i": i})
            uow.commit()

    put(12)
    t = time.monotonic()
    assert d.run_once() == 12  # tests and the CLI: no pacing
    assert time.monotonic() - t < 1.0
    put(12)
    d.start(interval=0.05)
    try:
        deadline = time.monotonic() + 10
        while len(seen) < 24 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        d.stop()
    assert len(seen) == 24  # the thread, paced (rounds of 5 at most every 0.2 s), still applied them all
