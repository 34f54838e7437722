"""The database of one process and the unit of work, whose `commit()` is the one write path: the caller
(request, consumer, CLI) owns the transaction, services never commit.

The column types, the declarative base, ids and statement helpers live in kit.sql (kit.pending and
kit.audit, which the commit calls, build on them); they are importable from here too, where most modules
look for them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session, sessionmaker

from haiquan.kit import audit, pending
from haiquan.kit.sql import (
    Base,
    JSONType,
    Money,
    PoolLimits,
    TextArray,
    UTCDateTime,
    add_up,
    among,
    id_column_type,
    insert_for,
    make_engine,
    new_id,
    pg_array,
    pipelined,
    plain,
)

__all__ = [
    "Base",
    "Database",
    "JSONType",
    "Money",
    "PoolLimits",
    "TextArray",
    "UTCDateTime",
    "UnitOfWork",
    "add_up",
    "among",
    "id_column_type",
    "insert_for",
    "make_engine",
    "new_id",
    "pg_array",
    "pipelined",
    "plain",
]


class Database:
    """Holds the engine and the session factory for one process."""

    def __init__(self, url: str, *, echo: bool = False, pool: PoolLimits | None = None) -> None:
        self.url = url
        self.pool = pool or PoolLimits()
        self.engine = make_engine(url, echo=echo, pool=self.pool)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=True)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def create_all(self) -> None:
        from haiquan import models  # noqa: F401  (registers every table)

        Base.metadata.create_all(self.engine)

    @contextmanager
    def unit_of_work(self) -> Iterator[UnitOfWork]:
        uow = UnitOfWork(self.sessions())
        try:
            yield uow
        finally:
            uow.close()

    @contextmanager
    def reading(self) -> Iterator[UnitOfWork]:
        """A unit of work for answers that change nothing: each statement sees the latest committed data
        on its own (autocommit), so no BEGIN and no ROLLBACK travel to the server and, on SQLite, no write
        lock is taken. For look-ups a terminal makes per truck; never for a change."""
        uow = UnitOfWork(self.sessions())
        uow.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        try:
            yield uow
        finally:
            uow.close()

    def dispose(self) -> None:
        self.engine.dispose()


class UnitOfWork:
    """One transaction. Services add to the session; only the owner (request, consumer, CLI) commits."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._after_commit: list[Callable[..., object]] = []

    def commit(self) -> None:
        """Commit, in named steps:
        1. flush the ORM's own changes (objects added to or changed in the session);
        2. write the rows and statements buffered for the commit (kit.pending), and
        3. take the audit chain's lock and read its tail (kit.audit), on PostgreSQL in one pipeline with
           step 2 (one round trip);
        4. chain and insert the transaction's audit entries;
        5. COMMIT, then run the after-commit callbacks (only now is the change durable)."""
        session = self.session
        session.flush()
        entries = pending.take_audit(session)
        if entries or not pending.is_empty(session):  # else no pipeline: leaving one costs a round trip
            with pipelined(session) as raw:
                pending.flush_rows(session)
                tail = audit.lock_tail(session, raw) if entries else None
            if tail is not None:
                audit.seal(session, entries, tail)
        session.commit()
        callbacks, self._after_commit = self._after_commit, []
        for cb in callbacks:
            cb()

    def rollback(self) -> None:
        self.session.rollback()
        self._after_commit.clear()

    def after_commit(self, callback: Callable[..., object]) -> None:
        self._after_commit.append(callback)

    def close(self) -> None:
        if self.session.in_transaction():
            self.session.rollback()
        self.session.close()
