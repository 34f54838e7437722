"""Enforcement through HTTP on SQLite and PostgreSQL: cases, seizures, reports, scope, personal data."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from haiquan.kit.tables import AuditEntry, OutboxEvent
from haiquan.risk import watchlist
from tests.support import World

BASE = "/api/v1/enforcement"


def open_case(world: World, who: str = "nb_officer1", **over: Any) -> dict[str, Any]:
    body = {"unit": "01AB", "detected_on": "2020-03-10", "field": "drugs", "route": "airport"} | over
    r = world.post(f"{BASE}/cases", world.off(who), body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def seize(world: World, case_id: str, items: list[dict[str, Any]], who: str = "nb_officer1") -> Any:
    return world.post(f"{BASE}/cases/{case_id}/seizures", world.off(who), {"items": items})


def test_create_seize_and_report_totals(client: TestClient, world: World) -> None:
    a = open_case(world)
    assert a["number"] == "01AB-2020-00001"
    assert a["province"] == "VN-HN"
    assert a["region"] == "north"
    r = seize(world, a["id"], [
        {"category": "mdma", "quantity": "12000.05", "unit": "g", "count": 20000, "count_unit": "tablet"},
        {"category": "heroin", "quantity": "1.5", "unit": "kg"},
    ])  # fmt: skip
    assert r.status_code == 201, r.text
    assert [i["quantity"] for i in r.json()] == ["12000.05", "1.5"]
    b = open_case(
        world,
        "tn_officer",
        unit="01TE",
        detected_on="2020-05-02",
        route="express",
        coordinated_with=["police"],
    )
    assert (
        seize(
            world, b["id"], [{"category": "mdma", "quantity": "17552.10", "unit": "g"}], "tn_officer"
        ).status_code
        == 201
    )
    c = open_case(world, field="origin_fraud", route="airport", detected_on="2020-06-01")
    assert (
        seize(
            world,
            c["id"],
            [{"category": "cigarettes", "quantity": 500, "unit": "piece", "value_vnd": 750000}],
        ).status_code
        == 201
    )
    lead = world.off("nb_leader")
    assert (
        client.post(
            f"{BASE}/cases/{c['id']}/status",
            json={"to": "prosecuted", "decided_on": "2020-06-20"},
            headers=lead,
        ).status_code
        == 200
    )
    hp = open_case(world, "hp_officer", unit="03CC", route="seaport")
    assert (
        seize(
            world, hp["id"], [{"category": "mdma", "quantity": "999", "unit": "g"}], "hp_officer"
        ).status_code
        == 201
    )

    r = client.get(
        f"{BASE}/reports/summary",
        params={"unit": "01", "from": "2020-01-01", "to": "2020-12-31"},
        headers=world.off("hn_leader"),
    )
    assert r.status_code == 200, r.text
    rep = r.json()
    assert rep["counts"] == {
        "smuggling_detected": 1, "prosecuted": 1, "transferred": 0, "drug_cases": 2,
        "drug_cases_coordinated": 1, "persons_detained": 0,
    }  # fmt: skip
    mdma = rep["substances"][0]
    assert (mdma["category"], mdma["grams"], mdma["tablets"], mdma["items"]) == (
        "mdma",
        "29552.15",
        "20000",
        2,
    )
    assert rep["substances"][1]["grams"] == "1500"  # 1.5 kg, the only conversion there is
    assert rep["goods"][0]["pieces"] == "500"
    assert rep["goods"][0]["value_vnd"] == "750000"
    assert (
        "29.552,15 gam ma túy tổng hợp (MDMA) (khoảng 20 nghìn viên trên 12.000,05 gam đã đếm); 1.500 gam ma túy loại Heroin"
        in rep["text_vi"]
    )
    # Hai Phong's seizure stays out of Ha Noi's report; the General Department sees both
    gd = client.get(
        f"{BASE}/reports/summary",
        params={"unit": "00", "from": "2020-01-01", "to": "2020-12-31"},
        headers=world.off("gd_leader"),
    ).json()
    assert gd["substances"][0]["grams"] == "30551.15"


def test_future_date_and_wrong_unit_are_rejected_with_the_field(client: TestClient, world: World) -> None:
    r = world.post(
        f"{BASE}/cases",
        world.off("nb_officer1"),
        {"unit": "01AB", "detected_on": "2999-01-01", "field": "drugs", "route": "airport"},
    )
    assert r.status_code == 422
    assert r.json()["field"] == "detected_on"
    case = open_case(world)
    r = seize(
        world,
        case["id"],
        [
            {"category": "heroin", "quantity": "3", "unit": "g"},
            {"category": "mdma", "quantity": "10", "unit": "bags"},
        ],
    )
    assert r.status_code == 422
    assert r.json()["field"] == "items[1].unit"
    r = seize(
        world, case["id"], [{"category": "mdma", "quantity": "10", "unit": "g", "seized_on": "2999-01-01"}]
    )
    assert r.json()["field"] == "items[0].seized_on"
    r = world.post(
        f"{BASE}/cases",
        world.off("nb_officer1"),
        {
            "unit": "01AB",
            "detected_on": "2020-01-01",
            "field": "drugs",
            "route": "airport",
            "province": "Atlantis",
        },
    )
    assert r.status_code == 422
    assert r.json()["field"] == "province"
    assert client.get(f"{BASE}/cases/{case['id']}", headers=world.off("nb_officer1")).json()["items"] == []


def test_officer_of_another_unit_cannot_see_or_edit(client: TestClient, world: World) -> None:
    case = open_case(world)
    hp = world.off("hp_officer")
    assert client.patch(f"{BASE}/cases/{case['id']}", json={"summary": "x"}, headers=hp).status_code == 404
    assert client.get(f"{BASE}/cases/{case['id']}", headers=hp).status_code == 404
    assert (
        seize(
            world, case["id"], [{"category": "mdma", "quantity": "1", "unit": "g"}], "hp_officer"
        ).status_code
        == 404
    )
    r = world.post(
        f"{BASE}/cases",
        hp,
        {"unit": "01AB", "detected_on": "2020-01-01", "field": "drugs", "route": "airport"},
    )
    assert r.status_code == 403
    assert r.json()["field"] == "unit"
    assert client.get(f"{BASE}/cases", headers=hp).json()["items"] == []
    assert (
        client.get(
            f"{BASE}/reports/summary",
            params={"unit": "01", "from": "2020-01-01", "to": "2020-12-31"},
            headers=hp,
        ).status_code
        == 404
    )
    assert client.get(f"{BASE}/cases", headers=world.ent("0100109106")).status_code == 403
    ok = client.patch(
        f"{BASE}/cases/{case['id']}",
        json={"summary": "Nội Bài", "coordinated_with": ["police"]},
        headers=world.off("nb_officer2"),
    )
    assert ok.status_code == 200
    assert ok.json()["coordinated_with"] == ["police"]
    assert [
        c["id"]
        for c in client.get(f"{BASE}/cases", params={"unit": "01"}, headers=world.off("hn_leader")).json()[
            "items"
        ]
    ] == [case["id"]]


def test_persons_are_protected_and_every_read_is_audited(client: TestClient, world: World, app: Any) -> None:
    case = open_case(world)
    person = {
        "full_name": "Nguyễn Văn A",
        "id_number": "001090000001",
        "nationality": "VN",
        "birth_year": 1990,
        "detained": True,
    }
    assert (
        world.post(f"{BASE}/cases/{case['id']}/persons", world.off("nb_officer1"), person).status_code == 201
    )
    assert world.post(f"{BASE}/cases/{case['id']}/persons", world.off("analyst"), person).status_code == 403
    assert client.get(f"{BASE}/cases/{case['id']}/persons", headers=world.off("analyst")).status_code == 403
    assert (
        client.get(f"{BASE}/cases/{case['id']}/persons", headers=world.off("hp_officer")).status_code == 404
    )
    assert (
        client.get(f"{BASE}/cases/{case['id']}/persons", headers=world.ent("0100109106")).status_code == 403
    )
    got = client.get(f"{BASE}/cases/{case['id']}", headers=world.off("analyst")).json()
    assert got["persons_count"] == 1
    assert "Nguyễn" not in str(got)
    r = client.get(f"{BASE}/cases/{case['id']}/persons", headers=world.off("hn_leader"))
    assert r.status_code == 200
    assert r.json()[0]["id_number"] == "001090000001"
    with app.state.db.unit_of_work() as uow:
        reads = uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "enforcement.person_read")
        ).all()
        assert [e.actor for e in reads] == ["officer:hn_leader"]
        refused = uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "access.refused")).all()
        assert any(e.actor == "officer:analyst" for e in refused)
        payloads = [
            e.payload
            for e in uow.session.scalars(
                select(OutboxEvent).where(OutboxEvent.type.like("enforcement.%"))
            ).all()
        ]
    assert payloads
    assert all("Nguyễn" not in str(p) and "001090000001" not in str(p) for p in payloads)


def test_status_flow_and_confirmed_case_feeds_the_watch_list(
    client: TestClient, world: World, app: Any
) -> None:
    case = open_case(world, field="origin_fraud")
    off, lead = world.off("nb_officer1"), world.off("nb_leader")
    link = world.post(f"{BASE}/cases/{case['id']}/links", off, {"kind": "enterprise", "value": "0101248141"})
    assert link.status_code == 201
    watch = {"kind": "enterprise", "value": "0101248141", "reason": "origin fraud confirmed"}
    r = world.post(f"{BASE}/cases/{case['id']}/watchlist", off, watch)
    assert r.status_code == 409
    assert r.json()["field"] == "status"
    r = client.post(f"{BASE}/cases/{case['id']}/status", json={"to": "prosecuted"}, headers=off)
    assert r.status_code == 403  # a leader's decision
    assert (
        client.post(
            f"{BASE}/cases/{case['id']}/status",
            json={"to": "under_investigation", "decided_on": "2020-03-11"},
            headers=off,
        ).status_code
        == 200
    )
    r = client.post(
        f"{BASE}/cases/{case['id']}/status",
        json={"to": "transferred_police", "decided_on": "2020-04-01"},
        headers=lead,
    )
    assert r.status_code == 200
    assert r.json()["confirmed"] is True
    assert [h["to_status"] for h in r.json()["history"]] == [
        "detected",
        "under_investigation",
        "transferred_police",
    ]
    r = client.post(f"{BASE}/cases/{case['id']}/status", json={"to": "prosecuted"}, headers=lead)
    assert r.status_code == 409
    assert r.json()["field"] == "to"
    other = world.post(f"{BASE}/cases/{case['id']}/watchlist", off, watch | {"value": "0100109106"})
    assert other.status_code == 422
    assert other.json()["field"] == "value"
    r = world.post(f"{BASE}/cases/{case['id']}/watchlist", off, watch)
    assert r.status_code == 201
    assert r.json()["source"] == f"case:{case['number']}"
    assert r.json()["added_by"] == "officer:nb_officer1"
    route = world.post(
        f"{BASE}/cases/{case['id']}/watchlist", off, {"kind": "route", "reason": "airport route"}
    )
    assert route.json()["value"] == "airport:VN-HN"
    assert (
        world.post(
            f"{BASE}/cases/{case['id']}/watchlist",
            off,
            {"kind": "hs_code", "value": "8517.12", "reason": "phones"},
        ).status_code
        == 201
    )
    with app.state.db.unit_of_work() as uow:
        assert watchlist.is_watched(uow.session, "enterprise", "0101248141")
        assert not watchlist.is_watched(uow.session, "enterprise", "0100109106")
        assert watchlist.is_watched(uow.session, "hs_code", "85171200")
        assert [e.kind for e in watchlist.active_entries(uow.session)] == ["enterprise", "route", "hs_code"]


def test_excel_export_opens(client: TestClient, world: World) -> None:
    case = open_case(world)
    seize(world, case["id"], [{"category": "ketamine", "quantity": "392.41", "unit": "g"}])
    r = client.get(
        f"{BASE}/reports/summary.xlsx",
        params={"unit": "01", "from": "2020-01-01", "to": "2020-12-31"},
        headers=world.off("hn_leader"),
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(BytesIO(r.content))
    assert wb.sheetnames[:3] == ["Tổng hợp", "Ma túy", "Hàng hóa"]
    assert "392,41 gam Ketamine" in str(wb["Tổng hợp"]["A2"].value)
    assert [c.value for c in wb["Ma túy"][2]][:3] == ["ketamine", "Ketamine", 392.41]
