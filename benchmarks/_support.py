"""Shared helpers for benchmarks: a scratch PostgreSQL database, a server on a free port, percentiles."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy import create_engine, text

PG_ADMIN = os.environ.get("HAIQUAN_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    name = f"{prefix}_{secrets.token_hex(3)}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def server(
    url: str,
    data_dir: str,
    workers: int = 2,
    extra_env: dict[str, str] | None = None,
    app: str = "haiquan.app:create_served_app",
) -> Iterator[str]:
    port = free_port()
    # capacity is measured from a few API keys: the per-caller rate limits (kit.ratelimit) would measure
    # themselves instead; admission and every other bound stay as served
    env = dict(os.environ, HAIQUAN_DATABASE_URL=url, HAIQUAN_DATA_DIR=data_dir, HAIQUAN_SECRET_KEY="b" * 40,
               HAIQUAN_LOG_LEVEL="WARNING", HAIQUAN_RATE_LIMITS_ENABLED="false", **(extra_env or {}))  # fmt: skip
    cmd = [sys.executable, "-m", "uvicorn", app, "--factory", "--port", str(port),
           "--workers", str(workers), "--log-level", "warning", "--no-access-log"]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def pct(data: list[float], p: float) -> float:
    if not data:
        return float("nan")
    s = sorted(data)
    return s[min(len(s) - 1, int(p / 100 * len(s)))]
