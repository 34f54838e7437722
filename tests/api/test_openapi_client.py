"""A client generated from the OpenAPI description by a standard generator (openapi-python-client, which
`make install` puts in .venv/openapi-generator) compiles, and lodges a declaration against a running
server with an enterprise's API key and an Idempotency-Key; the key alone authenticates nothing."""

from __future__ import annotations

import compileall
import importlib
import os
import pkgutil
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient

from haiquan.kit.db import Database
from haiquan.kit.openapi import as_text
from haiquan.kit.settings import Settings
from tests.conftest import need_service
from tests.support import World, build_world, import_declaration

PACKAGE = "haiquan_generated_client"
# The XML bodies (signed terminal messages, bank files) reach a generated client as bytes
# bodies the generator has no type for are sent as bytes: XML and EDIFACT messages, a finalisation report's
# CSV or workbook
CONFIG = (
    "post_hooks: []\ncontent_type_overrides:\n  application/xml: application/octet-stream\n"
    "  application/EDIFACT: application/octet-stream\n  application/edifact: application/octet-stream\n"
    "  text/plain: application/octet-stream\n  text/csv: application/octet-stream\n"
    "  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet: application/octet-stream\n"
)


def generator() -> str:
    """The generator's command: next to this interpreter's environment (as make install puts it), or on
    the PATH; else the test is skipped (a failure with HAIQUAN_REQUIRE_SERVICES=1)."""
    beside = Path(sys.prefix) / "openapi-generator" / "bin" / "openapi-python-client"
    found = str(beside) if beside.exists() else shutil.which("openapi-python-client")
    if found is None:
        need_service(
            f"openapi-python-client is not installed (make install puts it in {beside.parent.parent})"
        )
    assert found is not None
    return found


def generate(spec: dict[str, Any], where: Path) -> ModuleType:
    """Generate the client into `where` (no network: the description is a file), check that every module
    compiles and imports, and return the package."""
    (where / "openapi.json").write_text(as_text(spec), encoding="utf-8")
    (where / "config.yaml").write_text(CONFIG, encoding="utf-8")
    package = where / PACKAGE
    arguments = ["--path", "openapi.json", "--config", "config.yaml", "--meta", "none"]
    run = subprocess.run(
        [generator(), "generate", *arguments, "--output-path", str(package)],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Warning" not in run.stdout + run.stderr, f"the generator left parts out:\n{run.stdout}"
    assert compileall.compile_dir(package, quiet=1)
    sys.path.insert(0, str(where))
    root = importlib.import_module(PACKAGE)
    for module in pkgutil.walk_packages(root.__path__, f"{PACKAGE}."):
        importlib.import_module(module.name)
    return root


@pytest.fixture
def client_package(tmp_path: Path, spec: dict[str, Any]) -> Iterator[ModuleType]:
    root = generate(spec, tmp_path)
    yield root
    sys.path.remove(str(tmp_path))
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, World]]:
    """The application served by uvicorn on a free port of the loopback, on a SQLite database, and the
    test world (units, officers, enterprises with their API keys)."""
    from haiquan.app import create_app
    from haiquan.organization import service as org
    from haiquan.tariff import service as tariff_service

    db = Database(f"sqlite:///{tmp_path / 'client.db'}")
    db.create_all()
    org.TREES.invalidate()
    tariff_service.invalidate()
    app = create_app(Settings(data_dir=tmp_path, secret_key="c" * 40, run_dispatcher=False), db)
    world = build_world(app, TestClient(app))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", world
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
    db.dispose()


def test_a_generated_client_lodges_a_declaration(
    client_package: ModuleType, served: tuple[str, World]
) -> None:
    base, world = served
    api = importlib.import_module(f"{PACKAGE}.api.declarations")
    lodge = importlib.import_module(f"{api.__name__}.declarations_lodge")
    read = importlib.import_module(f"{api.__name__}.declarations_get")
    models = importlib.import_module(f"{PACKAGE}.models")
    body = models.DeclarationIn.from_dict(import_declaration())

    with client_package.AuthenticatedClient(base_url=base, token=world.keys["0100109106"]) as client:
        first = lodge.sync_detailed(client=client, body=body, idempotency_key="client-0001")
        assert first.status_code == 201, first.content
        lodged = first.parsed
        assert isinstance(lodged, models.DeclarationOut)
        assert len(lodged.number) == 12
        assert lodged.status == "accepted"
        assert lodged.importer.name == "Công ty TNHH Thương mại Minh Anh"  # filled from the register

        again = lodge.sync_detailed(client=client, body=body, idempotency_key="client-0001")
        assert again.status_code == 201
        assert again.headers["Idempotent-Replay"] == "true"
        assert again.parsed.number == lodged.number  # the first answer, not a second declaration

        found = read.sync(client=client, number=lodged.number)
        assert isinstance(found, models.DeclarationOut)
        assert found.number == lodged.number

    with client_package.Client(base_url=base) as anonymous:
        refused = lodge.sync_detailed(client=anonymous, body=body, idempotency_key="client-0002")
        assert refused.status_code == 401
        assert isinstance(refused.parsed, models.Problem)
        assert refused.parsed.code == "unauthorized"
        assert refused.headers["content-type"].startswith("application/problem+json")
