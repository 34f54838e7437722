"""An officer's daily work through HTTP, on SQLite and PostgreSQL: the header's search, the queue (true
count, pages, filters, names, the live count of new checks, take and reassign), the decision form that loses
nothing, the printed record; each refused outside the officer's units and to a declarant."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from haiquan.kit import clock
from haiquan.kit.tables import AuditEntry as AuditRow
from haiquan.kit.tables import OutboxEvent as OutboxRow
from haiquan.organization import service as org
from haiquan.web import queue as queue_pages
from tests.support import PASSWORD, World, import_declaration
from tests.web.helpers import assignees, csrf_of, login, registered

CONTAINER = "MSCU1234566"


def _lodge_sea(world: World) -> str:
    body = import_declaration(transport_mode="sea", transport_document="HPH2612345", containers=[CONTAINER])
    r = world.lodge(body)
    assert r.status_code == 201, r.text
    return str(r.json()["number"])


def _team_lead(app: Any, username: str = "nb_lead", unit: str = "01AB") -> None:
    with app.state.db.unit_of_work() as uow:
        org.add_officer(
            uow.session, username=username, unit=unit, role="team_lead", password=PASSWORD, actor="test"
        )
        uow.commit()


def test_search_finds_by_every_kind_of_reference_in_scope(world: World, app: Any, client: TestClient) -> None:
    (yellow,) = registered(world, app, "yellow")
    sea = _lodge_sea(world)
    login(client, "nb_officer1")
    jump = client.get("/search", params={"q": yellow}, follow_redirects=False)
    assert jump.status_code == 303
    assert jump.headers["location"] == f"/declarations/{yellow}"
    for q in ("0100109106", "cong ty co phan hang KHONG viet", "thuong mai minh anh", "8517", "738-12345675"):
        page = client.get("/search", params={"q": q}).text
        assert yellow in page, q
        assert "Công ty Cổ phần Hàng không Việt" in page, q
    by_bill = client.get("/search", params={"q": "hph2612345"}).text
    assert sea in by_bill
    assert yellow not in by_bill
    by_box = client.get("/search", params={"q": CONTAINER}).text
    assert sea in by_box
    assert "1 kết quả" in by_box
    nothing = client.get("/search", params={"q": "không có công ty này"}).text
    assert "Không tìm thấy tờ khai nào" in nothing
    english = client.get("/search", params={"q": "8517", "lang": "en"}).text
    assert "2 results for “8517”" in english


def test_search_dates_are_checked_and_bound_the_results(world: World, app: Any, client: TestClient) -> None:
    (number,) = registered(world, app, "yellow")
    login(client, "nb_officer1")
    today = clock.today_vn()
    inside = client.get("/search", params={"q": "8517", "from": today.isoformat(), "to": today.isoformat()})
    assert number in inside.text
    later = (today + timedelta(days=1)).isoformat()
    assert number not in client.get("/search", params={"q": "8517", "from": later}).text
    bad = client.get("/search", params={"q": "8517", "from": "31/12/2026"})
    assert bad.status_code == 200
    assert "Ngày không hợp lệ" in bad.text
    backwards = client.get("/search", params={"q": "8517", "from": later, "to": today.isoformat()})
    assert "phải sau" in backwards.text


def test_search_stays_within_the_officers_units(world: World, app: Any, client: TestClient) -> None:
    (number,) = registered(world, app, "yellow")
    login(client, "hp_officer")
    for q in (number, "0100109106", "hang khong viet", "8517"):
        page = client.get("/search", params={"q": q}, follow_redirects=False)
        assert page.status_code == 200, q
        assert f'href="/declarations/{number}"' not in page.text, q
        assert "Không tìm thấy tờ khai nào" in page.text, q
    key = world.ent("0100109106")
    assert client.get("/search", params={"q": "8517"}, headers=key, follow_redirects=False).status_code == 403


def test_queue_counts_pages_filters_and_names(
    world: World, app: Any, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    yellow = registered(world, app, "yellow", count=3)
    red = registered(world, app, "red", count=2)
    monkeypatch.setattr(queue_pages, "PAGE_SIZE", 2)
    login(client, "nb_leader")
    first = client.get("/queue").text
    assert "5 tờ khai" in first
    assert "Trang 1/3" in first
    assert "Công ty Cổ phần Hàng không Việt" in first
    assert first.count('name="number"') == 2
    third = client.get("/queue?page=3").text
    past = client.get("/queue?page=9&channel=yellow", follow_redirects=False)
    assert past.headers["location"] == "/queue?channel=yellow&page=2"
    assert third.count('name="number"') == 1
    reds = client.get("/queue?channel=red").text
    assert "2 tờ khai" in reds
    assert not any(n in reds for n in yellow)
    who = assignees(world)
    officer_id = _officer_id(app, "nb_officer1")
    theirs = client.get(f"/queue?officer={officer_id}").text
    assert f"{sum(1 for n in yellow + red if who[n] == 'nb_officer1')} tờ khai" in theirs
    assert "0 tờ khai" in client.get("/queue?declarant=0101248141").text
    assert "5 tờ khai" in client.get("/queue?declarant=0100109106&officer=bogus&channel=blue&page=x").text
    assert "0 tờ khai" in client.get("/queue?overdue=1").text
    _overdue(app, red[0])
    late = client.get("/queue?overdue=1").text
    assert "1 tờ khai" in late
    assert red[0] in late


def _overdue(app: Any, number: str) -> None:
    from haiquan.declarations.tables import DeclarationRow

    with app.state.db.unit_of_work() as uow:
        row = uow.session.get(DeclarationRow, number)
        assert row is not None
        row.check_deadline = clock.now() - timedelta(minutes=5)
        uow.commit()


def _officer_id(app: Any, username: str) -> str:
    from haiquan.organization.tables import OfficerRow

    with app.state.db.unit_of_work() as uow:
        return str(uow.session.scalar(select(OfficerRow.id).where(OfficerRow.username == username)))


def test_the_live_count_of_new_checks(world: World, app: Any, client: TestClient) -> None:
    registered(world, app, "yellow")
    login(client, "nb_officer1")
    since = clock.now().isoformat()
    assert client.get("/queue/news", params={"since": since}).json()["count"] == 0
    registered(world, app, "red")
    registered(world, app, "yellow", office="03CC")
    assert client.get("/queue/news", params={"since": since}).json()["count"] == 1
    assert client.get("/queue/news", params={"since": "yesterday"}).json()["count"] == 0
    login(client, "hp_officer")
    assert client.get("/queue/news", params={"since": since}).json()["count"] == 1


def test_take_and_reassign_single_and_bulk(world: World, app: Any, client: TestClient) -> None:
    numbers = registered(world, app, "yellow", count=2)
    _team_lead(app)
    who = assignees(world)
    other = next(n for n in numbers if who[n] != "nb_officer1")
    login(client, "nb_officer1")
    csrf = csrf_of(client.get("/queue").text)
    taken = client.post(
        "/queue/assign", data={"csrf": csrf, "number": other, "action": "take"}, follow_redirects=False
    )
    assert taken.status_code == 303
    assert "Một số tờ khai không thực hiện được" in client.get(taken.headers["location"]).text
    assert assignees(world)[other] == who[other]  # held by another officer: only a team lead moves it
    with app.state.db.unit_of_work() as uow:
        refusals = uow.session.scalars(
            select(AuditRow.actor).where(AuditRow.action == "access.refused")
        ).all()
    assert refusals == ["officer:nb_officer1"]
    refused = client.post(
        "/queue/assign",
        data={"csrf": csrf, "number": numbers, "action": "reassign", "officer": "nb_officer1"},
    )
    assert "Chỉ đội trưởng trở lên được giao lại" in refused.text

    login(client, "nb_lead")
    page = client.get("/queue").text
    assert "Giao lại" in page
    bulk = client.post(
        "/queue/assign",
        data={"csrf": csrf_of(page), "number": numbers, "action": "reassign", "officer": "nb_officer2"},
    )
    assert "Đã giao lại tờ khai" in bulk.text
    assert {assignees(world)[n] for n in numbers} == {"nb_officer2"}
    client.post("/queue/assign", data={"csrf": csrf_of(bulk.text), "number": numbers[0], "action": "take"})
    assert assignees(world)[numbers[0]] == "nb_lead"
    with app.state.db.unit_of_work() as uow:
        audits = uow.session.scalars(
            select(AuditRow.actor).where(AuditRow.action == "check.reassigned").order_by(AuditRow.id)
        ).all()
        events = uow.session.scalars(
            select(OutboxRow.payload).where(OutboxRow.type == "check.reassigned")
        ).all()
    assert audits[-3:] == ["officer:nb_lead"] * 3
    assert [e["cause"] for e in events][-3:] == ["team_lead", "team_lead", "taken"]


def test_another_unit_cannot_take_or_reassign(world: World, app: Any, client: TestClient) -> None:
    (number,) = registered(world, app, "yellow")
    _team_lead(app, "hp_lead", "03CC")
    before = assignees(world)[number]
    login(client, "hp_lead")
    csrf = csrf_of(client.get("/queue").text)
    for action in ("take", "reassign"):
        r = client.post(
            "/queue/assign", data={"csrf": csrf, "number": number, "action": action, "officer": "nb_officer1"}
        )
        assert "Một số tờ khai không thực hiện được" in r.text
    assert assignees(world)[number] == before
    assert client.post("/queue/assign", data={"number": number, "action": "take"}).status_code == 403


def test_a_failed_decision_shows_an_error_summary_and_keeps_the_text(
    world: World, app: Any, client: TestClient
) -> None:
    (red,) = registered(world, app, "red")
    login(client, assignees(world)[red])
    page = client.get(f"/declarations/{red}").text
    assert 'type="radio" name="kind"' in page
    assert 'type="radio" name="fraud_found"' in page
    r = client.post(
        f"/declarations/{red}/decision",
        data={"csrf": csrf_of(page), "kind": "inspection_result", "reason": "Đã kiểm tra thực tế lô hàng"},
    )
    assert r.status_code == 422
    summary = r.text.split('class="error-summary"')[1].split("</div>")[0]
    assert "autofocus" in summary
    assert 'href="#fraud_found"' in summary
    assert 'href="#findings"' in summary
    assert "Đã kiểm tra thực tế lô hàng" in r.text
    assert 'value="inspection_result" checked' in r.text


def test_an_expired_session_mid_decision_comes_back_to_the_declaration(
    world: World, app: Any, client: TestClient
) -> None:
    (number,) = registered(world, app, "yellow")
    login(client, assignees(world)[number])
    csrf = csrf_of(client.get(f"/declarations/{number}").text)
    client.cookies.set("hq_session", "ended-session")
    r = client.post(
        f"/declarations/{number}/decision",
        data={"csrf": csrf, "kind": "documents_accepted", "reason": "Hồ sơ hợp lệ"},
        headers={"referer": f"http://testserver/declarations/{number}"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"/login?next=/declarations/{number}&expired=1"
    login(client, "nb_officer1")
    back = client.get(f"/declarations/{number}/decision", follow_redirects=False)
    assert back.status_code == 303
    assert back.headers["location"] == f"/declarations/{number}#decision"
    assert "json" not in back.headers.get("content-type", "")


def test_the_printed_record(world: World, app: Any, client: TestClient) -> None:
    (number,) = registered(world, app, "yellow")
    login(client, assignees(world)[number])
    page = client.get(f"/declarations/{number}").text
    assert f"/declarations/{number}/record" in page
    client.post(
        f"/declarations/{number}/decision",
        data={"csrf": csrf_of(page), "kind": "documents_accepted", "reason": "Hồ sơ đầy đủ"},
    )
    record = client.get(f"/declarations/{number}/record")
    assert record.status_code == 200
    assert "BIÊN BẢN KIỂM TRA HỒ SƠ" in record.text
    assert "Chấp nhận hồ sơ" in record.text
    assert "Hồ sơ đầy đủ" in record.text
    assert 'href="/static/print.css" media="print"' in record.text
    login(client, "hp_officer")
    assert client.get(f"/declarations/{number}/record").status_code == 404
    key = world.ent("0100109106")
    assert client.get(f"/declarations/{number}/record", headers=key).status_code == 403


def test_stay_signed_in_answers_the_idle_timeout(world: World, client: TestClient) -> None:
    login(client, "nb_officer1")
    page = client.get("/queue").text
    assert 'data-idle-seconds="1800"' in page
    assert client.get("/session/alive").json() == {"idle_seconds": 1800}
    client.cookies.clear()
    assert client.get("/session/alive", follow_redirects=False).status_code == 303


def test_a_container_opens_its_consignment(db: Any, settings: Any) -> None:
    import json

    from haiquan.app import create_app
    from haiquan.demo.world import DEMO_PASSWORD, seed
    from haiquan.tariff import service as tariff_service

    org.TREES.invalidate()
    tariff_service.invalidate()
    seed(db, settings, declarations_count=5)
    creds = json.loads((settings.data_dir / "demo-credentials.json").read_text())
    ready = creds["vessel"]["bills"][1]
    with TestClient(create_app(settings, db)) as client:
        token = client.post("/api/v1/auth/token", data={"username": "hp_kv1_1", "password": DEMO_PASSWORD})
        officer = {"Authorization": f"Bearer {token.json()['access_token']}"}
        page = client.get("/search", params={"q": ready["container"].lower()}, headers=officer).text
        assert f'href="/supervision/goods/{ready["goods_id"]}"' in page
        assert ready["declaration"] in page
        token = client.post("/api/v1/auth/token", data={"username": "noibai_1", "password": DEMO_PASSWORD})
        other = {"Authorization": f"Bearer {token.json()['access_token']}"}
        page = client.get("/search", params={"q": ready["container"]}, headers=other).text
        assert "/supervision/goods/" not in page
        assert ready["declaration"] not in page.split("</form>")[-1]


def test_polling_does_not_keep_the_session_alive_but_a_page_does(
    world: World, app: Any, client: TestClient
) -> None:
    from haiquan.organization.tables import OfficerSessionRow

    def last_seen() -> Any:
        with app.state.db.unit_of_work() as uow:
            return uow.session.scalar(select(OfficerSessionRow.last_seen_at))

    login(client, "nb_officer1")
    before = last_seen()
    clock.freeze(clock.now() + timedelta(minutes=5))
    try:
        assert client.get("/queue/news", params={"since": before.isoformat()}).status_code == 200
        assert last_seen() == before
        assert client.get("/queue").status_code == 200
        assert last_seen() > before
    finally:
        clock.freeze(None)


def test_escalations_show_in_the_queue_of_the_officers_concerned(
    world: World, app: Any, client: TestClient
) -> None:
    from haiquan.declarations.escalation import Escalations

    yellow, late = registered(world, app, "yellow", count=2)
    _team_lead(app)
    _overdue(app, late)
    assert Escalations(app.state.db).run_once() == 1
    login(client, "nb_lead")
    page = client.get("/queue").text
    assert "1 tờ khai quá hạn đã chuyển lên anh/chị" in page
    assert "Chuyển lên nb_lead" in page
    mine = client.get("/queue?escalated=1").text
    assert "1 tờ khai" in mine
    assert late in mine
    assert yellow not in mine
    login(client, assignees(world)[late])
    theirs = client.get("/queue?mine=1").text
    assert "Chuyển lên nb_lead" in theirs
    assert "đã chuyển lên anh/chị" not in theirs
    assert "Chuyển lên tôi" not in theirs  # not a lead: no such filter
