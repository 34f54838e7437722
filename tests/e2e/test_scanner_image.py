"""An officer in headless Chromium opens a declaration that a scanner's suspicious image turned red: the
inspection form shows the image (served from customs' store under the page's CSP), the operator's verdict
and the image's hash."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Site
from tests.inspection.helpers import BASE, approved, png, scan_body, scanner, sha, store
from tests.support import PASSWORD
from tests.web.helpers import registered

pytestmark = pytest.mark.browser
IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def test_the_inspection_form_shows_the_scanner_image_and_verdict(browser: Any, site: Site) -> None:
    world = site.world
    loc = approved(world)
    key = {"Authorization": f"Bearer {scanner(world, loc)['device_key']}"}
    data = png(width=120, height=80)
    stored = store(world, key, data)
    assert stored.status_code == 201, stored.text
    (number,) = registered(world, site.app, "yellow")
    image = {"reference": stored.json()["reference"], "sha256": sha(data), "size_bytes": len(data),
             "content_type": "image/png"}  # fmt: skip
    r = world.post(f"{BASE}/scans", key, scan_body(loc, image, declaration_number=number))
    assert r.status_code == 201, r.text

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.goto(site.url + "/login")
    page.get_by_label("Tên đăng nhập").fill("nb_leader")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(site.url + "/queue")
    page.goto(f"{site.url}/declarations/{number}")
    assert page.locator(".state .badge").inner_text() == "Luồng đỏ"
    section = page.locator("#scanner-images")
    assert section.is_visible()
    img = section.locator("img")
    img.wait_for()
    assert page.evaluate("(el) => el.complete && el.naturalWidth", img.element_handle()) == 120
    text = section.inner_text()
    assert "Nghi vấn" in text
    assert "Khối đặc không khai báo" in text
    assert sha(data) in text
    assert loc["code"] in text
    assert "Chuyển luồng đỏ" in text
    assert "Ảnh soi nghi vấn" in page.locator("ul.reasons").inner_text()
    section.screenshot(path=str(IMG / "scanner-image.png"))  # docs/inspection.md shows it
    context.close()
