"""No page sends data to a third party: /enforcement and /reports in headless Chromium draw their charts under a
Content-Security-Policy with `connect-src 'self'` (nothing refused by it, no request to another host), and
Plotly shows no mode bar at all (so no button that shares a chart to a cloud service); /docs runs Swagger UI
from this site alone."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Site
from tests.support import PASSWORD

pytestmark = pytest.mark.browser
# /risk shares the same bundle and configuration; with this world's data it shows its empty state, no chart
PAGES = ["/enforcement?unit=01&from=2020-01-01&to=2020-12-31&period=quarter", "/reports"]


def _token(site: Site, username: str) -> str:
    r = httpx.post(f"{site.url}/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    return str(r.json()["access_token"])


@pytest.mark.parametrize("path", PAGES)
def test_charts_draw_under_a_policy_that_keeps_data_on_this_site(site: Site, browser: Any, path: str) -> None:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.add_cookies([{"name": "hq_session", "value": _token(site, "hn_leader"), "url": site.url}])
    page = ctx.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda m: errors.append(f"{m.text} {m.location['url']}") if m.type == "error" else None
    )
    elsewhere: list[str] = []
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("request", lambda req: None if req.url.startswith(site.url) else elsewhere.append(req.url))
    try:
        answer = page.goto(site.url + path)
        assert answer is not None
        assert answer.status == 200
        csp = answer.headers["content-security-policy"]
        assert "default-src 'self'" in csp
        assert "connect-src 'self'" in csp
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=15000)
        plot = page.locator(".js-plotly-plot").first
        plot.hover()  # a mode bar would show on hover
        page.wait_for_timeout(300)
        assert page.locator(".modebar-btn").count() == 0  # no mode bar (decision 0023)
        assert page.locator('.modebar-btn[data-title="Share chart..."]').count() == 0
        assert page.locator('[data-title*="Chart Studio"], .modebar-btn--logo').count() == 0
        assert page.locator('a[href*="plotly.com"], a[href*="plot.ly"]').count() == 0
        assert elsewhere == []
        # nothing refused by the Content-Security-Policy (the browser's own favicon look-up aside)
        assert [e for e in errors if not e.endswith("/favicon.ico")] == []
    finally:
        ctx.close()


def test_swagger_ui_works_from_this_site_only(site: Site, browser: Any) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    elsewhere: list[str] = []
    page.on("request", lambda req: None if req.url.startswith(site.url) else elsewhere.append(req.url))
    try:
        answer = page.goto(site.url + "/docs")
        assert answer is not None
        assert "connect-src 'self'" in answer.headers["content-security-policy"]
        page.wait_for_selector(".opblock", timeout=20000)  # the operations, read from /openapi.json
        assert page.locator(".opblock").count() > 50
        assert elsewhere == []
        assert errors == []
    finally:
        page.close()
