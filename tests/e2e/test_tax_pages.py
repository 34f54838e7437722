"""An officer's tax pages in headless Chromium against a real server: the account of an enterprise with its
aging chart drawn under the page's Content-Security-Policy, in Vietnamese then English; the leaders'
dashboard carries the revenue outlook."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Site
from tests.support import PASSWORD

pytestmark = pytest.mark.browser
IMPORTER = "0101248141"  # owes the duties of the site's declarations (not yet paid)


def _login(page: Any, site: Site, username: str, target: str) -> None:
    page.goto(site.url + target)
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(site.url + target)


def test_an_officer_reads_a_tax_account_with_its_aging_chart(browser: Any, site: Site) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="vi-VN")
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(m.text) if m.type == "error" and "Failed to load" not in m.text else None,
    )
    page.on(
        "response", lambda r: problems.append(r.url) if r.status >= 400 and "favicon" not in r.url else None
    )
    _login(page, site, "nb_leader", f"/taxes/accounts/{IMPORTER}")
    page.wait_for_selector("#tx-aging .main-svg")
    assert "Tài khoản thuế" in page.locator("h1").inner_text()
    assert page.evaluate("document.getElementById('tx-aging').data[0].x.length") == 5
    assert page.locator("table.tax-debts tbody tr").count() >= 1
    page.goto(site.url + f"/taxes/accounts/{IMPORTER}?lang=en")
    page.wait_for_selector("#tx-aging .main-svg")
    assert "Tax account" in page.locator("h1").inner_text()
    assert problems == []
    context.close()


def test_the_dashboard_carries_the_revenue_outlook(browser: Any, site: Site) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="vi-VN")
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(m.text) if m.type == "error" and "Failed to load" not in m.text else None,
    )
    page.on(
        "response", lambda r: problems.append(r.url) if r.status >= 400 and "favicon" not in r.url else None
    )
    _login(page, site, "hn_leader", "/reports")
    page.wait_for_selector("#outlook")
    assert "Chỉ tiêu phấn đấu (+5 %)" in page.locator("#outlook").inner_text()
    assert problems == []
    context.close()
