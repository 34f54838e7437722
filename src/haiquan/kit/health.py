"""/healthz: whether this worker can reach its database, answered on the event loop from a probe that
has its own connection and its own thread: never behind the requests waiting for the connection pool or
the worker threads (a saturated worker kept its load balancer waiting 242 s: issue #25), and outside the
admission limit (kit.admission).

The probe (`SELECT 1` on a connection opened for it, closed after) runs at most once per `fresh` seconds;
callers meanwhile share its last answer, and a probe that does not answer within `timeout` seconds makes
the answer 503. The error text goes to the log only, never to the caller."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import Future
from typing import Any

import structlog
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from haiquan.kit import threads

log = structlog.get_logger(__name__)


class HealthProbe:
    def __init__(self, url: Any, dialect: str, *, fresh: float = 1.0, timeout: float = 3.0) -> None:
        args: dict[str, Any] = {"connect_timeout": max(1, int(timeout))} if dialect == "postgresql" else {}
        self.engine = create_engine(url, poolclass=NullPool, connect_args=args)
        self.dialect, self.fresh, self.timeout = dialect, fresh, timeout
        self._pool = threads.executor("hq-healthz", 1)
        self._running: Future[bool] | None = None
        self._last: tuple[float, bool] = (0.0, False)

    def _probe(self) -> bool:
        try:
            with self.engine.connect() as conn:
                if self.dialect == "postgresql":
                    conn.exec_driver_sql(f"SET statement_timeout = {int(self.timeout * 1000)}")
                conn.execute(text("SELECT 1"))
        except Exception as exc:  # the one place where any failure means "unhealthy"
            log.error("healthz.database_unreachable", error=str(exc)[:500], kind=type(exc).__name__)
            return False
        return True

    async def healthy(self) -> bool:
        at, ok = self._last
        if time.monotonic() - at < self.fresh:
            return ok
        if self._running is None or self._running.done():
            self._running = self._pool.submit(self._probe)
        try:
            ok = await asyncio.wait_for(asyncio.wrap_future(self._running), self.timeout)
        except TimeoutError:
            log.error("healthz.database_slow", seconds=self.timeout)
            ok = False
        self._last = (time.monotonic(), ok)
        return ok

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.engine.dispose()


def install(app: FastAPI, probe: HealthProbe) -> None:
    app.state.health = probe

    @app.get("/healthz", tags=["operations"], include_in_schema=False)
    async def healthz() -> JSONResponse:
        if not await probe.healthy():
            return JSONResponse({"status": "unhealthy", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": probe.dialect})
