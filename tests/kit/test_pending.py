"""Rows buffered for the commit (kit.pending): written in program order by UnitOfWork.commit(), dropped with a
rolled-back savepoint or transaction, parents before children whatever order they were added in; never read
back while buffered, never lost by a commit that goes around the unit of work."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from haiquan.kit import audit, outbox, pending
from haiquan.kit.db import Database
from haiquan.kit.tables import AuditEntry, OutboxEvent


def _types(db: Database) -> list[str]:
    with db.unit_of_work() as uow:
        return list(uow.session.scalars(select(OutboxEvent.type).order_by(OutboxEvent.seq)))


def test_a_rolled_back_savepoint_drops_what_was_buffered_inside_it(db: Database) -> None:
    with db.unit_of_work() as uow:
        s = uow.session
        outbox.record(s, type="a", unit="01", actor="t", payload={})

        def buffer_then_fail() -> None:
            with s.begin_nested():
                outbox.record(s, type="b", unit="01", actor="t", payload={})
                raise RuntimeError("rolled back")

        with pytest.raises(RuntimeError, match="rolled back"):
            buffer_then_fail()
        with s.begin_nested():
            outbox.record(s, type="c", unit="01", actor="t", payload={})
        outbox.record(s, type="d", unit="01", actor="t", payload={})
        uow.commit()
    assert _types(db) == ["a", "c", "d"]


def test_a_rolled_back_transaction_drops_everything(db: Database) -> None:
    with db.unit_of_work() as uow:
        outbox.record(uow.session, type="a", unit="01", actor="t", payload={})
        uow.session.execute(select(1))
        uow.rollback()
        outbox.record(uow.session, type="b", unit="01", actor="t", payload={})
        uow.commit()
    assert _types(db) == ["b"]


def test_tables_are_written_parents_first() -> None:
    """A history row added before its declaration's row (a batch registering one declaration, then
    lodging another) is still inserted after it: tables go in foreign-key order."""
    from haiquan import models  # noqa: F401
    from haiquan.declarations.events import HISTORY
    from haiquan.declarations.repository import DECLARATIONS, LINES

    assert pending._rank(DECLARATIONS) < pending._rank(HISTORY)
    assert pending._rank(DECLARATIONS) < pending._rank(LINES)


def test_reading_a_table_whose_rows_are_still_buffered_raises(db: Database) -> None:
    """tests/conftest.py turns the check on: the SELECT would not see the event recorded above it."""
    with db.unit_of_work() as uow:
        s = uow.session
        outbox.record(s, type="a", unit="01", actor="t", payload={})
        assert pending.buffered_tables(s) == {"outbox"}
        with pytest.raises(pending.BufferedRead, match="outbox"):
            s.scalars(select(OutboxEvent.type)).all()
        with pytest.raises(pending.BufferedRead, match="outbox"):
            s.execute(update(OutboxEvent).values(unit="02"))
        s.execute(select(AuditEntry.id)).all()  # another table: read as usual
        pending.flush_rows(s)  # written now, in the transaction: read back as it is
        assert list(s.scalars(select(OutboxEvent.type))) == ["a"]
        uow.commit()


def test_a_commit_around_the_unit_of_work_fails_instead_of_dropping_the_rows(db: Database) -> None:
    with db.unit_of_work() as uow:
        outbox.record(uow.session, type="a", unit="01", actor="t", payload={})
        with pytest.raises(pending.BufferedRowsLost):
            uow.session.commit()
    assert _types(db) == []


def test_the_commit_writes_the_rows_then_seals_the_audit_chain(db: Database) -> None:
    """Both as steps of UnitOfWork.commit(): a savepoint's release writes nothing, the commit writes all."""
    with db.unit_of_work() as uow:
        s = uow.session
        with s.begin_nested():
            outbox.record(s, type="a", unit="01", actor="t", payload={})
            audit.append(s, actor="t", action="x", target="t1")
        assert pending.buffered_tables(s) == {"outbox"}
        assert not pending.is_empty(s)
        uow.commit()
        assert pending.is_empty(s)
    assert _types(db) == ["a"]
    with db.unit_of_work() as uow:
        assert audit.verify(uow.session) == (1, None)
