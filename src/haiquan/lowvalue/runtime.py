"""The low-value path's own resources in a worker (decision 0024): a writer and queue of its own (a second
kit.groupcommit instance, so a bulk of 5,000 never sits in the commercial writer's batch), its own admission
limit (kit.admission's gate: bulks in progress and waiting), its own connections (an engine and pool of its
own on PostgreSQL, with its tables in a schema of their own with HAIQUAN_LOWVALUE_SCHEMA), and, on workers that
serve only low-value traffic, a lower CPU priority (HAIQUAN_LOWVALUE_NICE) so that the commercial workers on
the same cores go first: the worker's own process and, where the database runs on the same host and the
worker may renice them, the PostgreSQL server processes of its own connections (the COPY of a bulk and its
index upkeep run there, not in the worker)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import structlog
from sqlalchemy import event
from sqlalchemy.orm import Session

from haiquan.kit.admission import Gate
from haiquan.kit.db import Database, PoolLimits
from haiquan.kit.groupcommit import GroupCommit
from haiquan.kit.settings import Settings
from haiquan.lowvalue.domain import Thresholds

log = structlog.get_logger(__name__)

# the bulk routes, whose items are checked one by one (a NUL in one item rejects that item only)
BULKS = ("/api/v1/lowvalue/express-manifests", "/api/v1/lowvalue/postal-dispatches")

Watched = Callable[[Session], Mapping[str, frozenset[str]]]


class LowValue:
    def __init__(self, settings: Settings, main: Database, watched: Watched) -> None:
        self.settings, self.main, self.watched = settings, main, watched
        self.db = _database(settings, main)
        # a bulk is up to 5,000 parcels: a few per transaction keep a batch's commit short
        self.writer = GroupCommit(self.db, max_batch=4, name="hq-lowvalue-writer")
        s = settings
        self.gate = Gate(
            s.lowvalue_admission_limit, s.lowvalue_admission_queue, s.lowvalue_admission_wait_seconds
        )
        self.thresholds = Thresholds(
            Decimal(s.lowvalue_mic_threshold_vnd), Decimal(s.lowvalue_mec_threshold_vnd)
        )

    def start(self) -> None:
        if self.settings.lowvalue_nice:
            os.nice(self.settings.lowvalue_nice)
            log.info("lowvalue.niced", by=self.settings.lowvalue_nice)

    def stop(self) -> None:
        self.writer.stop()
        if self.db is not self.main:
            self.db.dispose()


def _database(settings: Settings, main: Database) -> Database:
    """The main database's own object on SQLite (one writer at a time there: a second engine would only
    wait on the same lock), else an engine and pool of their own, whose connections look for tables in
    HAIQUAN_LOWVALUE_SCHEMA first (the low-value tables moved there), then in public (the outbox, audit
    and numbering the low-value path shares with the rest)."""
    if main.dialect == "sqlite":
        return main
    pool = PoolLimits(
        size=settings.lowvalue_db_pool_size,
        overflow=0,
        timeout=settings.db_pool_timeout_seconds,
        statement_timeout_ms=settings.db_statement_timeout_ms,
    )
    db = Database(main.url, pool=pool)
    if settings.lowvalue_nice and settings.lowvalue_serve:
        _nice_backends(db, settings.lowvalue_nice)
    schema = settings.lowvalue_schema
    if schema:

        @event.listens_for(db.engine, "connect")
        def _search_path(dbapi_conn: Any, _record: Any) -> None:
            with dbapi_conn.cursor() as cur:
                cur.execute(f"SET search_path TO {schema}, public")  # checked: a plain identifier
            dbapi_conn.commit()

    return db


LOCAL_HOSTS = frozenset({None, "", "localhost", "127.0.0.1", "::1"})


def _nice_backends(db: Database, by: int) -> None:
    """Each new connection's server process lowered by `by` (setpriority), when the database is on this
    host (a unix socket or loopback) and this process may do so (root, CAP_SYS_NICE or PostgreSQL's own
    user); else one log line and the connections run at the server's priority."""
    if db.engine.url.host not in LOCAL_HOSTS:
        return
    refused: list[bool] = []

    @event.listens_for(db.engine, "connect")
    def _lower(dbapi_conn: Any, _record: Any) -> None:
        if refused:
            return
        with dbapi_conn.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            pid = int(cur.fetchone()[0])
        dbapi_conn.commit()
        try:
            os.setpriority(os.PRIO_PROCESS, pid, max(os.getpriority(os.PRIO_PROCESS, pid), by))
        except OSError as exc:
            refused.append(True)
            log.warning("lowvalue.backend_not_niced", reason=str(exc))
