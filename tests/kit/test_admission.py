"""Admission (kit.admission), the connection pool's bound (kit.db.PoolLimits → 503) and /healthz on its own
probe (kit.health): in process, on SQLite and PostgreSQL. The same under a real burst: test_overload_server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from haiquan.kit.admission import Admission, Gate
from haiquan.kit.db import Database, PoolLimits
from haiquan.kit.settings import Settings
from tests.support import build_world


def test_the_gate_admits_up_to_its_limit_queues_in_order_and_refuses_the_rest() -> None:
    async def scenario() -> list[Any]:
        gate = Gate(limit=2, queue=2, wait=0.3)
        assert await gate.enter() is None
        assert await gate.enter() is None
        third = asyncio.ensure_future(gate.enter())  # waits
        fourth = asyncio.ensure_future(gate.enter())  # waits
        await asyncio.sleep(0.01)
        fifth = await gate.enter()  # the line is full: refused at once
        gate.leave()  # one done: its place goes to the first waiting
        third_got = await third
        fourth_got = await fourth  # nobody leaves again: its wait runs out
        gate.leave()
        gate.leave()
        return [fifth, third_got, fourth_got, gate.active, len(gate.waiters)]

    assert asyncio.run(scenario()) == ["full", None, "waited", 0, 0]


def test_a_client_that_leaves_while_waiting_gives_up_its_place() -> None:
    async def scenario() -> tuple[int, int]:
        gate = Gate(limit=1, queue=5, wait=5)
        await gate.enter()
        waiting = asyncio.ensure_future(gate.enter())
        await asyncio.sleep(0.01)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        gate.leave()
        return gate.active, len(gate.waiters)

    assert asyncio.run(scenario()) == (0, 0)


def test_a_saturated_worker_answers_503_with_retry_after_and_healthz_still_answers() -> None:
    """Requests beyond the limit and the line are refused at once; /healthz is outside the limit."""
    release = asyncio.Event()

    async def slow(scope: Any, receive: Any, send: Any) -> None:
        if scope["path"] == "/healthz":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})
            return
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"done"})

    app = Admission(slow, limit=1, queue=1, wait=0.2)

    async def call(path: str) -> tuple[int, dict[str, str]]:
        sent: list[Any] = []

        async def receive() -> Any:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Any) -> None:
            sent.append(message)

        scope = {"type": "http", "path": path, "method": "GET", "headers": []}
        await app(scope, receive, send)
        start = sent[0]
        return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}

    async def scenario() -> list[Any]:
        first = asyncio.ensure_future(call("/api/v1/declarations"))  # holds the one place
        await asyncio.sleep(0.01)
        second = asyncio.ensure_future(call("/api/v1/declarations"))  # waits 0.2 s, then 503
        await asyncio.sleep(0.01)
        third = await call("/api/v1/declarations")  # the line is full: 503 at once
        health = await call("/healthz")
        waited = await second
        release.set()
        return [third, health[0], waited, (await first)[0]]

    third, health, waited, first = asyncio.run(scenario())
    for status, headers in (third, waited):
        assert status == 503
        assert headers["retry-after"] == "1"
        assert headers["content-type"] == "application/problem+json"
    assert health == 200
    assert first == 200


@pytest.fixture
def tight(db: Database, tmp_path: Path) -> Iterator[tuple[Any, Database]]:
    """An application whose pool has one connection and waits 0.2 s for it."""
    from haiquan.app import create_app
    from haiquan.organization import service as org
    from haiquan.tariff import service as tariff_service

    small = Database(db.url, pool=PoolLimits(size=1, overflow=0, timeout=0.2))
    org.TREES.invalidate()
    tariff_service.invalidate()
    settings = Settings(data_dir=tmp_path, secret_key="t" * 40, run_dispatcher=False)
    yield create_app(settings, small), small
    small.dispose()


def test_an_exhausted_connection_pool_answers_503_not_500_and_healthz_answers(
    tight: tuple[Any, Database],
) -> None:
    app, small = tight
    with TestClient(app, raise_server_exceptions=False) as client:
        world = build_world(app, client)
        who = world.ent("0100109106")
        assert client.get("/api/v1/me", headers=who).status_code == 200
        held = small.engine.connect()  # every connection of the worker is taken
        try:
            started = time.perf_counter()
            r = client.get("/api/v1/declarations", headers=who)
            assert r.status_code == 503, r.text
            assert r.headers["retry-after"] == "1"
            assert r.json()["code"] == "busy"
            assert r.headers["content-type"].startswith("application/problem+json")
            assert time.perf_counter() - started < 5  # the pool's short timeout, never 30 s
            health = client.get("/healthz")  # its own connection, not the pool's
            assert health.status_code == 200
            assert health.json()["status"] == "ok"
        finally:
            held.close()
        assert client.get("/api/v1/declarations", headers=who).status_code == 200  # at once again


def test_the_pool_must_fit_the_admission_limit() -> None:
    with pytest.raises(ValueError, match="admission_limit"):
        Settings(admission_limit=64, db_pool_size=10, db_max_overflow=10)
    Settings(admission_limit=64, db_pool_size=40, db_max_overflow=40)
