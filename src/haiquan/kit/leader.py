"""One process per database runs a background duty (the outbox dispatcher) when several serve the same node
(uvicorn workers, a second host): the others stand by and take over when the holder goes away.

This saves work, it does not guard correctness: consumers apply each event once whatever the number of
dispatchers (consumption rows). PostgreSQL: a session advisory lock on a connection kept for the purpose
(released by the server when that connection or process dies). SQLite: an exclusive lock on a file beside
the database (released by the operating system when the process dies)."""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import structlog
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from haiquan.kit import threads
from haiquan.kit.db import Database

log = structlog.get_logger(__name__)


def _key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class Leadership:
    def __init__(self, db: Database, name: str) -> None:
        self.db = db
        self.name = name
        self._conn: Any = None
        self._holding = False  # PostgreSQL: the advisory lock is held on _conn
        self._file: IO[bytes] | None = None

    def held(self) -> bool:
        """True while this process holds the duty; tries to take it when it does not."""
        try:
            if self.db.dialect == "postgresql":
                return self._pg()
            return self._file_lock()
        except Exception:
            log.warning("leadership_check_failed", duty=self.name, exc_info=True)
            self.release()
            return False

    def _pg(self) -> bool:
        if self._conn is None:
            # its own connection, never returned to a pool where the lock would outlive the duty; kept while
            # standing by too (a worker per duty asking every second would otherwise open a session each time)
            engine = create_engine(self.db.engine.url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
            self._conn = engine.connect()
        if not self._holding:
            got = self._conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _key(self.name)}).scalar()
            if not got:
                return False
            self._holding = True
            log.info("leadership_taken", duty=self.name, pid=os.getpid())
            return True
        self._conn.execute(text("SELECT 1"))  # a lost connection lost the lock too: raise, release, retry
        return True

    def _file_lock(self) -> bool:
        if self._file is not None:
            return True
        database = self.db.engine.url.database
        path = Path(database + f".{self.name}.lock") if database and database != ":memory:" else None
        if path is None:
            return True  # an in-memory database has one process by definition
        f = path.open("wb")
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.close()
            return False
        self._file = f
        log.info("leadership_taken", duty=self.name, pid=os.getpid())
        return True

    def release(self) -> None:
        self._holding = False
        if self._conn is not None:
            try:
                self._conn.close()  # the server releases the advisory lock with the session
            except Exception:
                log.debug("leadership_close_failed", duty=self.name, exc_info=True)
            self._conn = None
        if self._file is not None:
            self._file.close()
            self._file = None


def run_duty(
    name: str, interval: float, tick: Callable[[], Any], stop: threading.Event, leadership: Leadership | None
) -> threading.Thread:
    """A daemon thread calling `tick` every `interval` seconds until `stop` is set; with `leadership`, only
    while this process holds it (released when the thread ends)."""

    def loop() -> None:
        while not stop.wait(interval):
            if leadership is not None and not leadership.held():
                continue
            try:
                tick()
            except Exception:
                log.exception("duty_failed", duty=name)
        if leadership is not None:
            leadership.release()

    return threads.start(loop, f"hq-{name}")
