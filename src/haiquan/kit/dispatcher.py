"""The in-process dispatcher: applies outbox events to the registered consumers, each event at most once
per consumer (what a consumer applied is recorded in its own transaction: kit/applying).

Each pass reads the outbox once for every consumer: the rows above a high-water mark kept in memory, plus
the sequence numbers it saw skipped ("holes": a transaction that took a number and has not committed yet,
or one that rolled back). A hole is looked for again on every pass until it appears or `settle` has
passed. An idle node costs one small query per pass and a busy one a few queries per chunk, whatever the
number of consumers.

Every consumer's low-water mark (everything at or below it is applied or not wanted) moves with each chunk
it applies, in the chunk's transaction, as far as no hole, failed event or later chunk holds it back; the
events applied above it get a consumption row. It is also saved now and then for the consumers that took
nothing (the mark passes events they do not want). A restart reads the outbox from the marks and skips,
by their consumption rows, the events above them it had applied already."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

import structlog
from sqlalchemy import func, select

from haiquan.kit import threads
from haiquan.kit.applying import Outcome, apply_chunk, ensure_marks, move_mark
from haiquan.kit.backlog import Pacer
from haiquan.kit.db import Database, among
from haiquan.kit.leader import Leadership
from haiquan.kit.outbox import Consumer, Event, select_events
from haiquan.kit.tables import ConsumerCursor, EventConsumption, OutboxEvent

log = structlog.get_logger(__name__)

IN_LIST = 500  # ids per IN (...) list
RETRY_MAX = 300.0  # seconds between tries of an event its consumer keeps failing
MAX_GAP = 50_000  # more numbers skipped at once than transactions could hold: not tracked as holes


class _Stopped(Exception):
    """stop() was asked in the middle of a round."""


@dataclass
class _State:
    """What the dispatcher knows of one consumer between passes."""

    low: int  # everything at or below is applied or not wanted (as saved)
    retry: dict[int, Event] = field(default_factory=dict)  # failed events by seq
    attempts: dict[int, int] = field(default_factory=dict)  # failures so far, by seq
    due: dict[int, float] = field(default_factory=dict)  # monotonic time of the next try, by seq

    def failed(self, ev: Event) -> None:
        """Tried again after 1, 2, 4 ... seconds, at most every RETRY_MAX (a poison event does not spin)."""
        n = self.attempts.get(ev.seq, 0) + 1
        self.retry[ev.seq], self.attempts[ev.seq] = ev, n
        self.due[ev.seq] = time.monotonic() + min(RETRY_MAX, 2.0 ** (n - 1))

    def done(self, ev: Event) -> None:
        self.attempts.pop(ev.seq, None)
        self.due.pop(ev.seq, None)


@dataclass
class Dispatcher:
    """Applies outbox events to registered consumers, in sequence order, each event once per consumer."""

    db: Database
    consumers: list[Consumer] = field(default_factory=list)
    batch: int = 1000  # outbox rows read per round
    chunk: int = 1000  # events applied per transaction (200 spent a third of the time committing)
    settle: timedelta = timedelta(seconds=30)  # how long a skipped sequence number is looked for
    save_every: float = 2.0  # seconds between saves of the low-water marks
    pacer: Pacer | None = None  # the thread's rounds give way to a link draining a backlog (kit/backlog)
    _mark: int | None = None  # the highest sequence number read
    _before: int | None = None  # leading: the highest sequence number when the marks were read (_done)
    _holes: dict[int, float] = field(default_factory=dict)  # seq -> monotonic time first missed
    _states: dict[str, _State] = field(default_factory=dict)
    _saved_at: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _wake: threading.Event = field(default_factory=threading.Event)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _stopping: threading.Event | None = None
    _leading: Leadership | None = None  # the thread's, when it runs under one

    def register(self, consumer: Consumer) -> None:
        self.consumers.append(consumer)
        self._mark = None  # read the saved marks again, the new consumer's included

    def wake(self) -> None:
        self._wake.set()

    def run_once(self) -> int:
        """Apply everything committed so far, including the events the consumers record while applying
        (a payment clears a declaration); failed events are tried once more. Returns the applications."""
        return self._run(None)

    def _run(self, stop: threading.Event | None) -> int:
        """A pass; with `stop` (the thread's), given up between chunks once it is set."""
        with self._lock:
            self._stopping = stop
            try:
                return self._drain()
            except _Stopped:
                self._mark = None
                return 0
            except Exception:
                self._mark = None  # read again from the saved marks; consumption rows prevent doubles
                raise

    def _drain(self) -> int:
        self._start()
        applied = 0
        retry = True
        while retry or not (self._stopping and self._stopping.is_set()):
            pacer = self.pacer if self._stopping is not None else None  # the thread's rounds only
            if pacer is not None and self._stopping is not None:
                pacer.round(self._stopping)
            events = self._read()
            applied += self._deliver(events, retry=retry)
            if pacer is not None:
                pacer.ended()
            retry = False
            self._save_marks(force=False)
            if not events:
                break
        return applied

    # reading the outbox -------------------------------------------------------------------------------

    def _start(self) -> None:
        if self._mark is not None:
            return
        with self.db.unit_of_work() as uow:
            ensure_marks(uow.session, [c.name for c in self.consumers])  # a chunk locks its consumer's row
            saved = {c.consumer: c.low_seq for c in uow.session.scalars(select(ConsumerCursor))}
            self._before = None
            if self._stopping is not None and self._leading is not None:  # the thread, holding leadership
                self._before = int(uow.session.scalar(select(func.max(OutboxEvent.seq))) or 0)
            uow.commit()
        for consumer in self.consumers:
            state = self._states.get(consumer.name)
            low = saved.get(consumer.name, 0)
            if state is None:
                self._states[consumer.name] = _State(low=low)
            elif state.low < low:
                state.low = low  # what it is retrying and when stays as it was
        lows = [self._states[c.name].low for c in self.consumers]
        self._mark = min(lows) if lows else 0
        self._holes.clear()

    def _read(self) -> list[Event]:
        """The rows committed above the mark, and those that filled a hole, in sequence order."""
        assert self._mark is not None
        with self.db.unit_of_work() as uow:
            s = uow.session
            q = select_events().where(OutboxEvent.seq > self._mark).order_by(OutboxEvent.seq)
            conn = s.connection()  # Core rows, one fetch: the ORM's loading added a tenth
            rows = list(conn.execute(q.limit(self.batch)).all())
            holes = sorted(self._holes)
            for i in range(0, len(holes), IN_LIST):
                rows += conn.execute(select_events().where(OutboxEvent.seq.in_(holes[i : i + IN_LIST])))
            events = [Event.from_columns(r) for r in rows]
            uow.rollback()
        now = time.monotonic()
        for ev in events:
            self._holes.pop(ev.seq, None)
        expected = self._mark + 1
        for ev in events:
            if ev.seq > self._mark:
                if ev.seq - expected > MAX_GAP:  # not transactions in flight: a sequence moved on (restore)
                    log.warning("outbox_sequence_jump", after=self._mark, to=ev.seq)
                else:
                    for missing in range(expected, ev.seq):
                        self._holes[missing] = now
                expected = ev.seq + 1
                self._mark = ev.seq
        horizon = now - self.settle.total_seconds()
        for seq in [s for s, first in self._holes.items() if first < horizon]:
            del self._holes[seq]  # rolled back, or longer than any transaction may take
        events.sort(key=lambda e: e.seq)
        return events

    # applying ---------------------------------------------------------------------------------------

    def _deliver(self, events: list[Event], *, retry: bool) -> int:
        todo = self._todo(events, retry=retry)
        if not todo:
            return 0
        done = self._done(todo)
        applied = 0
        below = self._below_holes()
        for consumer in self.consumers:
            mine = [e for e in todo.get(consumer.name, []) if e.id not in done[consumer.name]]
            applied += self._apply_consumer(consumer, mine, below)
        return applied

    def _todo(self, events: list[Event], *, retry: bool) -> dict[str, list[Event]]:
        """Per consumer, the events it wants of these (and, on a retrying pass, its failed ones now due)."""
        todo: dict[str, list[Event]] = {}
        kinds = {e.type for e in events}
        for consumer in self.consumers:
            state = self._states[consumer.name]
            wanted = {t for t in kinds if consumer.wants(t)}  # once per type, not per event
            skip_federated, skip_local = consumer.local_only, consumer.federated_only
            mine = [
                e
                for e in events
                if e.type in wanted
                and e.seq > state.low
                and not (skip_federated and e.origin is not None)
                and not (skip_local and e.origin is None)
            ]
            fresh = {e.seq for e in mine}
            for seq in fresh & state.retry.keys():  # read again (after a restart of the pass): taken now
                del state.retry[seq]
            if retry and state.retry:
                # a pass of the thread tries the events whose time has come; run_once() tries them all
                now, manual = time.monotonic(), self._stopping is None
                again = [seq for seq in state.retry if manual or state.due.get(seq, 0.0) <= now]
                mine += [state.retry.pop(seq) for seq in again]
                mine.sort(key=lambda e: e.seq)
            if mine:
                todo[consumer.name] = mine
        return todo

    def _apply_consumer(self, consumer: Consumer, mine: list[Event], below: int) -> int:
        """Apply a consumer's events chunk by chunk, moving its mark; how many were applied."""
        applied = 0
        state = self._states[consumer.name]
        for i in range(0, len(mine), self.chunk):
            if self._stopping is not None and self._stopping.is_set():
                raise _Stopped  # part of the round undelivered: the mark must not be saved past it
            part, rest = mine[i : i + self.chunk], mine[i + self.chunk : i + self.chunk + 1]
            # the consumer's mark may pass this chunk, not a hole, a failed event, nor the next chunk
            cap = min([below, *(seq - 1 for seq in state.retry), *(e.seq - 1 for e in rest)])
            known = frozenset(e.id for e in part if e.seq in state.attempts)
            outcomes, low = self._apply_chunk(consumer, part, cap, known)
            state.low = max(state.low, low)
            for ev, outcome in outcomes:
                if outcome is Outcome.FAILED:
                    state.failed(ev)
                    continue
                state.done(ev)
                applied += outcome is Outcome.APPLIED
        return applied

    def _done(self, todo: dict[str, list[Event]]) -> dict[str, set[str]]:
        """Per consumer, which of its events are applied already (before a restart, or by another worker
        process): one query for the round, by the consumption table's primary key. The thread holding
        leadership looks only for events committed before it read its marks: no other dispatcher runs
        meanwhile, and this one delivers an event once; were another to apply one anyway (a lease
        overlapping), the consumption row's primary key refuses the second (event by event: `ELSEWHERE`)."""
        done: dict[str, set[str]] = {name: set() for name in todo}
        before = self._before
        ids = sorted({e.id for v in todo.values() for e in v if before is None or e.seq <= before})
        if not ids:
            return done
        pg = self.db.dialect == "postgresql"  # one array parameter for them all; elsewhere IN lists
        chunks = [ids] if pg else [ids[i : i + IN_LIST] for i in range(0, len(ids), IN_LIST)]
        with self.db.unit_of_work() as uow:
            for chunk in chunks:
                q = select(EventConsumption.consumer, EventConsumption.event_id).where(
                    EventConsumption.consumer.in_(sorted(todo)),
                    among(uow.session, EventConsumption.event_id, chunk),
                )
                for name, event_id in uow.session.execute(q):
                    done[name].add(event_id)
            uow.rollback()
        return done

    def _apply_chunk(
        self, consumer: Consumer, events: list[Event], cap: int, known: frozenset[str] = frozenset()
    ) -> tuple[list[tuple[Event, Outcome]], int]:
        return apply_chunk(self.db, consumer, events, cap, known)

    # low-water marks --------------------------------------------------------------------------------

    def _below_holes(self) -> int:
        """The highest sequence number below which every event has been read (none is missing)."""
        assert self._mark is not None
        return min(self._holes) - 1 if self._holes else self._mark

    def _save_marks(self, *, force: bool) -> None:
        now = time.monotonic()
        if self._mark is None or (not force and now - self._saved_at < self.save_every):
            return
        self._saved_at = now
        below_holes = self._below_holes()
        changed = {}
        for name, state in self._states.items():
            low = min([below_holes, *(seq - 1 for seq in state.retry)])
            if low > state.low:
                changed[name] = low
        if not changed:
            return
        with self.db.unit_of_work() as uow:  # as a chunk moves its consumer's mark: only ever up
            ensure_marks(uow.session, changed)
            for name, low in changed.items():
                move_mark(uow.session, name, low)
            uow.commit()
        for name, low in changed.items():
            self._states[name].low = low

    # the thread -------------------------------------------------------------------------------------

    def start(self, interval: float, leadership: Leadership | None = None) -> None:
        """Run passes in a thread, every `interval` seconds or when woken. With `leadership`, only while
        this process holds it (one dispatcher per database; the others stand by)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._leading = leadership

        def loop() -> None:
            while not self._stop.is_set():
                if leadership is not None and not leadership.held():
                    self._mark = None  # read the saved marks again once leading
                    self._stop.wait(max(interval * 4, 1.0))
                    continue
                try:
                    self._run(self._stop)
                except Exception:
                    log.exception("dispatcher_loop_failed")
                self._wake.wait(interval)
                self._wake.clear()
            if leadership is not None:
                leadership.release()

        self._thread = threads.start(loop, "hq-dispatcher")

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        if not self._lock.acquire(timeout=5):
            return  # a pass still running (a slow database): its marks were saved as it went
        try:
            self._save_marks(force=True)
        except Exception:
            log.exception("dispatcher_save_failed")
        finally:
            self._lock.release()
