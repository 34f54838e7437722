"""Request bodies are read within a deadline: the whole body within `total` seconds of the request's
arrival and no pause longer than `idle` seconds between two of its parts, else 408 and the connection is
closed. uvicorn waits for a body as long as the client likes, so a client dribbling a byte now and then
held a worker's request (and, behind kit.admission, one of its places) for ever.

The body is read here, in front of admission and the routes (as kit.inbound and the JSON routes read it
anyway, up to inbound.LIMIT bytes): a slow sender waits outside the admission limit and never holds a
database connection. A larger body is handed on as it comes, under the same deadline."""

from __future__ import annotations

import asyncio
import time

from prometheus_client import Counter
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from haiquan.kit.errors import problem_response
from haiquan.kit.inbound import LIMIT

TIMED_OUT = Counter("haiquan_request_body_timeouts_total", "Request bodies not received in time (408)")


class BodyTimeout(HTTPException):
    """The client did not send the body in time (an HTTPException: FastAPI's own body parsing, which
    turns other errors into a 400, passes it on as it is)."""

    def __init__(self) -> None:
        super().__init__(408, "the request body did not arrive in time: nothing was done")


def _has_body(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        name = name.lower()
        if name == b"content-length":
            return value.strip() not in (b"0", b"")
        if name == b"transfer-encoding":
            return True
    return False


class Deadline:
    """The receive side of one request under its deadline."""

    def __init__(self, receive: Receive, total: float, idle: float) -> None:
        self.receive, self.idle = receive, idle
        self.until = time.monotonic() + total
        self.done = False

    async def next(self) -> Message:
        if self.done:
            return await self.receive()  # after the body: http.disconnect, waited for without a limit
        left = min(self.idle, self.until - time.monotonic())
        if left <= 0:
            raise BodyTimeout
        try:
            message = await asyncio.wait_for(self.receive(), left)
        except TimeoutError as exc:
            raise BodyTimeout from exc
        if message["type"] != "http.request" or not message.get("more_body", False):
            self.done = True
        return message

    async def read(self) -> tuple[bytes, bool, bool]:
        """Up to LIMIT bytes: (body, more to come, client gone)."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await self.next()
            if message["type"] != "http.request":
                return b"".join(chunks), False, True
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), False, False
            if size > LIMIT:
                return b"".join(chunks), True, False


class BodyDeadline:
    def __init__(self, app: ASGIApp, *, total: float, idle: float) -> None:
        self.app, self.total, self.idle = app, total, idle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _has_body(scope):
            await self.app(scope, receive, send)
            return
        deadline = Deadline(receive, self.total, self.idle)
        started = [False]

        async def send_tracked(message: Message) -> None:
            if message["type"] == "http.response.start":
                started[0] = True
            await send(message)

        try:
            body, more, gone = await deadline.read()
            if gone:
                return  # the client left before sending its body: nobody to answer
            await self.app(scope, _replay(body, more, deadline), send_tracked)
        except BodyTimeout:
            TIMED_OUT.inc()
            if started[0]:
                raise
            response = problem_response(
                408,
                "request_timeout",
                f"the request body did not arrive within {self.total:g} s "
                f"(or paused longer than {self.idle:g} s): nothing was done",
                headers={"Connection": "close"},
            )
            await response(scope, receive, send)


def _replay(body: bytes, more: bool, deadline: Deadline) -> Receive:
    sent = [False]

    async def again() -> Message:
        if not sent[0]:
            sent[0] = True
            return {"type": "http.request", "body": body, "more_body": more}
        return await deadline.next()

    return again
