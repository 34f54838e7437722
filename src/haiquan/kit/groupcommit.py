"""Group commit: the changes of many concurrent requests applied in one transaction by one writer thread.

A request validates what it can, then hands its change (a `Work`) to the process's `GroupCommit` and waits.
The writer takes every change queued at that moment (up to `max_batch`), and in one transaction:
1. looks up the batch's idempotency keys in one query (a replay answers with the stored answer, a reused key
   with another body is refused);
2. lets each kind of work prepare for all its changes at once (`prefetch`: numbers from a sequence, the rows
   to change read and locked in one statement, in key order so two writers never deadlock);
3. runs each change (`run`), in arrival order; a refusal (DomainError) rolls back only that change's
   buffered rows (kit.pending marks) and is that request's answer;
4. lets each kind finish for all its applied changes at once (`finish`: updates as one executemany);
5. commits once: one WAL flush and one turn of the audit chain's lock for the whole batch.
Only then are the answers released, so a 201 is always durable. If the batch fails as a whole (a database
error: a deadlock, a key inserted meanwhile by another process), it is rolled back and each change is
applied again alone, so one bad change never costs the others their answer.

The request (api) still owns its change; the writer owns the transaction, as the Dispatcher does for
consumers. Services stay as they are: `run` calls them with the writer's session and they never commit."""

from __future__ import annotations

import asyncio
import queue
import threading
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

import structlog
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from haiquan.kit import idempotency, pending, threads
from haiquan.kit.db import Database
from haiquan.kit.errors import DomainError, ValidationFailed
from haiquan.kit.metrics import GROUP_COMMIT_SECONDS, GROUP_COMMIT_SIZE

log = structlog.get_logger(__name__)


class Work(Protocol):
    """One change. `prefetch` and `finish` are called once per batch with every change of that class."""

    @classmethod
    def prefetch(cls, session: Session, works: Sequence[Any]) -> None: ...

    def run(self, session: Session) -> BaseModel: ...

    @classmethod
    def finish(cls, session: Session, works: Sequence[Any]) -> None: ...


@dataclass(frozen=True)
class Answer:
    status_code: int
    body: bytes
    replay: bool = False


@dataclass(eq=False)
class Change:
    work: Work
    principal: str
    key: str | None = None
    request_hash: str = ""
    status_code: int = 200
    future: Future[Answer] = field(default_factory=Future)
    # queued -> taken (by the writer) | cancelled (by a request that gave up waiting first)
    state: str = "queued"
    outcome: Answer | BaseException | None = None


class WriterUnavailable(DomainError):
    status = 503
    code = "writer_unavailable"


class GroupCommit:
    """One writer thread per process, started at the first change."""

    TIMEOUT: ClassVar[float] = 30.0

    def __init__(self, db: Database, *, max_batch: int = 256, name: str = "hq-group-commit") -> None:
        self.db, self.max_batch, self.name = db, max_batch, name
        self._queue: queue.SimpleQueue[Change | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._state_lock = threading.Lock()

    # ---- the request's side ----------------------------------------------------------------------
    def submit(self, change: Change, timeout: float | None = None) -> Answer:
        """Apply `change` in the next batch and return its answer (or raise its refusal). Blocking."""
        self._enqueue(change)
        try:
            return change.future.result(self.TIMEOUT if timeout is None else timeout)
        except FutureTimeout:
            self._give_up(change)
            return change.future.result()  # taken: its transaction is under way, wait for it

    async def submit_async(self, change: Change, timeout: float | None = None) -> Answer:
        """`submit` for a coroutine: the event loop goes on serving while the change waits for its batch."""
        self._enqueue(change)
        waiter = asyncio.wrap_future(change.future)
        try:
            async with asyncio.timeout(self.TIMEOUT if timeout is None else timeout):
                return await asyncio.shield(waiter)
        except TimeoutError:
            self._give_up(change)
            return await waiter

    def apply_alone(self, change: Change) -> Answer:
        """Apply and commit `change` in its own transaction in the caller's thread, beside the writer: a
        change that takes seconds (a declaration of thousands of lines) would otherwise hold every change
        of its batch, and of the batches queued behind it, that long. Blocking. On SQLite, whose writes
        are serialised, the batches still wait for its transaction; on PostgreSQL they do not."""
        change.state = "taken"
        self.commit_batch([change])
        return change.future.result()

    def _enqueue(self, change: Change) -> None:
        self._ensure_started()
        self._queue.put(change)

    def _give_up(self, change: Change) -> None:
        """The request stops waiting: if the writer has not taken the change yet, it never will."""
        with self._state_lock:
            if change.state == "queued":
                change.state = "cancelled"
                raise WriterUnavailable(
                    "the server is too busy to take this change now; nothing was changed, send it again",
                    field=None,
                )

    def _ensure_started(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threads.start(self._loop, self.name)

    def stop(self, timeout: float = 10.0) -> None:
        thread = self._thread
        if thread is not None and thread.is_alive():
            self._queue.put(None)
            thread.join(timeout)

    # ---- the writer's side -----------------------------------------------------------------------
    def _next_batch(self, first: Change) -> tuple[list[Change], bool]:
        """`first` and whatever else is queued, up to max_batch; True when the stop marker came with them."""
        batch = [first]
        while len(batch) < self.max_batch:
            try:
                nxt = self._queue.get_nowait()
            except queue.Empty:
                break
            if nxt is None:
                return batch, True
            batch.append(nxt)
        return batch, False

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch, stop = self._next_batch(first)
            try:
                self._take_and_commit(batch)
            except BaseException as exc:  # never leave a request waiting for an answer that cannot come
                log.exception("group_commit.failed", size=len(batch))
                for change in batch:
                    if change.state == "taken" and not change.future.done():
                        change.future.set_exception(exc)
                if not isinstance(exc, Exception):
                    raise
            if stop:
                return

    def _take_and_commit(self, batch: list[Change]) -> None:
        with self._state_lock:
            taken = [c for c in batch if c.state == "queued"]
            for c in taken:
                c.state = "taken"
        if taken:
            GROUP_COMMIT_SIZE.observe(len(taken))
            with GROUP_COMMIT_SECONDS.time():
                self.commit_batch(taken)

    def commit_batch(self, batch: list[Change], *, again: bool = True) -> None:
        """Apply and commit `batch` in one transaction (the writer thread; tests call it directly), then
        release each change's answer or refusal."""
        try:
            with self.db.unit_of_work() as uow:
                apply(uow.session, batch)
                uow.commit()
        except Exception as exc:
            if len(batch) > 1:
                log.info("group_commit.retry_alone", size=len(batch), error=str(exc)[:200])
                for change in batch:
                    self.commit_batch([change])
                return
            if again and batch[0].key is not None and isinstance(exc, IntegrityError):
                # another process (a second worker) committed the same Idempotency-Key meanwhile: applied
                # again, the change finds that answer and replays it (issue #25: a 500 in retry storms)
                log.info("group_commit.key_committed_meanwhile", error=str(exc)[:200])
                self.commit_batch(batch, again=False)
                return
            batch[0].outcome = exc
        for change in batch:
            outcome = change.outcome
            if isinstance(outcome, Answer):
                change.future.set_result(outcome)
            else:
                change.future.set_exception(outcome or RuntimeError("change not applied"))


def apply(session: Session, batch: list[Change]) -> None:
    """Apply a batch in the caller's transaction, setting each change's outcome (not committing)."""
    stored = idempotency.lookup_many(session, [(c.principal, c.key) for c in batch if c.key is not None])
    todo = [c for c in batch if not _replayed(c, stored)]
    kinds: dict[type[Work], list[Change]] = defaultdict(list)
    for c in todo:
        kinds[type(c.work)].append(c)
    for cls, changes in kinds.items():
        cls.prefetch(session, [c.work for c in changes])
    for c in todo:
        if c.key is not None and _replayed(c, stored):  # the same key twice in one batch
            continue
        at = pending.mark(session)
        try:
            body = c.work.run(session).model_dump_json().encode()
        except DomainError as exc:
            pending.rollback_to(session, at)
            c.outcome = exc
            continue
        c.outcome = Answer(c.status_code, body)
        if c.key is not None:
            idempotency.remember_raw(
                session,
                principal=c.principal,
                key=c.key,
                req_hash=c.request_hash,
                status_code=c.status_code,
                body=body.decode(),
            )
            stored[(c.principal, c.key)] = idempotency.Stored(c.status_code, body, c.request_hash)
    for cls, changes in kinds.items():
        cls.finish(session, [c.work for c in changes if isinstance(c.outcome, Answer)])


def _replayed(c: Change, stored: dict[tuple[str, str], idempotency.Stored]) -> bool:
    if c.key is None:
        return False
    found = stored.get((c.principal, c.key))
    if found is None:
        return False
    if found.request_hash != c.request_hash:
        c.outcome = ValidationFailed(
            "this Idempotency-Key was already used with another request body",
            field="Idempotency-Key",
            code="idempotency_key_reused",
        )
    else:
        c.outcome = Answer(found.status_code, found.raw, replay=True)
    return True
