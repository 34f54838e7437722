"""A real server for browser tests: uvicorn in a thread on a free port, a SQLite file database seeded
with the test world and a few declarations registered in forced lanes, and headless Chromium."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from haiquan.kit.db import Database
from haiquan.kit.settings import Settings
from tests.services import chromium
from tests.support import World, build_world
from tests.web.helpers import registered

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class Site:
    url: str
    world: World
    app: Any
    yellow: list[str]
    red: list[str]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running(app: Any) -> Iterator[str]:
    """Serve the app with uvicorn in a thread on a free port; yields its base URL."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    from haiquan.app import create_app
    from haiquan.organization import service as org
    from haiquan.tariff import service as tariff_service

    tmp = tmp_path_factory.mktemp("e2e")
    db = Database(f"sqlite:///{tmp / 'haiquan.db'}")
    db.create_all()
    settings = Settings(data_dir=tmp, secret_key="e2e-secret-" + "k" * 32, dispatcher_interval_seconds=0.2)
    org.TREES.invalidate()
    tariff_service.invalidate()
    app = create_app(settings, db)
    world = build_world(app, TestClient(app))
    # checks go round-robin over the Nội Bài roster; the tests ask the API who got which
    yellow = registered(world, app, "yellow", count=3)
    red = registered(world, app, "red", count=2)
    registered(world, app, "green")
    with running(app) as url:
        yield Site(url, world, app, yellow, red)
    db.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()
