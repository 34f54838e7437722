"""Low-value goods through HTTP, on SQLite and PostgreSQL: bulk acceptance with an answer per item, rejection
naming the item's field, per-item idempotency, the 5,000 limit, scope, holds and releases."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from haiquan.organization import service as org
from tests.support import World

EXPRESS = "0300588569"  # the world's carrier, here an express company
OTHER = "0302098785"  # another express company
URL = "/api/v1/lowvalue/express-manifests"


@pytest.fixture
def lv(app: Any, world: World) -> World:
    with app.state.db.unit_of_work() as uow:
        _, key = org.add_enterprise(
            uow.session, tax_code=OTHER, name="Other Express", roles=["carrier"], actor="t"
        )
        uow.commit()
    world.keys[OTHER] = key
    return world


def item(n: int, **over: Any) -> dict[str, Any]:
    base = {
        "house_awb": f"HAWB{n:06d}",
        "consignee_name": f"Nguyen Van {n}",
        "consignee_address": "12 Hang Bai, Ha Noi",
        "description": "Cotton T-shirts",
        "hs_code": "610910",
        "country": "CN",
        "value": "25.00",
        "currency": "USD",
        "weight_kg": "0.450",
    }
    return base | over


def manifest(items: list[dict[str, Any]], master: str = "738-12345675") -> dict[str, Any]:
    return {
        "master_awb": master,
        "flight": "VN311",
        "flight_date": "2026-12-06",
        "office": "01AB",
        "direction": "import",
        "items": items,
    }


def send(w: World, body: dict[str, Any], who: str = EXPRESS, key: str | None = None) -> Any:
    return w.post(URL, w.ent(who), body, key)


def test_a_bulk_is_answered_item_by_item_and_a_wrong_item_names_its_field(lv: World) -> None:
    items = [item(i) for i in range(20)]
    items[17]["value"] = "-3"
    items[5]["value"] = "900.00"  # 900 USD: above the MIC threshold
    items[9]["country"] = "XX"
    items[11]["description"] = "shoes\x00"
    r = send(lv, manifest(items))
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["accepted"], out["rejected"], out["new"]) == (16, 4, 16)
    by_index = {x["index"]: x for x in out["items"]}
    assert by_index[17]["field"] == "items[17].value"
    assert by_index[5]["field"] == "items[5].value"
    assert by_index[5]["code"] == "above_low_value_threshold"
    assert by_index[9]["field"] == "items[9].country"
    assert by_index[11]["field"] == "items[11].description"
    good = by_index[0]
    assert good["outcome"] == "accepted"
    assert good["declaration_type"] == "MIC"
    assert good["number"].startswith("5")
    assert good["lane"] == "green"
    page = lv.client.get("/api/v1/lowvalue/parcels", headers=lv.ent(EXPRESS)).json()
    assert len(page["items"]) == 16  # the rejected items changed nothing
    assert "HAWB000017" not in {p["key"] for p in page["items"]}


def test_a_retried_bulk_gets_the_same_answers_and_lodges_nothing_twice(lv: World) -> None:
    body = manifest([item(i) for i in range(10)])
    first = send(lv, body).json()
    body["items"].append(item(10))
    again = send(lv, body).json()
    assert again["new"] == 1
    assert again["items"][:10] == first["items"]
    changed = manifest([item(3, value="26.00")])
    reused = send(lv, changed).json()["items"][0]
    assert (reused["outcome"], reused["field"], reused["code"]) == (
        "rejected",
        "items[0].house_awb",
        "item_key_reused",
    )
    twice = send(lv, manifest([item(20), item(20)])).json()["items"]
    assert [x["outcome"] for x in twice] == ["accepted", "rejected"]
    page = lv.client.get("/api/v1/lowvalue/parcels", headers=lv.ent(EXPRESS)).json()
    assert len(page["items"]) == 12


def test_a_whole_bulk_retried_under_its_idempotency_key_is_replayed(lv: World) -> None:
    body = manifest([item(i) for i in range(3)])
    first = send(lv, body, key="bulk-1")
    second = send(lv, body, key="bulk-1")
    assert second.headers.get("Idempotent-Replay") == "true"
    assert second.json() == first.json()


def test_more_than_5000_items_is_refused_naming_the_limit(lv: World) -> None:
    r = send(lv, manifest([item(i) for i in range(5001)]))
    assert r.status_code == 413
    assert r.json()["field"] == "items"
    assert "5,000" in r.json()["detail"]


def test_another_express_company_cannot_see_or_hold_yours(lv: World) -> None:
    number = send(lv, manifest([item(1)])).json()["items"][0]["number"]
    other = lv.ent(OTHER)
    assert lv.client.get(f"/api/v1/lowvalue/parcels/{number}", headers=other).status_code == 404
    r = lv.post(f"/api/v1/lowvalue/parcels/{number}/hold", other, {"reason": "scanner"})
    assert r.status_code == 404
    assert lv.client.get("/api/v1/lowvalue/parcels", headers=other).json()["items"] == []
    assert (
        lv.client.get(f"/api/v1/lowvalue/parcels/{number}", headers=lv.off("hp_officer")).status_code == 404
    )


def test_a_parcel_is_held_by_its_company_released_and_turned_red_by_an_officer(lv: World) -> None:
    number = send(lv, manifest([item(1)])).json()["items"][0]["number"]
    held = lv.post(f"/api/v1/lowvalue/parcels/{number}/hold", lv.ent(EXPRESS), {"reason": "scanner image"})
    assert held.json()["status"] == "held", held.text
    assert (
        lv.post(f"/api/v1/lowvalue/parcels/{number}/release", lv.ent(EXPRESS), {"reason": "x"}).status_code
        == 403
    )
    officer = lv.off("nb_officer1")
    released = lv.post(f"/api/v1/lowvalue/parcels/{number}/release", officer, {"reason": "image cleared"})
    assert released.json()["status"] == "released"
    red = lv.post(f"/api/v1/lowvalue/parcels/{number}/red", officer, {"reason": "open it"})
    assert (red.json()["lane"], red.json()["status"]) == ("red", "held")
    again = lv.post(f"/api/v1/lowvalue/parcels/{number}/red", officer, {"reason": "again"})
    assert again.status_code == 409


def test_a_postal_dispatch_and_an_export_bulk(lv: World, client: TestClient) -> None:
    body: dict[str, Any] = {
        "dispatch": "VNHANACNBJSAA6001",
        "transport": "VN512",
        "dispatch_date": "2026-12-06",
        "office": "01AB",
        "direction": "export",
        "items": [
            item(1) | {"item_id": "EE123456785VN", "bag": "BAG001", "value": "4000000", "currency": "VND"}
            for _ in range(1)
        ],
    }
    for it in body["items"]:
        it.pop("house_awb")
    r = lv.post("/api/v1/lowvalue/postal-dispatches", lv.ent(EXPRESS), body)
    assert r.status_code == 200, r.text
    got = r.json()["items"][0]
    assert (got["outcome"], got["declaration_type"], got["number"][0]) == ("accepted", "MEC", "6")
    assert got["lane"] == "yellow" or got["lane"] == "green"


def test_only_carriers_lodge_and_the_office_must_exist(lv: World) -> None:
    assert send(lv, manifest([item(1)]), who="0100109106").status_code == 403
    r = send(lv, manifest([item(1)]) | {"office": "99ZZ"})
    assert (r.status_code, r.json()["field"]) == (422, "office")


def test_the_lanes_come_from_the_risk_watch_lists(app: Any, lv: World) -> None:
    from haiquan.risk import watchlist

    with app.state.db.unit_of_work() as uow:
        for kind, value in (("consignee", "Nguyen  Van 2"), ("hs_code", "8517")):
            watchlist.add_entry(uow.session, kind=kind, value=value, reason="t", source="test", actor="t")
        uow.commit()
    items = [item(1), item(2), item(3, hs_code="851713"), item(4, hs_code=None, value="30.00")]
    lanes = [x["lane"] for x in send(lv, manifest(items)).json()["items"]]
    assert lanes == ["green", "red", "yellow", "yellow"]
    held = lv.client.get("/api/v1/lowvalue/parcels?status=held", headers=lv.off("nb_officer1")).json()
    assert sorted(p["key"] for p in held["items"]) == ["HAWB000002", "HAWB000003", "HAWB000004"]
