"""A department leader's dashboard in headless Chromium against a real server: the shared login, their
departments' figures only, drill-down to a sub-department, English, live refresh (server-sent events) after
a bank confirms a payment through the API, and the screenshots docs/img/dashboard.png and
dashboard-phone.png (390×844)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from haiquan.demo import history
from haiquan.kit import clock
from haiquan.organization.service import load_tree
from haiquan.payments import budget
from tests.e2e.conftest import Site
from tests.payments.helpers import BANK_TAX, TOTAL, add_bank, reference
from tests.support import PASSWORD
from tests.web.helpers import registered

pytestmark = pytest.mark.browser
IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
NOI_BAI, NORTH, HAI_PHONG = "CC HQ CK Sân bay QT Nội Bài", "CCHQ Bắc Hà Nội", "Hải Phòng"


@dataclass
class Dash:
    site: Site
    unpaid: str  # a green declaration of Nội Bài waiting for its duties


@pytest.fixture(scope="module")
def dash(site: Site) -> Dash:
    app, world = site.app, site.world
    add_bank(app)
    today = clock.today_vn()
    registered(world, app, "green", office="01TE")
    hai_phong = registered(world, app, "green", office="03CC")[0]
    unpaid = registered(world, app, "green")[0]
    with app.state.db.unit_of_work() as uow:
        tree = load_tree(uow.session)
        budget.set_target(
            uow.session, tree=tree, unit="01", year=today.year, amount=Decimal(10**9), actor="t"
        )
        uow.commit()
    last_year = history.Plan(
        years=1, per_year=120, end=date(today.year - 1, 12, 31), offices=("01AB", "01TE", "03CC")
    )
    history.run(app.state.db.engine, last_year, tree=tree, show=False)  # generated history: last year's line
    assert _pay(site, hai_phong, "HP-1", 40 * TOTAL).status_code == 201  # Hải Phòng's money, not Hà Nội's
    return Dash(site, unpaid)


def _pay(site: Site, number: str, txn: str, amount: int = TOTAL) -> Any:
    # The payment reference is made by an outbox consumer; apply what is pending rather than racing the
    # server's dispatcher thread (each event is still applied once: consumptions are unique).
    site.app.state.dispatcher.run_once()
    body = {"bank": "VCB", "transaction_id": txn, "references": [reference(site.world, number)],
            "amount": str(amount), "payer_tax_code": "0101248141", "paid_at": datetime.now(UTC).isoformat()}  # fmt: skip
    return site.world.post("/api/v1/payments", site.world.ent(BANK_TAX), body)


def _login(page: Any, site: Site, username: str) -> None:
    page.goto(site.url + "/reports")
    assert page.url.startswith(site.url + "/login?next=/reports")  # the shared login page
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(site.url + "/reports")
    page.wait_for_selector("#rev-chart .main-svg")


def _until(check: Any, timeout: float = 15.0) -> None:
    """Poll from Python: the page's CSP (rightly) forbids the eval that page.wait_for_function uses."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the dashboard did not refresh"
        time.sleep(0.1)


def _cleared(page: Any, name: str) -> int:
    cells = page.locator("#unit-table tr", has_text=name).locator("td")
    return int(cells.nth(2).inner_text().replace(".", "").replace(",", ""))


def test_department_leader_watches_their_figures_live(browser: Any, dash: Dash) -> None:
    site = dash.site
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
    _login(page, site, "hn_leader")
    table = page.locator("#unit-table").inner_text()
    assert NOI_BAI in table
    assert NORTH in table
    assert HAI_PHONG not in table
    assert "dự toán" in page.locator("#rev-pct").inner_text()
    assert page.locator("#rev-big").inner_text().startswith("Đã thu ")  # the amount first
    assert (
        page.evaluate("document.getElementById('rev-chart').data.length") == 3
    )  # this year, last year, estimate
    assert page.locator('nav.main a[href="/reports"]').count() == 1
    before = _cleared(page, NOI_BAI)
    collected = page.locator("#rev-big").inner_text()

    assert _pay(site, dash.unpaid, "LIVE-1", 50 * TOTAL).status_code == 201  # 1,066 M: over-paid, refundable
    # the declaration clears on the payment; the page sees both without reloading
    _until(lambda: page.evaluate("document.body.dataset.refreshed") is not None)
    _until(lambda: _cleared(page, NOI_BAI) == before + 1)
    assert page.locator("#rev-big").inner_text() != collected
    assert problems == []  # nothing refused by the Content-Security-Policy
    IMG.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMG / "dashboard.png"), full_page=True)

    page.locator("#unit-table a.drill", has_text=NOI_BAI).click()
    page.wait_for_url(site.url + "/reports?unit=01AB")
    page.wait_for_selector("#rev-chart .main-svg")
    assert NOI_BAI in page.locator("h1").inner_text()
    assert NORTH not in page.locator("#unit-table").inner_text()
    assert "Cục Hải quan TP Hà Nội" in page.locator("nav.crumbs").inner_text()

    page.get_by_role("link", name="EN", exact=True).click()
    page.wait_for_selector("#rev-chart .main-svg")
    assert "Revenue against the estimate" in page.locator("#revenue h2").inner_text()
    assert "lang=en" in page.url
    assert "unit=01AB" in page.url
    other = page.goto(site.url + "/reports?unit=03")
    assert other is not None
    assert other.status == 403
    context.close()


def test_the_dashboard_on_a_phone(browser: Any, dash: Dash) -> None:
    site = dash.site
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="vi-VN")  # fmt: skip
    page = context.new_page()
    _login(page, site, "hn_leader")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the page never scrolls sideways
    page.screenshot(path=str(IMG / "dashboard-phone.png"), full_page=True)
    context.close()
