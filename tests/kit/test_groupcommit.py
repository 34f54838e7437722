"""Group commit: changes of many requests in one transaction. A refused change leaves nothing and costs the
others nothing; a batch the database rejects is applied again change by change; idempotency keys are
answered across and within batches; a request that gives up waiting is never applied later."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, cast

import pytest
from pydantic import BaseModel
from sqlalchemy import Table, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from haiquan.kit import idempotency, outbox, pending
from haiquan.kit.db import Database
from haiquan.kit.errors import Conflict, ValidationFailed
from haiquan.kit.groupcommit import Answer, Change, GroupCommit, WriterUnavailable
from haiquan.kit.tables import IdempotencyRecord, OutboxEvent, SequenceCounter

COUNTERS = cast(Table, SequenceCounter.__table__)


class Out(BaseModel):
    n: int
    batch: int


@dataclass(eq=False)
class Note:
    """Records an event; refuses when asked; `dup` writes a row that breaks the commit. While `hold` is
    set, a batch waits for it in prefetch (`entered` says one is there): the others queue up behind it."""

    n: int
    refuse: bool = False
    dup: bool = False
    batch_size: int = 0
    batches: ClassVar[list[int]] = []
    finished: ClassVar[list[int]] = []
    hold: ClassVar[threading.Event | None] = None
    entered: ClassVar[threading.Event] = threading.Event()

    @classmethod
    def prefetch(cls, session: Session, works: Sequence[Note]) -> None:
        cls.entered.set()
        if cls.hold is not None:
            cls.hold.wait(5)
        cls.batches.append(len(works))
        for w in works:
            w.batch_size = len(works)

    def run(self, session: Session) -> Out:
        outbox.record(session, type="test.noted", unit="01", actor="t", payload={"n": self.n})
        if self.dup:
            pending.add(session, COUNTERS, {"name": "dup", "value": 1})
            pending.add(session, COUNTERS, {"name": "dup", "value": 2})
        if self.refuse:
            raise Conflict(f"{self.n} refused", field="n")
        return Out(n=self.n, batch=self.batch_size)

    @classmethod
    def finish(cls, session: Session, works: Sequence[Note]) -> None:
        cls.finished.extend(w.n for w in works)


def noted(db: Database) -> list[int]:
    with db.unit_of_work() as uow:
        rows = uow.session.scalars(select(OutboxEvent.payload).order_by(OutboxEvent.seq)).all()
    return [int(p["n"]) for p in rows]


def outcome(change: Change) -> Any:
    try:
        return change.future.result(5)
    except Exception as exc:
        return exc


@pytest.fixture(autouse=True)
def _reset() -> None:
    Note.batches.clear()
    Note.finished.clear()
    Note.hold, Note.entered = None, threading.Event()


def test_a_refused_change_leaves_nothing_and_the_others_commit_together(db: Database) -> None:
    gc = GroupCommit(db)
    batch = [Change(Note(i, refuse=i == 2), "enterprise:a") for i in range(1, 5)]
    gc.commit_batch(batch)
    answers = [outcome(c) for c in batch]
    assert isinstance(answers[1], Conflict)
    assert [a.status_code for a in answers if isinstance(a, Answer)] == [200, 200, 200]
    assert noted(db) == [1, 3, 4]  # in arrival order, nothing of the refused one
    assert Note.batches == [4]
    assert Note.finished == [1, 3, 4]


def test_a_batch_the_database_rejects_is_applied_again_change_by_change(db: Database) -> None:
    gc = GroupCommit(db)
    batch = [Change(Note(i, dup=i == 3), "enterprise:a") for i in range(1, 5)]
    gc.commit_batch(batch)
    answers = [outcome(c) for c in batch]
    assert isinstance(answers[2], IntegrityError)
    assert [type(a) for a in answers] == [Answer, Answer, IntegrityError, Answer]
    assert noted(db) == [1, 2, 4]
    assert Note.batches == [4, 1, 1, 1, 1]  # the whole batch once, then each alone


def test_idempotency_keys_within_and_across_batches(db: Database) -> None:
    gc = GroupCommit(db)
    first = [
        Change(Note(1), "enterprise:a", key="k1", request_hash="h1"),
        Change(Note(2), "enterprise:a", key="k1", request_hash="h1"),  # the same request sent twice at once
        Change(Note(3), "enterprise:b", key="k1", request_hash="h3"),  # another caller's key
    ]
    gc.commit_batch(first)
    a, b, c = (outcome(x) for x in first)
    assert not a.replay
    assert b.replay
    assert b.body == a.body
    assert not c.replay
    later = [
        Change(Note(4), "enterprise:a", key="k1", request_hash="h1"),
        Change(Note(5), "enterprise:a", key="k1", request_hash="other body"),
    ]
    gc.commit_batch(later)
    replay, reused = (outcome(x) for x in later)
    assert replay.replay
    assert replay.body == a.body
    assert isinstance(reused, ValidationFailed)
    assert reused.code == "idempotency_key_reused"
    assert noted(db) == [1, 3]
    with db.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 2


def test_concurrent_requests_share_transactions(db: Database) -> None:
    gc = GroupCommit(db)
    gate = Note.hold = threading.Event()
    try:
        results: list[Any] = []
        threads = [
            threading.Thread(target=lambda i=i: results.append(gc.submit(Change(Note(i), "enterprise:a"))))
            for i in range(20)
        ]
        for t in threads:
            t.start()
        gate.set()
        for t in threads:
            t.join(10)
    finally:
        gc.stop()
    assert sorted(noted(db)) == list(range(20))
    assert len(Note.batches) < 20
    assert sum(Note.batches) == 20


def test_a_request_that_gave_up_waiting_is_never_applied(db: Database) -> None:
    gc = GroupCommit(db)
    gate, inside = Note.hold, Note.entered = threading.Event(), threading.Event()
    try:
        busy = threading.Thread(target=lambda: gc.submit(Change(Note(1), "enterprise:a")))
        busy.start()
        assert inside.wait(5)  # the writer is busy with the first change; the next one waits in the queue
        with pytest.raises(WriterUnavailable) as refused:
            gc.submit(Change(Note(2), "enterprise:a"), timeout=0.3)
        assert refused.value.status == 503
        gate.set()
        busy.join(5)
        gc.submit(Change(Note(3), "enterprise:a"))
    finally:
        gc.stop()
    assert noted(db) == [1, 3]


def test_an_unexpected_failure_still_answers_every_request(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    gc = GroupCommit(db)

    def broken(batch: list[Change]) -> None:
        raise RuntimeError("bug in the writer")

    monkeypatch.setattr(gc, "commit_batch", broken)
    with pytest.raises(RuntimeError, match="bug in the writer"):
        gc.submit(Change(Note(1), "enterprise:a"), timeout=5)
    monkeypatch.undo()
    assert gc.submit(Change(Note(2), "enterprise:a"), timeout=5).status_code == 200  # the writer goes on
    gc.stop()
    assert noted(db) == [2]


@dataclass(eq=False)
class Raced(Note):
    """While its batch runs, another process's writer commits the same Idempotency-Key first (two uvicorn
    workers in a retry storm: issue #25, `make reliability`)."""

    rival: Database | None = None

    def run(self, session: Session) -> Out:
        out = super().run(session)
        assert self.rival is not None
        with self.rival.unit_of_work() as uow:
            idempotency.remember_raw(
                uow.session, principal="enterprise:a", key="k", req_hash="h", status_code=201, body=RIVAL
            )
            uow.commit()
        return out


RIVAL = '{"n": 0, "batch": 1}'


def test_a_key_another_process_committed_meanwhile_is_answered_as_its_replay(
    pg_database: Database,
) -> None:
    """Alone in its batch, the change fails on the key at commit: it is applied again, finds the other
    process's answer and replays it (it was a 500 before)."""
    from tests.conftest import reset_postgres

    reset_postgres(pg_database)
    gc = GroupCommit(pg_database)
    change = Change(Raced(1, rival=pg_database), "enterprise:a", key="k", request_hash="h", status_code=201)
    gc.commit_batch([change])
    answer = outcome(change)
    assert isinstance(answer, Answer), answer
    assert answer.replay
    assert answer.body == RIVAL.encode()
    assert noted(pg_database) == []  # nothing of the change itself: one effect, the other process's
