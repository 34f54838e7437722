"""Rows buffered for the commit (kit.pending): written in program order at commit, dropped with a rolled-back
savepoint or transaction, and parents before children whatever order they were added in."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from haiquan.kit import outbox, pending
from haiquan.kit.db import Database
from haiquan.kit.tables import OutboxEvent


def _types(db: Database) -> list[str]:
    with db.unit_of_work() as uow:
        return list(uow.session.scalars(select(OutboxEvent.type).order_by(OutboxEvent.seq)))


def test_a_rolled_back_savepoint_drops_what_was_buffered_inside_it(db: Database) -> None:
    with db.unit_of_work() as uow:
        s = uow.session
        outbox.record(s, type="a", unit="01", actor="t", payload={})
        with pytest.raises(RuntimeError), s.begin_nested():
            outbox.record(s, type="b", unit="01", actor="t", payload={})
            raise RuntimeError
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
