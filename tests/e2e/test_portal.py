"""The trader portal in headless Chromium on a phone (375×812): a staff member signs in, sees the
enterprise's declarations and the payments due with their reference, issues an API key (shown once) and
revokes it, signs out; then axe-core over every portal page, on a phone and a desktop, in Vietnamese: no
serious or critical violation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Site
from tests.e2e.test_accessibility import severe
from tests.portal.helpers import STAFF_PASSWORD, add_staff
from tests.services import axe_script

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 812}


@pytest.fixture(scope="module")
def staff(site: Site) -> str:
    add_staff(site.app, "0100109106", "lan.admin")
    return "lan.admin"


def _sign_in(page: Any, site: Site, username: str) -> None:
    page.goto(site.url + "/portal/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(site.url + "/portal")


def test_a_staff_member_on_a_phone_follows_declarations_pays_and_manages_a_key(
    browser: Any, site: Site, staff: str
) -> None:
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    _sign_in(page, site, staff)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Công ty")
    page.get_by_role("navigation").get_by_role("link", name="Tờ khai").click()
    page.wait_for_url(site.url + "/portal/declarations")
    for number in site.yellow:
        assert page.get_by_role("link", name=number).count() == 1
    page.get_by_role("link", name=site.yellow[0]).click()
    page.wait_for_url(f"{site.url}/portal/declarations/{site.yellow[0]}")
    page.get_by_role("navigation").get_by_role("link", name="Khoản phải nộp").click()
    page.wait_for_url(site.url + "/portal/payments")
    assert page.locator(".payment-ref").count() >= 1
    assert "Nộp tại ngân hàng" in page.content()

    page.get_by_role("navigation").get_by_role("link", name="Khóa API").click()
    page.get_by_label("Mục đích sử dụng").fill("ERP kế toán")
    page.get_by_role("button", name="Cấp khóa API mới").click()
    key = page.locator(".issued-key").inner_text()
    assert key.startswith("hq_")
    key_id = key[3:15]
    page.get_by_role("button", name=f"Thu hồi {key_id}").click()
    page.wait_for_url(site.url + "/portal/keys")
    assert page.get_by_role("status").inner_text() == "Đã thu hồi khóa API"
    page.reload()  # the key itself is never shown again
    assert key not in page.content()
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(site.url + "/portal/login")
    page.goto(site.url + "/portal/payments")
    assert page.url.startswith(site.url + "/portal/login")
    context.close()


@pytest.mark.parametrize("size", [(1280, 900), (375, 812)], ids=["desktop", "phone"])
def test_no_serious_violation_on_any_portal_page(
    browser: Any, site: Site, staff: str, size: tuple[int, int]
) -> None:
    script = axe_script()
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]}, locale="vi-VN", bypass_csp=True
    )
    page = context.new_page()
    page.goto(site.url + "/portal/login")
    found = {"login": severe(page, script)}
    _sign_in(page, site, staff)
    found["home"] = severe(page, script)
    wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    paths = ("/portal/declarations", f"/portal/declarations/{site.yellow[0]}", "/portal/payments",
             "/portal/notifications", "/portal/keys", "/portal/webhook", "/portal/staff", "/portal/tax",
             "/portal/applications", "/portal/applications/new", "/portal/regimes")  # fmt: skip
    for path in paths:
        page.goto(site.url + path)
        page.wait_for_load_state("load")
        found[path] = severe(page, script)
    context.close()
    assert {k: v for k, v in found.items() if v} == {}
    assert not wide, "the portal's overview scrolls sideways"
