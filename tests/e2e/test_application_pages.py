"""A Nội Bài officer in headless Chromium: logs in, finds the trader's classification ruling in the queue of
applications with its deadline, opens it (its document listed), decides it with reasons and the HS code, and
the ruling is in force."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from haiquan.kit.db import Database
from haiquan.kit.settings import Settings
from tests.applications.helpers import PDF, TRADER, filed, upload
from tests.e2e.conftest import Site, running
from tests.support import PASSWORD, build_world

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def applications_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    from haiquan.app import create_app
    from haiquan.organization import service as org
    from haiquan.tariff import service as tariff_service

    tmp = tmp_path_factory.mktemp("e2e-applications")
    db = Database(f"sqlite:///{tmp / 'haiquan.db'}")
    db.create_all()
    settings = Settings(data_dir=tmp, secret_key="e2e-secret-" + "a" * 32, dispatcher_interval_seconds=0.2)
    org.TREES.invalidate()
    tariff_service.invalidate()
    app = create_app(settings, db)
    world = build_world(app, TestClient(app))
    a = filed(world, {"kind": "ruling_classification", "office": "01AB", "subject": "Điện thoại thông minh X1",
                      "goods_code": "MA-PHONE-X1", "goods_description": "Smartphone X1", "hs_code": "85171300"})  # fmt: skip
    assert upload(world, a["id"], "catalogue-x1.pdf", "application/pdf", PDF).status_code == 201
    with running(app) as base:
        yield Site(base, world, app, [a["id"]], [])
    db.dispose()


def test_the_officer_decides_a_ruling_on_the_page(browser: Any, applications_site: Site) -> None:
    site, app_id = applications_site, applications_site.yellow[0]
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="vi-VN")
    page = context.new_page()
    page.goto(site.url + "/applications")
    page.get_by_label("Tên đăng nhập").fill("nb_officer1")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(site.url + "/applications")
    rows = page.locator("table.applications tbody tr")
    assert rows.count() == 1
    assert "Xác định trước mã số" in rows.first.inner_text()
    page.get_by_role("link", name="Xem").click()
    assert "catalogue-x1.pdf" in page.locator("section.documents").inner_text()
    page.get_by_label("Lý do, căn cứ").fill("Chú giải 1 Chương 85; quy tắc 1 và 6")
    with page.expect_navigation():
        page.get_by_role("button", name="Ghi nhận quyết định").click()
    assert "Chấp thuận" in page.locator("main").inner_text()
    detail = site.world.client.get(f"/api/v1/applications/{app_id}", headers=site.world.ent(TRADER)).json()
    assert (detail["status"], detail["decided_hs_code"]) == ("approved", "85171300")
    context.close()
