"""The officer in headless Chromium: logs in, finds the temporary importer on the regimes page, opens its
ledger and reads its stock of the machines it brought in, in Vietnamese."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from haiquan.kit.db import Database
from haiquan.kit.settings import Settings
from tests.e2e.conftest import Site, running
from tests.regimes.helpers import TRADER, car_line, cleared, regime_import
from tests.support import PASSWORD, build_world

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def regime_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    from haiquan.app import create_app
    from haiquan.organization import service as org
    from haiquan.tariff import service as tariff_service

    tmp = tmp_path_factory.mktemp("e2e-regimes")
    db = Database(f"sqlite:///{tmp / 'haiquan.db'}")
    db.create_all()
    settings = Settings(data_dir=tmp, secret_key="e2e-secret-" + "r" * 32, dispatcher_interval_seconds=0.2)
    org.TREES.invalidate()
    tariff_service.invalidate()
    app = create_app(settings, db)
    world = build_world(app, TestClient(app))
    number = cleared(world, app, regime_import("G12", [car_line("2")]))
    with running(app) as base:
        yield Site(base, world, app, [number], [])
    db.dispose()


def test_the_officer_opens_the_temporary_importers_ledger(browser: Any, regime_site: Site) -> None:
    number = regime_site.yellow[0]
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="vi-VN")
    page = context.new_page()
    page.goto(regime_site.url + "/regimes")
    page.get_by_label("Tên đăng nhập").fill("nb_officer1")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(regime_site.url + "/regimes")
    assert page.get_by_role("heading", name="Loại hình đặc thù").count() == 1
    page.locator("table.regime-enterprises").get_by_role("link", name=TRADER).click()
    page.wait_for_url(regime_site.url + f"/regimes/enterprises/{TRADER}")
    row = page.locator("table.regime-balances tbody tr").first
    assert "87032363" in row.inner_text()
    assert "Tạm nhập tái xuất" in row.inner_text()
    assert number in page.locator("table.regime-ledger").inner_text()
    assert number in page.locator("table.regime-deadlines").inner_text()
    context.close()
