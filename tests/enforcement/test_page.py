"""The leaders' page in a real browser (headless Chromium): the articles' sentence and the charts render.
Saves docs/img/enforcement.png."""

from __future__ import annotations

import random
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from haiquan.demo import enforcement as demo
from haiquan.kit.db import Database
from haiquan.kit.settings import Settings
from haiquan.organization import service as org
from haiquan.organization.cli import DEFAULT_UNITS, read_units_file
from tests.services import chromium
from tests.support import PASSWORD

SHOT = Path(__file__).resolve().parents[2] / "docs" / "img" / "enforcement.png"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    from haiquan.app import create_app

    db = Database(f"sqlite:///{tmp_path / 'page.db'}")
    db.create_all()
    org.TREES.invalidate()
    with db.unit_of_work() as uow:
        org.replace_units(uow.session, units=read_units_file(DEFAULT_UNITS), actor="test")
        for name, unit in (("hn_leader", "01"), ("gd_leader", "00")):
            org.add_officer(
                uow.session,
                username=name,
                unit=unit,
                role="department_leader",
                password=PASSWORD,
                actor="test",
            )
        uow.commit()
    with db.unit_of_work() as uow:
        demo.seed_cases(uow.session, year=2020, rng=random.Random(2020))
        uow.commit()
    settings = Settings(data_dir=tmp_path, secret_key="test-secret-key-" + "x" * 32, run_dispatcher=False)
    port = _free_port()
    srv = uvicorn.Server(
        uvicorn.Config(create_app(settings, db), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)
    db.dispose()


@pytest.mark.browser
def test_leader_page_shows_the_articles_sentence(server: str) -> None:
    executable = chromium()
    from playwright.sync_api import sync_playwright

    def token(username: str) -> str:
        r = httpx.post(f"{server}/api/v1/auth/token", data={"username": username, "password": PASSWORD})
        return str(r.json()["access_token"])

    args = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=args)
        try:
            ctx = browser.new_context(viewport={"width": 1280, "height": 900})
            ctx.add_cookies([{"name": "hq_session", "value": token("hn_leader"), "url": server}])
            anonymous = browser.new_context().new_page()
            anonymous.goto(f"{server}/enforcement?unit=01")
            assert "/login?next=/enforcement" in anonymous.url  # the shared login, then back
            page = ctx.new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            external: list[str] = []
            page.on("request", lambda req: None if req.url.startswith(server) else external.append(req.url))
            page.goto(f"{server}/enforcement?unit=01&from=2020-01-01&to=2020-12-22&period=quarter")
            sentence = page.locator("#summary-sentence").inner_text()
            assert "đã phát hiện, bắt giữ 27 vụ buôn lậu; quyết định khởi tố 5 vụ" in sentence
            assert "29.552,15 gam ma túy tổng hợp (MDMA) (khoảng 50 nghìn viên)" in sentence
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=15000)
            assert page.locator(".js-plotly-plot").count() == 4
            assert external == []  # Plotly comes from this server, not a CDN
            assert errors == []  # nothing refused by the page's Content-Security-Policy
            assert page.locator('nav.main a[href="/enforcement"]').count() == 1  # the shared layout
            SHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOT), full_page=True)
            forbidden = page.goto(f"{server}/enforcement?unit=00&from=2020-01-01&to=2020-12-31")
            assert forbidden is not None
            assert forbidden.status == 404
            ctx.add_cookies([{"name": "hq_session", "value": token("gd_leader"), "url": server}])
            page.goto(f"{server}/enforcement?unit=00&from=2020-01-01&to=2020-12-31&period=month&lang=en")
            assert "smuggling cases" in page.locator("#summary-sentence").inner_text()
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=15000)
            assert page.locator("td", has_text="Lao Cai").count() > 0  # the shift table names the gainer
            page.screenshot(path=str(SHOT.with_name("enforcement-displacement.png")), full_page=True)
        finally:
            browser.close()
