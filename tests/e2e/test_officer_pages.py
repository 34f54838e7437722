"""An officer in headless Chromium against a real server: log in, open the queue, open a declaration,
take a decision, see the status change; switch to English; the same work on a phone-sized screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Site
from tests.support import PASSWORD
from tests.web.helpers import assignees, status_of

pytestmark = pytest.mark.browser
IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def _login(page: Any, site: Site, username: str) -> None:
    page.goto(site.url + "/")
    assert page.url.startswith(site.url + "/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(site.url + "/queue")


def test_officer_clears_a_yellow_declaration_from_the_queue(browser: Any, site: Site) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="vi-VN")
    page = context.new_page()
    _login(page, site, "nb_officer1")
    rows = page.locator("table.queue tbody tr")
    assert rows.count() == len(site.yellow) + len(site.red)
    assert page.locator("header .unit").inner_text().startswith("01AB")
    who = assignees(site.world)
    theirs = [n for n in site.yellow + site.red if who.get(n) == "nb_officer1"]
    mine = next(n for n in site.yellow if who.get(n) == "nb_officer1")
    assert "★" in page.locator("tr", has_text=mine).inner_text()
    IMG.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMG / "queue.png"))

    page.get_by_role("link", name="Chỉ của tôi").click()
    assert page.locator("table.queue tbody tr").count() == len(theirs)
    page.get_by_role("link", name=mine).click()
    page.wait_for_url(f"{site.url}/declarations/{mine}")
    assert page.locator("h1").inner_text() == f"Tờ khai {mine}"
    assert page.locator(".state .badge").inner_text() == "Luồng vàng"
    assert page.locator("table.lines tbody tr").count() == 2
    assert "21.320.000 ₫" in page.locator(".totals").inner_text()
    page.screenshot(path=str(IMG / "declaration.png"), full_page=True)

    page.get_by_label("Chấp nhận hồ sơ", exact=True).check()
    page.get_by_label("Lý do").fill("Hồ sơ đầy đủ, hợp lệ")
    with page.expect_navigation():
        page.get_by_role("button", name="Ghi quyết định").click()
    assert page.url == f"{site.url}/declarations/{mine}"
    assert page.locator(".flash").inner_text() == "Đã ghi quyết định"
    assert page.locator(".state .status").inner_text() == "Chờ nộp thuế"
    assert "Hồ sơ đầy đủ, hợp lệ" in page.locator(".timeline").inner_text()
    assert page.locator("#decision").count() == 0  # nothing left to decide
    assert status_of(site.world, mine) == "duty_payment_reference_issued"

    page.get_by_role("link", name="Hàng đợi").first.click()
    assert mine not in page.locator("main").inner_text()
    context.close()


def test_switching_to_english_keeps_the_language(browser: Any, site: Site) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    _login(page, site, "nb_leader")
    page.get_by_role("link", name="EN", exact=True).click()
    assert page.locator("h1").inner_text() == "Checks to do"
    assert page.locator("html").get_attribute("lang") == "en"
    red = site.red[0]
    page.get_by_role("link", name=red).click()
    assert page.locator(".state .badge").inner_text() == "Red"
    assert page.locator(".state .status").inner_text() == "Inspection intended"
    assert "Selected at the office" in page.locator("ul.reasons").inner_text()
    assert "VND" in page.locator(".totals").inner_text()
    page.get_by_role("link", name="VI", exact=True).click()
    assert page.locator(".state .badge").inner_text() == "Luồng đỏ"
    context.close()


def test_the_queue_works_on_a_phone(browser: Any, site: Site) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    _login(page, site, "nb_officer2")
    # no sideways scrolling; each declaration is a card with its number large enough to tap
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    who = assignees(site.world)
    target = next(n for n in site.yellow if who.get(n) == "nb_officer2")
    link = page.get_by_role("link", name=target)
    box = link.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 390
    assert box["height"] >= 24
    assert page.locator("table.queue thead").is_hidden()
    assert page.locator("tr", has_text=target).get_by_text("Luồng vàng").is_visible()
    page.screenshot(path=str(IMG / "queue-phone.png"))
    link.tap()
    page.wait_for_url(f"{site.url}/declarations/{target}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_label("Yêu cầu bổ sung hồ sơ", exact=True).check()
    page.get_by_label("Lý do").fill("Bổ sung C/O bản gốc")
    button = page.get_by_role("button", name="Ghi quyết định")
    button.scroll_into_view_if_needed()
    assert button.bounding_box()["width"] <= 390
    with page.expect_navigation():
        button.tap()
    assert page.url == f"{site.url}/declarations/{target}"
    assert page.locator(".state .status").inner_text() == "Yêu cầu bổ sung hồ sơ"
    assert status_of(site.world, target) == "documents_requested"
    context.close()
