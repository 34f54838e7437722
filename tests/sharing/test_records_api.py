"""The replicated records' routes (JSON and pages), each in the caller's scope: a department officer sees
its sub-departments' records, a sub-department officer only its own unit's, another department none, an
enterprise is refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from haiquan.declarations.catalogue import DeclarationEvent
from haiquan.enforcement.catalogue import EnforcementEvent
from haiquan.kit import clock
from haiquan.sharing import service
from haiquan.sharing.service import Received
from tests.sharing.test_records import LAYOUT, T0, declaration, ev
from tests.support import World

NB = "100000000017"  # lodged and registered at 01AB
TN = "100000000099"  # lodged at 01TE


def setup(app: Any) -> None:
    db = app.state.db
    batches = [
        ("01AB", [
            ev(DeclarationEvent.LODGED, declaration("lodged", number=NB), at=T0),
            ev(DeclarationEvent.REGISTERED, declaration("registered", number=NB, channel="red"),
               at=T0 + timedelta(minutes=3)),
            ev(EnforcementEvent.CASE_OPENED, {"case_id": "c1", "number": "01AB-2026-00001", "unit": "01B1",
               "field": "drugs", "route": "air", "province": "01", "region": "north",
               "detected_on": "2026-03-01", "coordinated_with": []}, unit="01B1"),
        ]),
        ("01TE", [ev(DeclarationEvent.LODGED, declaration("lodged", number=TN, office="01TE"), unit="01TE")]),
    ]  # fmt: skip
    for node, events in batches:
        with db.unit_of_work() as uow:
            batch = [Received(e, node, i + 1) for i, e in enumerate(events)]
            service.ingest(uow.session, batch=batch, layout=LAYOUT)
            uow.commit()
    app.state.dispatcher.run_once()  # the records are projected from the outbox copies (sharing.records)


def numbers(world: World, who: str, query: str = "") -> list[str]:
    r = world.client.get(f"/api/v1/sharing/records{query}", headers=world.off(who))
    assert r.status_code == 200, r.text
    return sorted(i["reference"] for i in r.json()["items"])


def test_the_list_is_scoped_and_filtered(world: World, app: Any) -> None:
    setup(app)
    assert numbers(world, "hn_leader") == ["01AB-2026-00001", NB, TN]
    assert numbers(world, "gd_leader") == ["01AB-2026-00001", NB, TN]
    assert numbers(world, "nb_officer1") == ["01AB-2026-00001", NB]
    assert numbers(world, "nb_team_officer") == []  # 01B3: neither 01AB's own nor 01B1's
    assert numbers(world, "tn_officer") == [TN]
    assert numbers(world, "hp_leader") == []
    assert numbers(world, "hn_leader", "?kind=declaration") == [NB, TN]
    assert numbers(world, "hn_leader", "?kind=case&status=detected") == ["01AB-2026-00001"]
    assert numbers(world, "hn_leader", "?unit=01TE") == [TN]
    assert numbers(world, "hn_leader", "?q=10000000001") == [NB]
    assert numbers(world, "hn_leader", "?status=registered") == [NB]
    page = world.client.get("/api/v1/sharing/records?limit=1&offset=1", headers=world.off("hn_leader")).json()
    assert (page["total"], len(page["items"]), page["offset"]) == (3, 1, 1)
    bad = world.client.get("/api/v1/sharing/records?kind=person", headers=world.off("hn_leader"))
    assert bad.status_code == 422
    assert (
        world.client.get("/api/v1/sharing/records?limit=201", headers=world.off("hn_leader")).status_code
        == 422
    )


def test_one_record_with_its_history_when_it_changed_and_from_which_node(world: World, app: Any) -> None:
    setup(app)
    r = world.client.get(f"/api/v1/sharing/records/declaration/{NB}", headers=world.off("hn_leader"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["origin"], body["unit"], body["status"], body["read_only"]) == (
        "01AB",
        "01AB",
        "registered",
        True,
    )
    assert body["summary"]["lane"] == "red"
    assert body["updated_at"].startswith((T0 + timedelta(minutes=3)).isoformat()[:19])
    assert body["received_at"] >= body["updated_at"]
    assert [h["type"] for h in body["history"]] == [DeclarationEvent.LODGED, DeclarationEvent.REGISTERED]
    case = world.client.get("/api/v1/sharing/records/case/01AB-2026-00001", headers=world.off("nb_officer1"))
    assert case.status_code == 200
    assert case.json()["record_id"] == "c1"


def test_outside_the_scope_is_not_found_and_enterprises_are_refused(world: World, app: Any) -> None:
    setup(app)
    url = f"/api/v1/sharing/records/declaration/{NB}"
    for who in ("tn_officer", "hp_leader", "nb_team_officer"):
        r = world.client.get(url, headers=world.off(who))
        assert r.status_code == 404, who
        assert r.headers["content-type"].startswith("application/problem+json")
    for path in ("/api/v1/sharing/records", url):
        assert world.client.get(path, headers=world.ent("0100109106")).status_code == 403
        assert world.client.get(path).status_code == 401
    assert (
        world.client.get("/api/v1/sharing/records/person/x", headers=world.off("hn_leader")).status_code
        == 422
    )


def test_pages_show_the_copy_its_last_update_and_its_node(world: World, app: Any) -> None:
    setup(app)
    off = world.off("hn_leader")
    listing = world.client.get("/sharing/records", headers=off)
    assert listing.status_code == 200
    assert f'href="/sharing/records/declaration/{NB}"' in listing.text
    assert "Bản sao chỉ đọc" in listing.text
    assert "từ nút 01AB" in listing.text
    assert "Read-only copies" in world.client.get("/sharing/records?lang=en", headers=off).text
    form = world.client.get("/sharing/records?lang=vi&kind=&q=10000000001&unit=&status=", headers=off)
    assert form.status_code == 200  # the filter form as a browser sends it: empty fields are no filter
    assert NB in form.text
    assert TN not in form.text
    detail = world.client.get(f"/sharing/records/declaration/{NB}?lang=vi", headers=off)  # (en remembered)
    assert detail.status_code == 200
    shown = clock.to_vn(T0 + timedelta(minutes=3)).strftime("%d/%m/%Y %H:%M:%S")
    assert f"Cập nhật lần cuối: {shown}" in detail.text
    assert "(từ nút 01AB)" in detail.text
    assert "Tờ khai đăng ký" in detail.text  # the history in words
    en = world.client.get(f"/sharing/records/declaration/{NB}?lang=en", headers=off).text
    assert f"Last updated: {shown}" in en
    assert "(from node 01AB)" in en
    assert (
        world.client.get(f"/sharing/records/declaration/{NB}", headers=world.off("hp_leader")).status_code
        == 404
    )
    assert 'id="records-link"' in world.client.get("/sharing", headers=off).text
    trader = world.client.get("/sharing/records", headers=world.ent("0100109106"), follow_redirects=False)
    assert trader.status_code == 403
    anonymous = world.client.get("/sharing/records", headers={"Accept": "text/html"}, follow_redirects=False)
    assert anonymous.status_code == 303
