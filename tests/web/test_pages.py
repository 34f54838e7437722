"""The officers' pages through HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from haiquan.kit.tables import AuditEntry as AuditRow
from haiquan.web import hashed, pages
from tests.declarations.test_flow import pay
from tests.support import World
from tests.web.helpers import assignees, csrf_of, login, registered, status_of


def test_anonymous_pages_redirect_to_login(world: World, client: TestClient, app: Any) -> None:
    for path in ("/queue", "/declarations?channel=red", "/declarations/100000000016"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/login?next=" + path.split("?")[0]), r.headers["location"]
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    # a forged or expired cookie: back to the login page, the cookie dropped, the refusal audited
    client.cookies.set("hq_session", "not-a-token")
    r = client.get("/queue", follow_redirects=False)
    assert r.status_code == 303
    assert "expired=1" in r.headers["location"]
    assert 'hq_session=""' in r.headers["set-cookie"]
    page = client.get(r.headers["location"])
    assert "Phiên làm việc đã hết hạn" in page.text
    with app.state.db.unit_of_work() as uow:
        refused = uow.session.execute(
            select(AuditRow.actor, AuditRow.target).where(AuditRow.action == "access.refused")
        ).all()
    assert [tuple(a) for a in refused] == [("anonymous", "GET /queue")]


def test_login_sets_a_strict_httponly_cookie_and_refuses_bad_passwords(
    world: World, client: TestClient, app: Any
) -> None:
    bad = login(client, "nb_officer1", "wrong-password")
    assert bad.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in bad.text
    assert "hq_session" not in bad.headers.get("set-cookie", "")
    with app.state.db.unit_of_work() as uow:
        refused = uow.session.scalars(select(AuditRow).where(AuditRow.action == "auth.login")).all()
        assert [a.outcome for a in refused] == ["refused"]
    r = login(client, "nb_officer1")
    assert r.status_code == 303
    assert r.headers["location"] == "/queue"
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("hq_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Max-Age=28800" in cookie
    page = client.get("/queue")
    assert page.status_code == 200
    assert "nb_officer1" in page.text
    assert "01AB" in page.text
    csp = page.headers["content-security-policy"]
    assert csp.startswith("default-src 'self'; script-src 'self' 'nonce-")
    assert "unsafe-eval" not in csp
    assert client.get("/queue").headers["content-security-policy"] != csp  # a fresh nonce per page
    # the navigation shows the pages that exist, not placeholders of modules not installed
    assert 'href="/declarations"' in page.text
    assert 'href="/risk"' not in page.text
    assert client.get("/", follow_redirects=False).headers["location"] == "/queue"


def test_login_form_needs_its_csrf_token(world: World, client: TestClient) -> None:
    client.get("/login")
    r = client.post("/login", data={"username": "nb_officer1", "password": "x" * 10}, follow_redirects=False)
    assert r.status_code == 403
    assert "text/html" in r.headers["content-type"]


def test_queue_lists_the_officers_units_only(world: World, app: Any, client: TestClient) -> None:
    noi_bai = registered(world, app, "yellow", count=2) + registered(world, app, "red")
    hai_phong = registered(world, app, "yellow", office="03CC")
    registered(world, app, "green")  # never in a queue
    login(client, "nb_officer1")
    page = client.get("/queue").text
    assert all(n in page for n in noi_bai)
    assert hai_phong[0] not in page
    assert page.index(noi_bai[0]) < page.index(noi_bai[1]) < page.index(noi_bai[2])  # oldest first
    assert "Luồng vàng" in page
    assert "Luồng đỏ" in page
    assert "Luồng xanh" not in page
    # "only mine" keeps what the round-robin gave nb_officer1
    who = assignees(world)
    mine = client.get("/queue?mine=1").text
    assert {n for n in noi_bai if n in mine} == {n for n in noi_bai if who[n] == "nb_officer1"} != set()
    login(client, "hp_officer")
    page = client.get("/queue").text
    assert hai_phong[0] in page
    assert not any(n in page for n in noi_bai)


def test_another_units_declaration_is_not_found(world: World, app: Any, client: TestClient) -> None:
    (number,) = registered(world, app, "yellow")
    login(client, "hp_officer")
    r = client.get(f"/declarations/{number}")
    assert r.status_code == 404
    assert "Không tìm thấy" in r.text
    assert number not in r.text.split("<main>")[1]
    csrf = csrf_of(client.get("/queue").text)
    r = client.post(
        f"/declarations/{number}/decision",
        data={"csrf": csrf, "kind": "documents_accepted", "reason": "Hồ sơ hợp lệ"},
        follow_redirects=False,
    )
    assert r.status_code == 404
    assert status_of(world, number) == "registered"
    assert client.get("/declarations").text.count(number) == 0


def test_a_decision_posted_through_the_form_clears_a_yellow_declaration(
    world: World, app: Any, client: TestClient
) -> None:
    (number,) = registered(world, app, "yellow")
    login(client, assignees(world)[number])
    page = client.get(f"/declarations/{number}")
    assert page.status_code == 200
    assert "Chấp nhận hồ sơ" in page.text
    assert "Smartphones" in page.text
    assert "85171300" in page.text
    assert "21.320.000 ₫" in page.text  # total duties, VND with dots
    r = client.post(
        f"/declarations/{number}/decision",
        data={"csrf": csrf_of(page.text), "kind": "documents_accepted", "reason": "Hồ sơ hợp lệ"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"/declarations/{number}"
    after = client.get(r.headers["location"]).text
    assert "Đã ghi quyết định" in after
    assert "Chờ nộp thuế" in after
    assert "Hồ sơ hợp lệ" in after
    assert number not in client.get("/queue").text
    pay(app, number, "21320000")
    assert status_of(world, number) == "cleared"
    assert "Đã thông quan" in client.get(f"/declarations/{number}").text


def test_missing_or_foreign_csrf_token_is_refused(world: World, app: Any, client: TestClient) -> None:
    (number,) = registered(world, app, "yellow")
    login(client, "nb_officer2")
    foreign = csrf_of(client.get("/queue").text)
    login(client, "nb_leader")
    body = {"kind": "documents_accepted", "reason": "Hồ sơ hợp lệ"}
    for extra in ({}, {"csrf": ""}, {"csrf": foreign}):
        r = client.post(f"/declarations/{number}/decision", data=body | extra, follow_redirects=False)
        assert r.status_code == 403
        assert "Biểu mẫu đã hết hạn" in r.text
    assert status_of(world, number) == "registered"
    assert client.post("/logout", data={}, follow_redirects=False).status_code == 403
    with app.state.db.unit_of_work() as uow:
        actions = uow.session.scalars(select(AuditRow.actor).where(AuditRow.action == "access.refused")).all()
    assert actions.count("officer:nb_leader") == 4
    own = csrf_of(client.get("/queue").text)
    out = client.post("/logout", data={"csrf": own}, follow_redirects=False)
    assert out.status_code == 303
    assert out.headers["location"] == "/login"
    assert client.get("/queue", follow_redirects=False).status_code == 303


def test_form_errors_are_shown_in_vietnamese_on_their_field(
    world: World, app: Any, client: TestClient
) -> None:
    yellow, red = registered(world, app, "yellow") + registered(world, app, "red")
    login(client, "nb_leader")
    csrf = csrf_of(client.get("/queue").text)
    r = client.post(f"/declarations/{yellow}/decision", data={"csrf": csrf, "kind": "documents_accepted"})
    assert r.status_code == 422
    assert 'id="err-reason">Bắt buộc nhập' in r.text
    r = client.post(
        f"/declarations/{yellow}/decision", data={"csrf": csrf, "kind": "nonsense", "reason": "ab"}
    )
    assert 'id="err-reason">Cần ít nhất 3 ký tự' in r.text
    assert 'id="err-kind">Lựa chọn không hợp lệ' in r.text
    r = client.post(
        f"/declarations/{yellow}/decision",
        data={
            "csrf": csrf,
            "kind": "inspection_result",
            "reason": "Kiểm tra",
            "fraud_found": "no",
            "findings": "Phù hợp",
        },
    )
    assert r.status_code == 409
    assert 'id="err-kind">Không thể ra quyết định này' in r.text
    r = client.post(
        f"/declarations/{red}/decision",
        data={"csrf": csrf, "kind": "inspection_result", "reason": "Đã kiểm tra"},
    )
    assert r.status_code == 422
    assert 'id="err-fraud_found">Cần ghi kết quả' in r.text
    assert status_of(world, yellow) == "registered"
    assert status_of(world, red) == "inspection_intended"
    # an officer sees no form on another officer's check, and a forged post is refused
    other = next(u for u in ("nb_officer1", "nb_officer2") if u != assignees(world)[red])
    login(client, other)
    page = client.get(f"/declarations/{red}").text
    assert 'name="kind"' not in page
    assert "được phân cho công chức khác" in page
    r = client.post(
        f"/declarations/{red}/decision",
        data={"csrf": csrf_of(page), "kind": "documents_accepted", "reason": "Hồ sơ hợp lệ"},
    )
    assert r.status_code == 403
    assert status_of(world, red) == "inspection_intended"


def test_english_switch_changes_labels_and_sticks(world: World, app: Any, client: TestClient) -> None:
    (number,) = registered(world, app, "yellow")
    login(client, "nb_leader")
    vi = client.get("/queue").text
    assert "Hàng đợi kiểm tra" in vi
    assert "Luồng vàng" in vi
    assert "Đã đăng ký" in vi
    en = client.get("/queue?lang=en")
    assert "Checks to do" in en.text
    assert ">Yellow<" in en.text
    assert "Registered" in en.text
    assert "hq_lang=en" in en.headers["set-cookie"]
    detail = client.get(f"/declarations/{number}").text  # the cookie keeps English
    assert 'lang="en"' in detail
    assert "21,320,000 VND" in detail
    assert "Selected at the office" in detail
    assert "Documents accepted" in detail
    back = client.get(f"/declarations/{number}?lang=vi").text
    assert "21.320.000 ₫" in back
    assert "Chọn theo tỷ lệ phân luồng" in back


def test_enterprises_are_refused_the_officers_pages(world: World, client: TestClient) -> None:
    key = world.ent("0100109106")
    for path in ("/queue", "/declarations"):
        r = client.get(path, headers=key, follow_redirects=False)
        assert r.status_code == 403
        assert "Bạn không có quyền" in r.text
    client.cookies.set("hq_session", world.keys["0100109106"])
    assert client.get("/queue", follow_redirects=False).status_code == 403


def test_declarations_list_filters_and_pages(
    world: World, app: Any, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    yellow = registered(world, app, "yellow", count=3)
    (red,) = registered(world, app, "red")
    login(client, "nb_leader")
    only_red = client.get("/declarations?channel=red").text
    assert red in only_red
    assert not any(n in only_red for n in yellow)
    monkeypatch.setattr(pages, "PAGE_SIZE", 2)
    first = client.get("/declarations?channel=yellow").text
    assert yellow[2] in first
    assert yellow[1] in first
    assert yellow[0] not in first
    nxt = first.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = client.get(nxt).text
    assert yellow[0] in second
    assert yellow[1] not in second
    assert 'rel="next"' not in second
    assert client.get("/declarations?cursor=garbage!").status_code == 200  # a stale link starts over


def test_static_files_and_the_partial_plotly_bundle_compressed_and_cached(
    world: World, client: TestClient
) -> None:
    css = client.get("/static/haiquan.css")
    assert css.status_code == 200
    assert "@media" in css.text
    url = hashed.url("plotly.js")
    assert url.startswith("/assets/plotly.")
    assert url.endswith(".js")
    js = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert js.status_code == 200
    assert js.headers["content-type"].startswith("text/javascript")
    assert js.headers["content-encoding"] == "gzip"
    assert js.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert b"plotly.js (cartesian - minified) v4" in js.content[:200]  # httpx decoded it
    assert int(js.headers["content-length"]) < 600_000  # the cartesian build, gzipped (4.8 MB in full)
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert len(plain.content) > 1_000_000
    again = client.get(url, headers={"If-None-Match": js.headers["etag"]})
    assert again.status_code == 304
    assert client.get("/assets/plotly.000000000000.js").status_code == 404
    assert client.get("/static/vendor/plotly.min.js").status_code == 404  # the full bundle is not served
    paths = client.get("/openapi.json").json()["paths"]
    assert "/queue" not in paths
    assert "/login" not in paths
    assert "/api/v1/officer/queue" in paths
