"""Webhook deliveries, each receiver on its own: one slow or dead receiver delays only its own deliveries.

Before, every due delivery was attempted one after the other in one pass, so a receiver taking the whole
timeout on each of its deliveries held everyone else's back (a trader's notification came 79 s late
behind another trader's slow endpoint: issue #25). Now each round groups the due deliveries by receiver
and hands each receiver's to a pool of `workers` threads; a receiver already being served is skipped
until its thread is done (one attempt in flight per receiver), and a receiver's thread stops at its first
failure (the rest of its due deliveries wait as long as that one's back-off, keeping their order) or when
it has spent `budget` seconds. `tick` returns at once: the duty thread never waits for a receiver.

No transaction is open while a receiver answers: each outcome is written in its own short transaction
after the attempt. The HTTP client has connect and read timeouts (kit.webhooks.client)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import httpx
import structlog
from sqlalchemy import select, update

from haiquan.kit import clock, threads
from haiquan.kit.db import Database, UnitOfWork

log = structlog.get_logger(__name__)

Send = Callable[[UnitOfWork, httpx.Client, Any], int]
OUTCOME = ("attempts", "state", "delivered_at", "last_error", "next_attempt_at")  # kit.webhooks.Delivery


class Receivers:
    def __init__(
        self,
        db: Database,
        table: Any,
        send: Send,
        *,
        receiver: Callable[[Any], str],
        client: Callable[[], httpx.Client],
        workers: int = 4,
        budget: float = 10.0,
        name: str = "hq-deliver",
    ) -> None:
        self.db, self.table, self.send, self.receiver, self.client = db, table, send, receiver, client
        self.budget = budget
        self._pool = threads.executor(name, workers)
        self._workers = workers
        self._busy: set[str] = set()
        self._lock = threading.Lock()

    def tick(self, limit: int = 500) -> list[Future[int]]:
        """Hand the due deliveries of receivers not being served to the pool; return without waiting."""
        due = self._due(limit)
        futures = []
        with self._lock:
            for key, ids in due.items():
                if key in self._busy or len(self._busy) >= self._workers:
                    continue
                self._busy.add(key)
                futures.append(self._pool.submit(self._serve, key, ids))
        return futures

    def deliver_due(self, limit: int = 100) -> int:
        """One round, waited for (the command line, tests): how many deliveries succeeded."""
        return sum(f.result() for f in self.tick(limit))

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _due(self, limit: int) -> dict[str, list[Any]]:
        t = self.table
        with self.db.reading() as uow:
            rows = uow.session.scalars(
                select(t)
                .where(t.state == "pending", t.next_attempt_at <= clock.now())
                .order_by(t.id)
                .limit(limit)
            ).all()
            keys = [(self.receiver(r), r.id) for r in rows]
        due: dict[str, list[Any]] = {}
        for key, row_id in keys:
            due.setdefault(key, []).append(row_id)
        return due

    def _serve(self, key: str, ids: list[Any]) -> int:
        """One receiver's due deliveries in order, until the first failure or the budget is spent."""
        done = 0
        until = time.monotonic() + self.budget
        try:
            with self.client() as http:
                for n, row_id in enumerate(ids):
                    if time.monotonic() > until:
                        break
                    outcome, retry_at = self._one(http, row_id)
                    done += outcome
                    if retry_at is not None:  # the receiver failed: the rest wait as long as this one
                        self._defer(ids[n + 1 :], retry_at)
                        break
        except Exception:
            log.exception("webhook_receiver_failed", receiver=key[:200])
        finally:
            with self._lock:
                self._busy.discard(key)
        return done

    def _one(self, http: httpx.Client, row_id: Any) -> tuple[int, Any]:
        """Attempt one delivery: (1 if delivered, when to try again if it failed and will be retried).
        The row is read and the attempt made outside any transaction (on SQLite a transaction is the
        database's write lock: held during a slow receiver's answer it stopped every other writer); the
        outcome is written after, only if nobody else attempted it meanwhile."""
        with self.db.reading() as uow, uow.session.no_autoflush:
            d = uow.session.get(self.table, row_id)
            if d is None or d.state != "pending":
                return 0, None
            before = d.attempts
            ok = self.send(uow, http, d)
            outcome = {f: getattr(d, f) for f in OUTCOME}
            uow.session.expunge(d)  # the outcome is written below, not by this session
        t = self.table
        with self.db.unit_of_work() as w:
            w.session.execute(
                update(t).where(t.id == row_id, t.state == "pending", t.attempts == before).values(**outcome)
            )
            w.commit()
        retry_at = outcome["next_attempt_at"] if not ok and outcome["state"] == "pending" else None
        return ok, retry_at

    def _defer(self, ids: list[Any], until: Any) -> None:
        if not ids:
            return
        t = self.table
        with self.db.unit_of_work() as uow:
            uow.session.execute(
                update(t)
                .where(t.id.in_(ids), t.state == "pending", t.next_attempt_at < until)
                .values(next_attempt_at=until)
            )
            uow.commit()
