"""The sources (client addresses) each officer logged in from, shared by every worker through the database
(table `login_known_sources`, decision 0019 amended): the login throttle (kit.logins) lets a known
(username, source) through an address blocked for spraying or an account guarded against a distributed
attack, whichever worker saw the officer's earlier login.

Written (one upsert) on each successful login; read (one row by primary key) only when an attempt would
otherwise be refused for its address or its account, never on the common path. Entries older than
REMEMBER_GOOD are ignored, and deleted by a successful login at most once per `PRUNE_EVERY` per worker (one
statement on the index of `last_success_at`). Only a correct password adds a row: an attacker cannot grow
the table."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import cast

import structlog
from sqlalchemy import Table, delete, select

from haiquan.kit import clock
from haiquan.kit.db import Database
from haiquan.kit.sql import insert_for
from haiquan.kit.tables import LoginKnownSource

log = structlog.get_logger(__name__)

REMEMBER_GOOD = 30 * 86400.0  # a source an officer logged in from stays known this long
PRUNE_EVERY = 3600.0  # seconds between two deletions of the forgotten entries, per worker
_TABLE = cast(Table, LoginKnownSource.__table__)


class KnownSources:
    def __init__(self, db: Database, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.db, self.monotonic = db, monotonic
        self._pruned_at: float | None = None
        self._lock = threading.Lock()

    def remember(self, username: str, source: str) -> None:
        """A successful login of `username` from `source` (upserted with the time now)."""
        at = clock.now()
        with self.db.unit_of_work() as uow:
            stmt = insert_for(uow.session, _TABLE).values(
                username=username, source=source, last_success_at=at
            )
            uow.session.execute(
                stmt.on_conflict_do_update(
                    index_elements=["username", "source"], set_={"last_success_at": at}
                )
            )
            if self._prune_due():
                uow.session.execute(delete(_TABLE).where(_TABLE.c.last_success_at < _oldest(at)))
            uow.commit()

    def age(self, username: str, source: str) -> float | None:
        """Seconds since `username` last logged in from `source` (on any worker), or None when it has not
        within REMEMBER_GOOD."""
        with self.db.reading() as uow:
            at = uow.session.scalar(
                select(_TABLE.c.last_success_at).where(
                    _TABLE.c.username == username, _TABLE.c.source == source
                )
            )
        if at is None:
            return None
        age = (clock.now() - at).total_seconds()
        return max(age, 0.0) if age < REMEMBER_GOOD else None

    def _prune_due(self) -> bool:
        t = self.monotonic()
        with self._lock:
            if self._pruned_at is not None and t - self._pruned_at < PRUNE_EVERY:
                return False
            self._pruned_at = t
            return True


def _oldest(now: datetime) -> datetime:
    return now - timedelta(seconds=REMEMBER_GOOD)
