"""Admission: at most `limit` requests in progress in this worker, up to `queue` more waiting in arrival
order for at most `wait` seconds, and every other request answered at once with 503 and Retry-After.

Without it a burst of reads was handed to the thread pool whole: each read held a database connection,
the pool ran out, callers waited 30 s for one and got a 500, and /healthz queued behind them all (issue
#25: 242 s). Now the work in progress stays within what the connection pool serves (kit.settings checks
db_pool_size + db_max_overflow against admission_limit), the refusal costs microseconds on the event loop,
and the worker serves normally again as soon as the burst stops.

Outside the limit: /healthz and /metrics (answered from their own resources), the officers' static files,
and a server-sent event stream once its headers are sent (it holds no connection while it waits)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque

import structlog
from prometheus_client import Counter, Gauge
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from haiquan.kit.errors import busy_response

log = structlog.get_logger(__name__)

REFUSED = Counter("haiquan_admission_refused_total", "Requests refused with 503 (admission)", ["why"])
IN_PROGRESS = Gauge("haiquan_admission_in_progress", "Requests admitted and not finished")
WAITING = Gauge("haiquan_admission_waiting", "Requests waiting for admission")

UNLIMITED_PATHS = frozenset({"/healthz", "/metrics", "/favicon.ico"})
UNLIMITED_PREFIXES = ("/static/",)


def unlimited(path: str) -> bool:
    """Paths served from memory or from their own resources, never held back by the limits."""
    return path in UNLIMITED_PATHS or path.startswith(UNLIMITED_PREFIXES)


class Gate:
    """The counter and the waiting line; one per worker, used on its event loop only (no lock needed)."""

    def __init__(self, limit: int, queue: int, wait: float) -> None:
        self.limit, self.queue, self.wait = limit, queue, wait
        self.active = 0
        self.waiters: deque[asyncio.Future[None]] = deque()

    async def enter(self) -> str | None:
        """None once admitted, else why not ("full": the line is full, "waited": no place in time)."""
        if self.active < self.limit and not self.waiters:
            self.active += 1
            IN_PROGRESS.inc()
            return None
        if len(self.waiters) >= self.queue:
            return "full"
        place: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiters.append(place)
        WAITING.inc()
        try:
            await asyncio.wait_for(asyncio.shield(place), self.wait)
        except TimeoutError:
            if place.done():  # handed a place just as the wait ran out: take it
                return None
            place.cancel()
            return "waited"
        except asyncio.CancelledError:  # the client went away while waiting
            if place.done() and not place.cancelled():
                self.leave()  # pass the place handed to us on
            place.cancel()
            raise
        finally:
            WAITING.dec()
            if not place.done() or place.cancelled():
                self._forget(place)
        return None

    def leave(self) -> None:
        """Hand the place to the first one still waiting, else free it."""
        while self.waiters:
            nxt = self.waiters.popleft()
            if not nxt.done():
                nxt.set_result(None)
                return
        self.active -= 1
        IN_PROGRESS.dec()

    def _forget(self, place: asyncio.Future[None]) -> None:
        with contextlib.suppress(ValueError):
            self.waiters.remove(place)


class Admission:
    """Plain ASGI middleware (no buffering): the gate around everything inside it."""

    def __init__(
        self, app: ASGIApp, *, limit: int, queue: int, wait: float, retry_after: float = 1.0
    ) -> None:
        self.app = app
        self.gate = Gate(limit, queue, wait)
        self.retry_after = retry_after

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or unlimited(scope["path"]):
            await self.app(scope, receive, send)
            return
        why = await self.gate.enter()
        if why is not None:
            REFUSED.labels(why).inc()
            response = busy_response(
                "the server is busy: send the request again after Retry-After seconds; nothing was done",
                after=self.retry_after,
            )
            await response(scope, receive, send)
            return
        held = [True]

        def release() -> None:
            if held[0]:
                held[0] = False
                self.gate.leave()

        async def send_releasing(message: Message) -> None:
            if message["type"] == "http.response.start" and _event_stream(message):
                release()  # a long-lived stream: it waits on its own, outside the limit
            await send(message)

        try:
            await self.app(scope, receive, send_releasing)
        finally:
            release()


def _event_stream(message: Message) -> bool:
    for name, value in message.get("headers", []):
        if name.lower() == b"content-type":
            return bool(value.lower().startswith(b"text/event-stream"))
    return False
