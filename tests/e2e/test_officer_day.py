"""An officer's day at Nội Bài and a team lead's, in headless Chromium against a real server: search from
the header, a decision whose errors take focus, a draft that survives a session ending mid-decision, the
banner of new checks, the warning before the session ends, bulk reassignment, the printed record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from haiquan.organization import service as org
from tests.e2e.conftest import Site
from tests.support import PASSWORD
from tests.web.helpers import assignees, registered

pytestmark = pytest.mark.browser
IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def _login(page: Any, site: Site, username: str, *, landing: str = "/queue") -> None:
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(site.url + landing)


def _open(browser: Any, site: Site, username: str) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.goto(site.url + "/queue")
    _login(page, site, username)
    return context, page


def test_search_from_the_header(browser: Any, site: Site) -> None:
    context, page = _open(browser, site, "nb_officer1")
    box = page.get_by_role("searchbox", name="Tìm kiếm")
    box.fill(site.red[0])
    box.press("Enter")
    page.wait_for_url(f"{site.url}/declarations/{site.red[0]}")
    assert page.locator("h1").inner_text() == f"Tờ khai {site.red[0]}"
    box = page.get_by_role("searchbox", name="Tìm kiếm").first
    box.fill("hang khong viet")  # no diacritics: "Hàng không Việt"
    box.press("Enter")
    page.wait_for_url(f"{site.url}/search?q=hang+khong+viet")
    count = len(site.yellow) + len(site.red) + 1
    assert page.locator(".search-count").inner_text() == f"{count} kết quả cho “hang khong viet”"
    assert page.locator("table.results tbody tr").count() == count
    assert "Công ty Cổ phần Hàng không Việt" in page.locator("table.results").inner_text()
    page.screenshot(path=str(IMG / "search.png"))
    context.close()


def test_a_failed_decision_focuses_the_error_summary(browser: Any, site: Site) -> None:
    context, page = _open(browser, site, "nb_leader")
    red = site.red[0]
    page.goto(f"{site.url}/declarations/{red}")
    page.get_by_label("Kết quả kiểm tra thực tế", exact=True).first.check()
    page.get_by_label("Lý do").fill("Kiểm tra thực tế 100%")
    page.get_by_role("button", name="Ghi quyết định").click()
    page.wait_for_load_state()
    summary = page.locator(".error-summary")
    assert summary.get_by_role("heading").inner_text() == "Có lỗi cần sửa"
    assert page.evaluate("document.activeElement.className") == "error-summary"
    links = summary.get_by_role("link")
    assert links.count() == 2
    assert page.get_by_label("Lý do").input_value() == "Kiểm tra thực tế 100%"
    assert "{" not in page.locator("main").inner_text()  # never raw JSON
    page.screenshot(path=str(IMG / "decision-errors.png"))
    links.first.click()
    assert page.evaluate("document.activeElement.id") == "fraud_found"
    context.close()


def test_the_draft_survives_a_session_that_ends_mid_decision(browser: Any, site: Site) -> None:
    context, page = _open(browser, site, "nb_leader")
    number = site.red[1]
    page.goto(f"{site.url}/declarations/{number}")
    page.get_by_label("Chấp nhận hồ sơ", exact=True).check()
    page.get_by_label("Lý do").fill("Hồ sơ khớp với chứng từ vận tải")
    _end_sessions(site, "nb_leader")  # the session ends while the officer types
    page.get_by_role("button", name="Ghi quyết định").click()
    page.wait_for_url(f"{site.url}/login?**")
    assert "Phiên làm việc đã hết hạn" in page.locator("main").inner_text()
    _login(page, site, "nb_leader", landing=f"/declarations/{number}")
    assert page.get_by_label("Lý do").input_value() == "Hồ sơ khớp với chứng từ vận tải"
    assert page.get_by_label("Chấp nhận hồ sơ", exact=True).is_checked()
    assert page.locator("#draft-note").inner_text() == "Đã khôi phục bản nháp chưa gửi"
    with page.expect_navigation():
        page.get_by_role("button", name="Ghi quyết định").click()
    assert page.locator(".flash").inner_text() == "Đã ghi quyết định"
    assert page.evaluate(f"localStorage.getItem('hq-draft-{number}')") is None
    context.close()


def _end_sessions(site: Site, username: str) -> None:
    from sqlalchemy import select

    from haiquan.organization import sessions
    from haiquan.organization.tables import OfficerRow

    with site.app.state.db.unit_of_work() as uow:
        officer = uow.session.scalar(select(OfficerRow).where(OfficerRow.username == username))
        assert officer is not None
        sessions.revoke_all(uow.session, officer=officer, reason="test", actor="test")
        uow.commit()


def test_new_checks_appear_in_a_banner_without_a_reload(browser: Any, site: Site) -> None:
    context, page = _open(browser, site, "nb_officer2")
    total = page.locator(".queue-total").inner_text()
    assert page.locator("#queue-news").is_hidden()
    page.evaluate("window.hqMarker = 'same page'")
    registered(site.world, site.app, "yellow")
    page.evaluate("window.hqPollNews()")  # what the 30-second timer runs
    banner = page.locator("#queue-news")
    banner.wait_for(state="visible")
    assert banner.inner_text().startswith("1 tờ khai mới")
    assert page.evaluate("window.hqMarker") == "same page"  # no reload
    assert page.locator(".queue-total").inner_text() == total
    banner.get_by_role("link", name="Hiển thị").click()
    count = int(total.split()[0]) + 1
    assert page.locator(".queue-total").inner_text() == f"{count} tờ khai"
    context.close()


def test_the_session_warns_before_it_ends(browser: Any, site: Site) -> None:
    context, page = _open(browser, site, "nb_officer1")
    warning = page.locator("#session-warning")
    assert warning.is_hidden()
    page.evaluate("window.hqSessionTimer(181)")  # three minutes and a second left
    warning.wait_for(state="visible", timeout=5000)
    assert "Phiên làm việc sẽ hết hạn sau 3 phút" in warning.inner_text()
    with page.expect_response("**/session/alive"):
        page.get_by_role("button", name="Tiếp tục làm việc").click()
    warning.wait_for(state="hidden")
    assert page.url == site.url + "/queue"
    context.close()


def test_a_team_lead_reassigns_in_bulk_and_prints_a_record(browser: Any, site: Site) -> None:
    with site.app.state.db.unit_of_work() as uow:
        org.add_officer(
            uow.session, username="nb_lead", unit="01AB", role="team_lead", password=PASSWORD, actor="test"
        )
        uow.commit()
    context, page = _open(browser, site, "nb_lead")
    who = assignees(site.world)
    picked = [n for n in site.yellow + site.red if who.get(n) not in (None, "nb_officer2")][:2]
    assert len(picked) == 2
    for number in picked:
        page.get_by_label(f"Chọn {number}").check()
    page.get_by_label("Giao cho").select_option("nb_officer2")
    with page.expect_navigation():
        page.get_by_role("button", name="Giao lại").click()
    assert page.locator(".flash").inner_text() == "Đã giao lại tờ khai"
    who = assignees(site.world)
    assert [who[n] for n in picked] == ["nb_officer2", "nb_officer2"]
    for number in picked:
        assert "nb_officer2" in page.locator("tr", has_text=number).inner_text()
    page.screenshot(path=str(IMG / "queue-lead.png"))

    done = site.red[1]  # decided in the draft test
    page.goto(f"{site.url}/declarations/{done}")
    page.get_by_role("link", name="In biên bản").click()
    page.wait_for_url(f"{site.url}/declarations/{done}/record")
    assert page.locator("h1").inner_text() == "BIÊN BẢN KIỂM TRA HỒ SƠ / THỰC TẾ HÀNG HÓA"
    assert "Hồ sơ khớp với chứng từ vận tải" in page.locator(".record-decisions").inner_text()
    page.screenshot(path=str(IMG / "record.png"), full_page=True)
    page.emulate_media(media="print")
    assert page.locator("header.top").is_hidden()
    assert page.locator("nav.main").is_hidden()
    assert page.locator(".record h1").is_visible()
    context.close()
