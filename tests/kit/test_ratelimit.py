"""Per-caller rate limits (kit.ratelimit): 429 with Retry-After per principal and per source address, a
made-up credential never gets a bucket of its own, every refusal audited per source and minute, memory
bounded; anonymous refusals audited per source and minute too (kit.refusals)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from haiquan.kit.db import Database
from haiquan.kit.ratelimit import Buckets, Rate
from haiquan.kit.settings import Settings
from haiquan.kit.tables import AuditEntry
from tests.support import World, build_world


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_a_bucket_gives_its_burst_then_its_rate_and_says_how_long_to_wait() -> None:
    clock = FakeClock()
    buckets = Buckets(cap=100, now=clock)
    rate = Rate(per_second=2, burst=3)
    assert [buckets.take("k", rate) for _ in range(3)] == [0, 0, 0]
    assert buckets.take("k", rate) == pytest.approx(0.5)  # one token comes every 0.5 s
    clock.t += 0.5
    assert buckets.take("k", rate) == 0
    assert buckets.take("other", rate) == 0  # buckets are per key
    clock.t += 60
    assert [buckets.take("k", rate) for _ in range(4)][-1] > 0  # refilled to the burst, never beyond


def test_memory_is_bounded_by_the_number_of_keys() -> None:
    buckets = Buckets(cap=100, now=FakeClock())
    for n in range(10_000):
        buckets.take(f"10.0.{n // 256}.{n % 256}", Rate(1, 1))
    assert len(buckets._b) == 100


@pytest.fixture
def limited(db: Database, tmp_path: Path) -> Iterator[tuple[Any, TestClient, World]]:
    from haiquan.app import create_app
    from haiquan.organization import service as org
    from haiquan.tariff import service as tariff_service

    org.TREES.invalidate()
    tariff_service.invalidate()
    settings = Settings(
        data_dir=tmp_path, secret_key="r" * 40, run_dispatcher=False,
        rate_read_per_second=0.1, rate_read_burst=5, rate_write_per_second=0.1, rate_write_burst=2,
        rate_anonymous_per_second=0.1, rate_anonymous_burst=30,
    )  # fmt: skip
    app = create_app(settings, db)
    with TestClient(app) as client:
        yield app, client, build_world(app, client)


def _audit(app: Any, action: str) -> list[tuple[str, str, dict[str, Any]]]:
    with app.state.db.unit_of_work() as uow:
        rows = uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
        ).all()
        return [(r.actor, r.outcome, dict(r.detail)) for r in rows]


def test_a_caller_past_its_reads_gets_429_with_retry_after_and_others_are_served(
    limited: tuple[Any, TestClient, World],
) -> None:
    app, client, world = limited
    trader, other = world.ent("0100109106"), world.ent("0101248141")
    # the key's first request is counted on the address (the key is not known yet), then 5 on the key
    answers = [client.get("/api/v1/me", headers=trader).status_code for _ in range(7)]
    assert answers == [200] * 6 + [429]
    r = client.get("/api/v1/declarations", headers=trader)
    assert r.status_code == 429
    assert r.json()["code"] == "rate_limited"
    assert r.headers["content-type"].startswith("application/problem+json")
    assert 1 <= int(r.headers["retry-after"]) <= 10  # one token every 10 s
    assert client.get("/api/v1/me", headers=other).status_code == 200  # another caller: its own bucket
    # writes are counted apart from reads
    lodged = client.post("/api/v1/declarations", json={}, headers=trader)
    assert lodged.status_code == 422
    assert client.get("/healthz").status_code == 200  # never limited
    app.state.refusals.flush(everything=True)
    throttled = _audit(app, "access.throttled")
    assert [(a, o) for a, o, _ in throttled] == [("enterprise:0100109106", "refused")] * 2
    assert throttled[0][2]["client"] == "testclient"
    assert throttled[1][2]["more"] == 1


def test_made_up_credentials_share_the_address_bucket(limited: tuple[Any, TestClient, World]) -> None:
    """Unknown or wrong credentials count on the source address: a fresh made-up key per request does
    not get a fresh bucket."""
    _, client, _ = limited
    answers = [
        client.get("/api/v1/me", headers={"Authorization": f"Bearer hq_{n:012x}_nope"}).status_code
        for n in range(40)
    ]
    assert answers.count(401) >= 20
    assert answers[-1] == 429
    elsewhere = TestClient(client.app, client=("10.1.2.3", 4000))  # another address: its own bucket
    assert elsewhere.get("/api/v1/me").status_code == 401


@pytest.fixture
def open_app(db: Database, tmp_path: Path) -> Iterator[tuple[Any, TestClient]]:
    from haiquan.app import create_app

    settings = Settings(
        data_dir=tmp_path, secret_key="o" * 40, run_dispatcher=False, rate_anonymous_burst=500
    )
    app = create_app(settings, db)
    with TestClient(app) as client:
        yield app, client


def test_a_flood_of_anonymous_refusals_writes_two_audit_entries_a_minute(
    open_app: tuple[Any, TestClient],
) -> None:
    app, client = open_app
    for _ in range(200):
        assert client.get("/api/v1/me").status_code == 401
    assert len(_audit(app, "access.refused")) == 1  # the first, in full, at once
    app.state.refusals.flush(everything=True)  # the minute is over (or the worker stops)
    refused = _audit(app, "access.refused")
    assert [(a, o) for a, o, _ in refused] == [("anonymous", "refused")] * 2
    assert refused[0][2]["client"] == "testclient"
    assert "reason" in refused[0][2]
    assert refused[1][2]["more"] == 199
    assert refused[1][2]["targets"] == ["GET /api/v1/me"]
