"""A real uvicorn worker on PostgreSQL under a burst (issue #25, findings 1 and 11): every answer 200 or
503 with Retry-After, none 500 and none unanswered, /healthz answering throughout, served again within
seconds; a body that does not arrive is answered 408; 40 wrong logins at once do not grow the worker by
the memory of 40 argon2 checks."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import update

from haiquan.kit.db import Database
from haiquan.kit.settings import Settings
from haiquan.organization.tables import OfficerRow
from tests.support import PASSWORD, build_world, import_declaration

KEY = "HAIQUAN_"
QUIET = {
    "RUN_DISPATCHER": "false",
    "LOG_LEVEL": "WARNING",
    "RATE_READ_BURST": "100000",
    "RATE_ANONYMOUS_BURST": "100000",
}

LOG = logging.getLogger(__name__)  # the figures, shown with -o log_cli=true


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(url: str, tmp: Path, **env: str) -> Iterator[tuple[str, int]]:
    """A one-worker server as `haiquan serve` runs it, with these settings; (base URL, its pid)."""
    port = _free_port()
    settings = {"DATABASE_URL": url, "DATA_DIR": str(tmp), "SECRET_KEY": "o" * 40} | QUIET | env
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "haiquan.app:create_served_app", "--factory", "--port", str(port),
         "--log-level", "warning"],
        env=dict(os.environ, **{KEY + k: v for k, v in settings.items()}),
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        yield base, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def seeded(pg_database: Database, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """50 declarations and the demo world, on the session's PostgreSQL database."""
    from haiquan.app import create_app
    from haiquan.organization import service as org
    from haiquan.tariff import service as tariff_service
    from tests.conftest import reset_postgres

    reset_postgres(pg_database)
    org.TREES.invalidate()
    tariff_service.invalidate()
    tmp = tmp_path_factory.mktemp("overload")
    app = create_app(Settings(data_dir=tmp, secret_key="o" * 40, run_dispatcher=False), pg_database)
    with TestClient(app) as client:
        world = build_world(app, client)
        for _ in range(50):
            assert world.lodge(import_declaration()).status_code == 201
    return {"url": pg_database.url, "tmp": tmp, "key": world.keys["0100109106"], "db": pg_database}


async def _burst(base: str, key: str, n: int) -> tuple[list[httpx.Response | BaseException], list[float]]:
    """n reads at once, and /healthz asked every 0.2 s meanwhile (how long each answer took)."""
    headers = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=n + 10, max_keepalive_connections=n + 10)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
        done = asyncio.Event()
        health: list[float] = []

        async def probe() -> None:
            while not done.is_set():
                start = time.perf_counter()
                async with httpx.AsyncClient(base_url=base, timeout=60) as own:  # a new connection each time
                    r = await own.get("/healthz")
                assert r.status_code == 200, r.text
                health.append(time.perf_counter() - start)
                await asyncio.sleep(0.2)

        prober = asyncio.ensure_future(probe())
        answers = await asyncio.gather(
            *(http.get("/api/v1/declarations?limit=50", headers=headers) for _ in range(n)),
            return_exceptions=True,
        )
        done.set()
        await prober
    return list(answers), health


def test_a_burst_of_reads_is_served_or_refused_with_503_and_the_worker_recovers(
    seeded: dict[str, Any],
) -> None:
    limits = {"ADMISSION_LIMIT": "4", "ADMISSION_QUEUE": "8", "ADMISSION_WAIT_SECONDS": "0.5",
              "DB_POOL_SIZE": "10", "DB_MAX_OVERFLOW": "10"}  # fmt: skip
    with served(seeded["url"], seeded["tmp"], **limits) as (base, _):
        started = time.perf_counter()
        answers, health = asyncio.run(_burst(base, seeded["key"], 200))
        took = time.perf_counter() - started
        statuses = [a.status_code if isinstance(a, httpx.Response) else type(a).__name__ for a in answers]
        assert set(statuses) <= {200, 503}, sorted(set(map(str, statuses)))  # none 500, none unanswered
        busy = [a for a in answers if isinstance(a, httpx.Response) and a.status_code == 503]
        assert busy
        assert all(a.headers["retry-after"] == "1" and a.json()["code"] == "busy" for a in busy)
        assert statuses.count(200) >= 4  # the first four at least (more as places free up within 0.5 s)
        assert all(
            len(a.json()["items"]) == 50
            for a in answers
            if isinstance(a, httpx.Response) and a.status_code == 200
        )
        # /healthz never waits behind the burst (today: not within 60 s). The bound leaves room for a
        # loaded test machine: here 200 requests to /healthz alone take 1 to 6 s.
        assert health, health
        assert max(health) < 10, health
        assert took < 60, took
        after = time.perf_counter()
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {seeded['key']}"}) as http:
            while http.get("/api/v1/declarations?limit=50").status_code != 200:
                assert time.perf_counter() - after < 10
                time.sleep(0.1)
        LOG.info(f"200 reads at once: {statuses.count(200)} × 200, {len(busy)} × 503 in {took:.1f} s; "
              f"/healthz at most {max(health) * 1000:.0f} ms; served again after {time.perf_counter() - after:.2f} s")  # fmt: skip


def test_a_body_that_never_arrives_is_answered_408(seeded: dict[str, Any]) -> None:
    with served(seeded["url"], seeded["tmp"], BODY_TIMEOUT_SECONDS="2", BODY_IDLE_SECONDS="1") as (base, _):
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            started = time.perf_counter()
            s.sendall(
                b"POST /api/v1/declarations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Authorization: Bearer " + seeded["key"].encode() + b"\r\nContent-Length: 1000\r\n\r\n{"
            )
            answer = b""
            while b"\r\n\r\n" not in answer:
                chunk = s.recv(4096)
                if not chunk:
                    break
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
            assert time.perf_counter() - started < 5
        assert httpx.get(base + "/healthz").status_code == 200


def _peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def test_forty_wrong_logins_at_once_do_not_grow_the_worker_by_forty_argon2_checks(
    seeded: dict[str, Any],
) -> None:
    """Each check of a hash made with 32 MiB holds 32 MiB: 40 at once held 1.3 GB (issue #25)."""
    slow = PasswordHasher(time_cost=1, memory_cost=32 * 1024, parallelism=1).hash(PASSWORD)
    with seeded["db"].unit_of_work() as uow:
        uow.session.execute(update(OfficerRow).values(password_hash=slow))
        uow.commit()
    room = {"ADMISSION_LIMIT": "64", "DB_POOL_SIZE": "40", "DB_MAX_OVERFLOW": "40",  # no other limit here
            "LOGIN_FREE_FAILURES": "100", "LOGIN_LOCKOUT_FAILURES": "1000", "LOGIN_SOURCE_FAILURES": "1000"}  # fmt: skip
    with served(seeded["url"], seeded["tmp"], **room) as (base, pid):
        assert (
            httpx.post(
                base + "/api/v1/auth/token", data={"username": "nb_leader", "password": PASSWORD}
            ).status_code
            == 200
        )
        before = _peak_kib(pid)

        async def logins() -> list[int]:
            async with httpx.AsyncClient(base_url=base, timeout=60) as http:
                users = ["nb_leader", "nb_officer1", "nb_officer2", "hn_leader"]
                rs = await asyncio.gather(*(
                    http.post("/api/v1/auth/token", data={"username": users[n % 4], "password": f"wrong-{n}"})
                    for n in range(40)
                ))  # fmt: skip
                return [r.status_code for r in rs]

        assert asyncio.run(logins()) == [401] * 40
        grown_mib = (_peak_kib(pid) - before) / 1024
        LOG.info(f"40 wrong logins at once (32 MiB argon2): peak memory grew {grown_mib:.0f} MiB")
        assert grown_mib < 300, grown_mib  # 2 checks at a time: 64 MiB, not 40 × 32 MiB
