"""Each role's day on the work screens of issue 23, in headless Chromium against a real server: the port's
supervision officer clears an alert (the live count in the navigation falls), an enforcement officer opens a
case, records a seizure, edits the case and links a declaration, an analyst tests and edits a profile, sets
a lane override and adds a profile after testing its criteria, an administrator
issues an enterprise's API key (shown once), revokes it and finds it in the audit log, then creates an
officer's account (its first password shown once) and deactivates it. Asserts on what a
person sees; saves the screenshots of docs/pages.md."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from haiquan.kit import clock
from haiquan.risk import profiles
from haiquan.supervision import alerts
from haiquan.supervision.domain import AlertKind
from tests.e2e.conftest import Site
from tests.support import PASSWORD

pytestmark = pytest.mark.browser
IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def _page(browser: Any, username: str, site: Site, width: int = 1280) -> Any:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.goto(site.url + "/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(site.url + "/queue")
    return page


def _focused_class(page: Any) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.className"))


def test_supervision_officer_clears_an_alert(browser: Any, site: Site) -> None:
    with site.app.state.db.unit_of_work() as uow:
        row = alerts.row(
            AlertKind.DWELL, unit="01AB", goods_id=None, container="MSCU1234565", location_code="VNHAN",
            message_vi="Container lưu tại kho quá 90 ngày", message_en="Container kept over 90 days",
            detail={}, at=clock.now(), dedupe_key="e2e-dwell",
        )  # fmt: skip
        alerts.raise_many(uow.session, [row], source="e2e", actor="e2e")
        uow.commit()
    page = _page(browser, "nb_officer1", site)
    badge = page.locator("nav.main .nav-count")
    badge.wait_for(state="visible")
    assert badge.inner_text() == "1"
    page.get_by_role("link", name="Giám sát").click()
    page.locator("table.list tbody tr").first.get_by_role("link").first.click()
    assert page.locator("h1").inner_text().startswith("Cảnh báo số")
    page.get_by_role("button", name="Tiếp nhận cảnh báo").click()
    assert "Ghi chú: Bắt buộc nhập" in page.locator(".error-summary").inner_text()
    assert "error-summary" in _focused_class(page)
    page.screenshot(path=str(IMG / "supervision-alert.png"), full_page=True)
    page.locator("#f-note").fill("Đã cử tổ kiểm tra container")
    page.get_by_role("button", name="Tiếp nhận cảnh báo").click()
    assert page.locator(".flash").inner_text() == "Đã tiếp nhận cảnh báo"
    assert page.locator(".alert-status").inner_text() == "Đã tiếp nhận"
    page.reload()
    # polled from Python: the page's CSP (rightly) forbids the eval that page.wait_for_function uses
    deadline = time.monotonic() + 15
    while page.locator("nav.main .nav-count").text_content() != "0":
        assert time.monotonic() < deadline, "the nav's count of open alerts did not fall to 0"
        page.wait_for_timeout(100)
    assert not badge.is_visible()
    page.context.close()


def test_enforcement_officer_opens_a_case_and_records_a_seizure(browser: Any, site: Site) -> None:
    page = _page(browser, "nb_officer1", site)
    page.get_by_role("link", name="Vụ việc").click()
    assert page.locator("h1").inner_text() == "Sổ vụ việc"
    page.get_by_role("link", name="Khởi tạo vụ việc").click()
    page.get_by_label("Ngày phát hiện").fill("2026-11-20")
    page.get_by_label("Tóm tắt").fill("Hành lý ký gửi chuyến bay từ Paris chứa ma túy tổng hợp")
    page.get_by_role("button", name="Khởi tạo vụ việc").click()
    summary = page.locator(".error-summary")
    assert "Lĩnh vực: Bắt buộc nhập" in summary.inner_text()
    assert "error-summary" in _focused_class(page)
    page.get_by_label("Lĩnh vực").select_option("drugs")
    page.get_by_label("Tuyến").select_option("airport")
    page.get_by_label("Công an").check()
    page.get_by_role("button", name="Khởi tạo vụ việc").click()
    assert page.locator(".flash").inner_text() == "Đã khởi tạo vụ việc"
    assert page.locator("h1").inner_text().startswith("Vụ việc 01AB-2026-")
    assert page.locator(".case-status").inner_text() == "Mới phát hiện"
    form = page.locator("form#seizure")
    form.get_by_label("Loại tang vật").select_option("mdma")
    form.get_by_label("Số lượng").fill("2,5")
    form.get_by_label("Đơn vị tính").select_option("kg")
    form.get_by_label("Trị giá (đồng)").fill("1500000000")
    form.get_by_role("button", name="Nhập tang vật thu giữ").click()
    assert page.locator(".flash").inner_text() == "Đã ghi tang vật"
    row = page.locator("table.seizures tbody tr")
    assert row.count() == 1
    assert "ma túy tổng hợp (MDMA)" in row.inner_text()
    assert "2,5 kg" in row.inner_text()
    assert "1.500.000.000 ₫" in row.inner_text()
    edit = page.locator("form#edit")
    edit.get_by_label("Địa điểm (UN/LOCODE)").fill("VNHAN")
    edit.get_by_label("Bộ đội Biên phòng").check()
    edit.get_by_role("button", name="Sửa thông tin vụ việc").click()
    assert page.locator(".flash").inner_text() == "Đã lưu thông tin vụ việc"
    assert "Bộ đội Biên phòng, Công an" in page.locator("dl.facts").inner_text()
    links = page.locator("form#links")
    links.get_by_label("Số hồ sơ").fill("10410000")
    links.get_by_role("button", name="Liên kết hồ sơ").click()
    assert "Số hồ sơ không đúng định dạng" in page.locator(".error-summary").inner_text()
    links.get_by_label("Số hồ sơ").fill("104100000001")
    links.get_by_label("Ghi chú liên kết").fill("Tờ khai của lô hàng ký gửi")
    links.get_by_role("button", name="Liên kết hồ sơ").click()
    assert page.locator(".flash").inner_text() == "Đã liên kết hồ sơ với vụ việc"
    assert "Tờ khai: 104100000001 — Tờ khai của lô hàng ký gửi" in page.locator("#linked").inner_text()
    page.screenshot(path=str(IMG / "case.png"), full_page=True)
    page.get_by_role("link", name="Về sổ vụ việc").click()
    page.get_by_label("Trạng thái").select_option("detected")
    page.get_by_role("button", name="Lọc").click()
    assert page.locator("table.cases tbody tr").count() == 1
    page.screenshot(path=str(IMG / "case-register.png"), full_page=True)
    page.context.close()


def test_analyst_tests_and_edits_a_profile_and_sets_an_override(browser: Any, site: Site) -> None:
    with site.app.state.db.unit_of_work() as uow:
        pid = profiles.install_defaults(uow.session, actor="e2e")[0]
        uow.commit()
    page = _page(browser, "analyst", site)
    page.get_by_role("link", name="Phân tích").click()
    assert page.locator("h1").inner_text() == "Hồ sơ rủi ro"
    page.get_by_role("link", name=pid, exact=True).click()
    test = page.locator("form#test")
    test.get_by_role("button", name="Chạy thử").click()
    assert "tờ khai trúng tiêu chí" in page.locator(".test-result").inner_text()
    edit = page.locator("form#edit")
    edit.get_by_label("Tên").fill("Hồ sơ đã đổi tên")
    edit.get_by_role("button", name="Lưu").click()
    assert "Lý do thay đổi: Bắt buộc nhập" in page.locator(".error-summary").inner_text()
    edit.get_by_label("Lý do thay đổi").fill("Đặt tên rõ hơn")
    edit.get_by_role("button", name="Lưu").click()
    assert page.locator(".flash").inner_text() == "Đã lưu phiên bản mới của hồ sơ"
    assert "Phiên bản 2" in page.locator(".timeline").inner_text()
    page.screenshot(path=str(IMG / "analyst-profile.png"), full_page=True)
    page.get_by_role("link", name="Tỷ lệ phân luồng và chỉ định luồng").click()
    form = page.locator("form#override")
    form.get_by_label("Đối tượng").select_option("declarant")
    form.get_by_label("Giá trị (MST hoặc số tờ khai)").fill("0101248141")
    form.get_by_label("Luồng").select_option("red")
    form.get_by_label("Hết hiệu lực").fill(str(clock.today_vn().replace(year=clock.today_vn().year + 1)))
    form.get_by_label("Lý do").fill("Nghi vấn khai sai xuất xứ")
    form.get_by_role("button", name="Chỉ định luồng").click()
    assert page.locator(".flash").inner_text() == "Đã chỉ định luồng"
    assert "0101248141" in page.locator("table.overrides").inner_text()
    page.screenshot(path=str(IMG / "analyst-lanes.png"), full_page=True)
    page.get_by_role("link", name="Hồ sơ rủi ro").click()
    page.get_by_role("link", name="Thêm hồ sơ rủi ro").click()
    form = page.locator("form#new")
    form.get_by_label("Mã hồ sơ").fill("P-CARS-JPKR")
    form.get_by_label("Tên", exact=True).fill("Ô tô nhập từ Nhật, Hàn khai giá thấp")
    form.get_by_label("Tiêu chí", exact=True).fill("hs starts 8703 and origin in (JP, KR) -> red")
    form.get_by_role("button", name="Chạy thử").click()
    assert "tờ khai trúng tiêu chí" in page.locator(".test-result").inner_text()
    page.screenshot(path=str(IMG / "analyst-profile-new.png"), full_page=True)
    form.get_by_role("button", name="Lưu").click()
    assert "Lý do thay đổi: Bắt buộc nhập" in page.locator(".error-summary").inner_text()
    form.get_by_label("Lý do thay đổi").fill("Chuyên đề ô tô nhập khẩu")
    form.get_by_role("button", name="Lưu").click()
    assert page.locator(".flash").inner_text() == "Đã thêm hồ sơ rủi ro"
    assert page.locator("h1").inner_text() == "Hồ sơ rủi ro P-CARS-JPKR"
    page.context.close()


def test_administrator_issues_and_revokes_a_key_and_reads_the_audit_log(browser: Any, site: Site) -> None:
    page = _page(browser, "admin", site)
    page.get_by_role("link", name="Quản trị").click()
    page.get_by_role("link", name="Doanh nghiệp và khóa API").click()
    page.get_by_role("link", name="0101248141").click()
    page.get_by_label("Mục đích sử dụng").fill("Hệ thống khai hải quan 2027")
    page.get_by_label("Quản lý khóa và webhook").uncheck()
    page.get_by_role("button", name="Cấp khóa API mới").click()
    key = page.locator("code.issued-key").inner_text()
    assert key.startswith("hq_") or len(key) > 20
    row = page.locator("table.keys tbody tr", has_text="Hệ thống khai hải quan 2027")
    assert "Đọc (GET), Ghi" in row.inner_text()
    page.screenshot(path=str(IMG / "admin-keys.png"), full_page=True)
    page.goto(page.url)  # the key is never shown again
    assert page.locator("code.issued-key").count() == 0
    row.get_by_role("button", name="Thu hồi").click()
    assert page.locator(".flash").inner_text() == "Đã thu hồi khóa API"
    assert row.locator(".key-state").inner_text() == "Hết hiệu lực"
    page.get_by_role("link", name="Nhật ký kiểm toán").click()
    page.get_by_label("Công chức (tên đăng nhập)").fill("admin")
    page.get_by_role("button", name="Lọc").click()
    text = page.locator("table.audit").inner_text()
    assert "enterprise.api_key_revoked" in text
    assert "enterprise.api_key_issued" in text
    page.screenshot(path=str(IMG / "admin-audit.png"), full_page=True)
    page.get_by_role("link", name="Công chức", exact=True).click()
    page.get_by_role("link", name="Thêm công chức").click()
    form = page.locator("form#new-officer")
    form.get_by_label("Tên đăng nhập").fill("nb_officer9")
    form.get_by_label("Đơn vị").select_option("01AB")
    form.get_by_role("button", name="Thêm công chức").click()
    assert "Họ và tên: Bắt buộc nhập" in page.locator(".error-summary").inner_text()
    form.get_by_label("Họ và tên").fill("Nguyễn Thu Hà")
    form.get_by_role("button", name="Thêm công chức").click()
    assert "Đã tạo tài khoản công chức nb_officer9" in page.locator(".issued").inner_text()
    assert len(page.locator("code.issued-password").inner_text()) >= 12
    page.screenshot(path=str(IMG / "admin-officer-new.png"), full_page=True)
    page.get_by_role("link", name="Công chức nb_officer9").click()
    page.get_by_label("Đang hoạt động").uncheck()
    page.get_by_role("button", name="Lưu").click()
    assert page.locator(".officer-status").inner_text() == "Đã khóa"
    page.context.close()
