"""The plant-quarantine officer in headless Chromium: logs in, finds the apple import from China waiting in
the agency's list, approves it with the laboratory reference, and the declaration clears."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from haiquan.kit.db import Database
from haiquan.kit.settings import Settings
from tests.agencies.helpers import DECLARANT, PPD_OFFICER, agencies_world, pay, permits_of, registered_apples
from tests.e2e.conftest import Site, running
from tests.support import PASSWORD, build_world
from tests.web.helpers import status_of

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def agency_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    from haiquan.app import create_app
    from haiquan.organization import service as org
    from haiquan.tariff import service as tariff_service

    tmp = tmp_path_factory.mktemp("e2e-agencies")
    db = Database(f"sqlite:///{tmp / 'haiquan.db'}")
    db.create_all()
    settings = Settings(data_dir=tmp, secret_key="e2e-secret-" + "a" * 32, dispatcher_interval_seconds=0.2)
    org.TREES.invalidate()
    tariff_service.invalidate()
    app = create_app(settings, db)
    world = agencies_world(build_world(app, TestClient(app)), app)
    apples = registered_apples(world, app, lane="green")
    pay(app, apples, "21320000")
    with running(app) as base:
        yield Site(base, world, app, [apples], [])
    db.dispose()


def test_the_plant_quarantine_officer_approves_and_the_declaration_clears(
    browser: Any, agency_site: Site
) -> None:
    number = agency_site.yellow[0]
    world = agency_site.world
    assert status_of(world, number) == "duty_payment_reference_issued"
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="vi-VN")
    page = context.new_page()
    page.goto(agency_site.url + "/agency")
    assert page.url.startswith(agency_site.url + "/login")
    page.get_by_label("Tên đăng nhập").fill(PPD_OFFICER)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(agency_site.url + "/agency")
    rows = page.locator("table.agency-permits tbody tr")
    assert rows.count() == 1
    assert number in rows.first.inner_text()
    assert "08081000" in rows.first.inner_text()
    page.get_by_role("link", name="Xử lý").click()
    page.get_by_label("Số kết quả phân tích / kiểm nghiệm").fill("KDTV-HN-2026-0815")
    with page.expect_navigation():
        page.get_by_role("button", name="Ghi nhận quyết định").click()
    assert page.url == agency_site.url + "/agency"
    assert page.locator("table.agency-permits").count() == 0
    assert status_of(world, number) == "cleared"
    assert permits_of(world, number, world.ent(DECLARANT))[0]["lab_reference"] == "KDTV-HN-2026-0815"
    context.close()
