"""axe-core (the test dependency axe-playwright-python bundles it; the app never serves it) run in headless
Chromium over every officers' page, in Vietnamese, on a desktop and on a phone: no serious or critical
violation. The context bypasses the pages' Content-Security-Policy only so that axe's script can be added."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.conftest import Site
from tests.services import axe_script
from tests.support import PASSWORD

pytestmark = pytest.mark.browser
SEVERE = ("serious", "critical")


def _login(page: Any, site: Site, username: str) -> None:
    page.goto(site.url + "/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(site.url + "/queue")


def severe(page: Any, script: str) -> list[str]:
    """The serious and critical violations axe finds on the page as it is now, one line each."""
    page.evaluate(script)
    found = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): " + json.dumps([n["target"] for n in v["nodes"]][:4])
        for v in found["violations"]
        if v["impact"] in SEVERE
    ]


def _pages(site: Site) -> dict[str, str]:
    number = site.yellow[0]
    return {
        "queue": "/queue",
        "declarations": "/declarations",
        "declaration": f"/declarations/{number}",
        "reports": "/reports",
        "enforcement": "/enforcement",
        "risk": "/risk",
        "sharing": "/sharing",
        "alerts": "/supervision/alerts",
        "terminals": "/supervision/terminals",
        "error": "/reports?unit=03",  # another department's: the error page
        "not found": "/no-such-page",
    }


@pytest.mark.parametrize("size", [(1280, 900), (375, 812)], ids=["desktop", "phone"])
def test_no_serious_violation_on_any_page(browser: Any, site: Site, size: tuple[int, int]) -> None:
    script = axe_script()
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]}, locale="vi-VN", bypass_csp=True
    )
    page = context.new_page()
    page.goto(site.url + "/login")
    found = {"login": severe(page, script)}
    _login(page, site, "hn_leader")
    for name, path in _pages(site).items():
        page.goto(site.url + path)
        page.wait_for_load_state("load")
        if page.locator(".chart").count():
            page.wait_for_timeout(300)  # the charts drawn
        found[name] = severe(page, script)
    context.close()
    assert {k: v for k, v in found.items() if v} == {}
