"""A declaration acknowledged with 201 survives kill -9 of the server right after."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from haiquan.declarations.tables import DeclarationRow
from haiquan.kit.db import Database
from tests.support import ENTERPRISES, UNITS, import_declaration, load_reference


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _seed(db: Database) -> str:
    from haiquan.organization import service as org

    db.create_all()
    load_reference(db)
    with db.unit_of_work() as uow:
        org.replace_units(uow.session, units=UNITS, actor="test")
        tax, name, roles = ENTERPRISES[0]
        _, key = org.add_enterprise(uow.session, tax_code=tax, name=name, roles=roles, actor="test")
        uow.commit()
    return key


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_acknowledged_declarations_survive_kill_9(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = f"sqlite:///{tmp_path / 'k.db'}" if backend == "sqlite" else request.getfixturevalue("pg_url") + ""
    db = Database(url)
    if backend == "postgresql":
        from tests.conftest import reset_postgres

        reset_postgres(request.getfixturevalue("pg_database"))  # the worker's database, emptied
    key = _seed(db)
    port = _free_port()
    env = dict(
        os.environ, HAIQUAN_DATABASE_URL=url, HAIQUAN_DATA_DIR=str(tmp_path), HAIQUAN_SECRET_KEY="k" * 40
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "haiquan.app:create_app",
            "--factory",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    acknowledged: list[str] = []
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=10) as http:
            for _ in range(5):
                r = http.post(
                    "/api/v1/declarations",
                    json=import_declaration(importer={"tax_code": "0100109106"}),  # its own goods
                )
                assert r.status_code == 201, r.text
                acknowledged.append(r.json()["number"])
        os.kill(proc.pid, signal.SIGKILL)  # right after the last 201
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    db.dispose()
    fresh = Database(url)
    with fresh.unit_of_work() as uow:
        stored = set(uow.session.scalars(select(DeclarationRow.number)).all())
        total = uow.session.scalar(select(func.count()).select_from(DeclarationRow))
    fresh.dispose()
    assert set(acknowledged) <= stored
    assert total == 5
