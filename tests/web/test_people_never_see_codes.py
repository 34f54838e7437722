"""What a person reads instead of codes: the error page (never problem+json or an HTTP code) for a
browser outside the API, domain details and actors in Vietnamese, the dashboard's Excel headers in the
page's language; and the assets at hashed URLs that the layout links."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from io import BytesIO
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from haiquan.kit import clock
from haiquan.reports import exports
from haiquan.web import hashed, i18n
from tests.support import World

HTML = {"Accept": "text/html,application/xhtml+xml"}


def test_problem_details_and_actors_in_words() -> None:
    assert i18n.problem_text("to is before from", "vi") == "Ngày kết thúc ở trước ngày bắt đầu"
    assert i18n.problem_text("to is before from", "en") == "The end date is before the start date"
    assert i18n.problem_text("some english detail", "vi") == "Yêu cầu không thực hiện được"
    assert i18n.actor_label("enterprise:0302098785", {"0302098785": "Sài Gòn Xanh"}) == "Sài Gòn Xanh"
    assert i18n.actor_label("enterprise:0302098785") == "Doanh nghiệp 0302098785"
    assert i18n.actor_label("officer:nb_1", None, "en") == "Officer nb_1"
    assert i18n.actor_label("system") == "Hệ thống"
    assert i18n.label("enforcement_count", "smuggling_detected") == "Vụ buôn lậu phát hiện, bắt giữ"


def test_a_browser_gets_the_error_page_and_the_api_its_problem(client: TestClient) -> None:
    page = client.get("/no-such-page?lang=vi", headers=HTML)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Không tìm thấy" in page.text
    shown = re.sub(r"<[^>]+>", " ", page.text.split("<main>")[1])
    assert "404" not in shown  # no HTTP code shown to a person
    assert "data-focus" in page.text  # the heading takes the focus
    api = client.get("/api/v1/no-such-thing", headers=HTML)
    assert api.headers["content-type"].startswith("application/problem+json")  # the API stays JSON
    machine = client.get("/no-such-page")
    assert machine.headers["content-type"].startswith("application/problem+json")


def test_a_page_with_a_wrong_query_is_the_error_page(world: World, client: TestClient) -> None:
    token = world.off("hn_leader")["Authorization"].split()[1]
    client.cookies.set("hq_session", token)
    wrong = client.get("/enforcement?from=2026-03-01&to=2026-01-01&lang=vi")
    assert wrong.status_code == 422
    assert "Ngày kết thúc ở trước ngày bắt đầu" in wrong.text
    assert "to is before from" not in wrong.text
    bad = client.get("/reports?date_from=yesterday&lang=vi")
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("text/html")
    assert "Giá trị nhập không hợp lệ" in bad.text


def test_the_layout_links_hashed_assets_and_a_skip_link(world: World, client: TestClient) -> None:
    token = world.off("hn_leader")["Authorization"].split()[1]
    client.cookies.set("hq_session", token)
    page = client.get("/reports?lang=vi")
    for name in ("haiquan.css", "haiquan.js", "charts.js", "plotly.js"):
        assert page.text.count(hashed.url(name)) == 1, name
    assert '<a class="skip" href="#content">' in page.text
    css = client.get(hashed.url("haiquan.css"), headers={"Accept-Encoding": "gzip"})
    assert css.headers["cache-control"] == hashed.IMMUTABLE
    assert css.headers["vary"] == "Accept-Encoding"


def test_excel_exports_speak_the_pages_language(world: World, app: Any) -> None:
    clock.freeze(datetime(2026, 3, 31, 5, tzinfo=UTC))
    who = world.off("hn_leader")
    q = "unit=01&date_from=2026-01-01&date_to=2026-03-31"
    vi = world.client.get(f"/api/v1/reports/revenue/export?{q}&lang=vi", headers=who)
    book = load_workbook(BytesIO(vi.content))
    assert book.sheetnames[0] == "Thu ngân sách"
    first = list(book[book.sheetnames[0]].iter_rows(values_only=True))
    assert first[0] == ("Chỉ tiêu", "Giá trị")
    assert ("Dự toán (đồng)" in [r[0] for r in first]) is True
    en = world.client.get(f"/api/v1/reports/revenue/export?{q}&lang=en", headers=who)
    assert load_workbook(BytesIO(en.content)).sheetnames[0] == "Revenue"
    assert exports.word("collected", None) == "collected"  # no language: the API's field names
