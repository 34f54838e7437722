"""A request body that does not arrive in time is answered 408 and the connection closed (kit.bodies):
uvicorn itself waits for a body as long as the client likes. Over a real socket: test_overload_server."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from haiquan.kit.bodies import BodyDeadline


async def _echo(scope: Any, receive: Any, send: Any) -> None:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


def _run(
    parts: list[tuple[float, bytes, bool]], *, total: float = 0.5, idle: float = 0.3
) -> tuple[Any, bytes]:
    """Send `parts` (pause before, bytes, more to come) to the echo app behind the deadline."""
    app = BodyDeadline(_echo, total=total, idle=idle)
    sent: list[Any] = []
    queue = list(parts)

    async def receive() -> Any:
        if not queue:
            await asyncio.sleep(3600)  # a client that stops sending
        pause, chunk, more = queue.pop(0)
        await asyncio.sleep(pause)
        return {"type": "http.request", "body": chunk, "more_body": more}

    async def send(message: Any) -> None:
        sent.append(message)

    headers = [(b"content-length", b"100")]
    scope = {"type": "http", "method": "POST", "path": "/api/v1/declarations", "headers": headers}

    async def bounded() -> None:
        await asyncio.wait_for(app(scope, receive, send), 5)

    asyncio.run(bounded())
    return sent[0], b"".join(m.get("body", b"") for m in sent[1:])


def test_a_body_that_stops_arriving_is_answered_408_and_the_connection_closed() -> None:
    start, body = _run([(0, b"x" * 10, True)])  # then nothing: the idle limit
    assert start["status"] == 408
    headers = dict(start["headers"])
    assert headers[b"content-type"] == b"application/problem+json"
    assert headers[b"connection"] == b"close"
    assert json.loads(body)["code"] == "request_timeout"


def test_a_body_dribbled_under_the_idle_limit_still_meets_the_total_deadline() -> None:
    start, _ = _run([(0.2, b"x", True)] * 10, total=0.5, idle=0.3)
    assert start["status"] == 408


def test_a_body_sent_in_time_reaches_the_route_whole() -> None:
    start, body = _run([(0, b"a" * 50, True), (0.05, b"b" * 50, False)])
    assert start["status"] == 200
    assert body == b"a" * 50 + b"b" * 50
