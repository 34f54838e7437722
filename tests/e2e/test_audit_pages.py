"""The post-clearance audit's pages in headless Chromium against a real server loaded by `haiquan demo seed`
(issue #21's story included): the audit officer of Cục Hải quan Hà Nội reads the plans and the queue, opens
a desk audit on the trader's other green declaration, records findings through the form (a missing
finding refused first), and closes the case; the English page; the analyst reads the comparisons' charts,
runs a retraining and promotes the challenger. Saves docs/img/audit-case.png (docs/audit.md shows it)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from haiquan.demo.world import DEMO_PASSWORD, seed
from haiquan.kit import clock
from haiquan.kit.db import Database
from haiquan.kit.settings import Settings
from tests.e2e.conftest import running

pytestmark = pytest.mark.browser
IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


@dataclass
class Demo:
    url: str
    story: dict[str, Any]
    data_dir: Path


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    from haiquan.app import create_app
    from haiquan.organization import service as org
    from haiquan.tariff import service as tariff_service

    tmp = tmp_path_factory.mktemp("e2e-audit")
    db = Database(f"sqlite:///{tmp / 'haiquan.db'}")
    db.create_all()
    settings = Settings(data_dir=tmp, secret_key="e2e-secret-" + "k" * 32, dispatcher_interval_seconds=0.2)
    org.TREES.invalidate()
    tariff_service.invalidate()
    seed(db, settings, declarations_count=5)
    story = json.loads((tmp / "demo-credentials.json").read_text())["vessel"]["audit"]
    with running(create_app(settings, db)) as url:
        yield Demo(url, story, tmp)
    db.dispose()


def _page(browser: Any, demo: Demo, username: str, target: str) -> tuple[Any, list[str]]:
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
    page.goto(demo.url + target)
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(demo.url + target)
    return page, problems


def test_the_audit_officer_opens_records_and_closes_a_case(browser: Any, demo: Demo) -> None:
    page, problems = _page(browser, demo, "ktstq_hn", "/audit/plans")
    assert page.locator("h1").inner_text() == "Kế hoạch kiểm tra sau thông quan"
    assert demo.story["period"] in page.locator("table.audit-plans").inner_text()
    page.get_by_role("link", name="Kiểm tra sau thông quan: tờ khai chờ kiểm tra").click()
    assert page.locator("h1").inner_text() == "Kiểm tra sau thông quan: tờ khai chờ kiểm tra"
    assert demo.story["declaration"] in page.locator("table.audit-cases").inner_text()  # the seeded case
    row = page.locator("table.audit-queue tbody tr", has_text=demo.story["other"])
    assert "Truy vấn của chuyên viên" in row.inner_text()
    row.get_by_label("Hình thức").select_option("desk")
    row.get_by_label("Phạm vi kiểm tra").fill("Trị giá hải quan và xuất xứ")
    row.get_by_role("button", name="Mở cuộc kiểm tra").click()
    page.wait_for_url(re.compile(r".*/audit/cases/\w+$"))
    assert page.locator(".flash").inner_text() == "Đã lưu."
    assert page.locator(".audit-status").inner_text() == "Đang kiểm tra"
    assert page.locator(".trader-class").inner_text() == "Tuân thủ thấp"  # reclassified by the seeded audit
    page.get_by_label("Có vi phạm", exact=True).check()
    page.get_by_label("Số thuế khai thiếu (đồng)").fill("1.500.000")
    page.get_by_role("button", name="Ghi nhận kết luận").click()  # no finding written: refused
    assert page.locator("ul.errors li[data-field=findings]").count() == 1
    problems.clear()  # the refusal answered 422, as it should
    page.get_by_label("Có vi phạm", exact=True).check()
    page.get_by_label("Số thuế khai thiếu (đồng)").fill("1.500.000")
    page.get_by_label("Kết luận kiểm tra (mỗi dòng một ý)").fill(
        "Xuất xứ Thái Lan không được chứng minh\nKhai thấp cước vận chuyển"
    )
    page.get_by_label("Hồ sơ, chứng từ đã kiểm tra (mỗi dòng một ý)").fill("Vận đơn hàng không\nC/O mẫu D")
    page.get_by_role("button", name="Ghi nhận kết luận").click()
    assert page.locator(".audit-status").inner_text() == "Đã có kết luận"
    assert "Khai thấp cước vận chuyển" in page.locator("section.card").first.inner_text()
    page.get_by_role("button", name="Kết thúc và ra quyết định ấn định thuế").click()
    assert page.locator(".audit-status").inner_text() == "Đã kết thúc"
    text = page.locator("section.card").first.inner_text()
    assert "1.500.000" in text
    assert "proposed" in text  # an officer of the audit field proposes the penalty; a leader decides it
    page.screenshot(path=str(IMG / "audit-case.png"), full_page=True)
    page.goto(page.url + "?lang=en")
    assert page.locator("h1").inner_text().startswith("Post-clearance audit case")
    assert page.locator(".audit-status").inner_text() == "Closed"
    assert problems == []
    page.context.close()


def test_the_analyst_reads_the_charts_and_promotes_a_challenger(browser: Any, demo: Demo) -> None:
    with httpx.Client(base_url=demo.url, timeout=60) as client:
        token = client.post("/api/v1/auth/token", data={"username": "analyst", "password": DEMO_PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        now = clock.now()
        body = {"cutoff": (now - timedelta(days=9)).isoformat(), "test_to": now.isoformat(),
                "model_dir": str(demo.data_dir / "models")}  # fmt: skip
        r = client.post("/api/v1/risk/retraining", json=body, headers=headers)
        assert r.status_code == 201, r.text
        fresh = r.json()["id"]
    page, problems = _page(browser, demo, "analyst", "/risk/comparisons")
    assert page.locator("h1").inner_text() == "So sánh mô hình thách thức và mô hình đang dùng"
    seeded = page.locator(f"#c-{demo.story['retraining']['comparison']}")
    assert "promoted" in seeded.inner_text()  # the demo's analyst promoted the first challenger
    page.wait_for_selector(f"#chart-{fresh} .main-svg")
    assert page.evaluate(f"document.getElementById('chart-{fresh}').data.length") == 2
    section = page.locator(f"#c-{fresh}")
    section.get_by_label("Lý do quyết định").fill("Bắt được khai thấp trị giá máy điều hòa")
    section.get_by_role("button", name="Đưa mô hình thách thức vào sử dụng").click()
    assert page.locator(".flash").inner_text() == "Đã ghi nhận quyết định"
    assert "promoted" in page.locator(f"#c-{fresh}").inner_text()
    assert page.locator(f"#c-{fresh} form").count() == 0
    page.goto(demo.url + "/risk/comparisons?lang=en")
    assert page.locator("h1").inner_text() == "Challenger and champion compared"
    assert problems == []
    page.context.close()
