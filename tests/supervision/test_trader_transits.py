"""Transits declared by the trader, through HTTP on both databases: declared with a guarantee reserved,
accepted by the departure office, seen and closed by the destination office, refused, cancelled, late
(alerts at both offices, a notification to the trader), and the scopes (a third office, another enterprise)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from haiquan.kit import clock
from haiquan.kit.tables import OutboxEvent
from haiquan.payments.tables import DeclarationDueRow, GuaranteeReservationRow, GuaranteeRow
from haiquan.supervision.alerts import scan
from haiquan.supervision.tables import AlertRow
from tests.payments.helpers import add_bank
from tests.support import World

URL = "/api/v1/transit-declarations"
TRADER, OTHER, CARRIER = "0100109106", "0101248141", "0300588569"
FROM, TO, THIRD = "03CC", "01TE", "01AB"  # Hải Phòng port → North Hanoi ICD; Nội Bài sees nothing


def guarantee(app: Any, amount: int = 50_000_000, payer: str = TRADER, until_days: int = 30) -> None:
    add_bank(app)
    with app.state.db.unit_of_work() as uow:
        uow.session.add(DeclarationDueRow(
            declaration_number="104000000001", office=FROM, payer_tax_code=payer, assessed=Decimal(amount),
            paid=Decimal(0), guaranteed=Decimal(amount), written_off=Decimal(0), settled_sent=True, version=1,
        ))  # fmt: skip
        uow.session.add(GuaranteeRow(
            id="g" * 32, bank_code="VCB", guarantee_no="BL-2026-01", declaration_number="104000000001",
            amount=Decimal(amount), valid_until=clock.today_vn() + dt.timedelta(days=until_days),
            issued_at=clock.now(), status="active",
        ))  # fmt: skip
        uow.commit()


def body(**over: Any) -> dict[str, Any]:
    b: dict[str, Any] = {
        "transport": "transit",
        "departure_office": FROM,
        "destination_office": TO,
        "route": [],
        "distance_km": 110,
        "goods": "Linh kiện điện tử, 20 kiện",
        "seals": ["VN123456"],
        "containers": ["MSCU1234566"],
        "duty_amount": "20000000",
        "guarantee": {"bank": "VCB", "guarantee_no": "BL-2026-01"},
    }
    return b | over


def declared(world: World, who: str = TRADER, key: str | None = None, **over: Any) -> dict[str, Any]:
    r = world.post(URL, world.ent(who), body(**over), key)
    assert r.status_code == 201, r.text
    return dict(r.json())


def reservations(app: Any) -> list[tuple[str, str]]:
    with app.state.db.unit_of_work() as uow:
        q = select(GuaranteeReservationRow.reference, GuaranteeReservationRow.status)
        return [(a, b) for a, b in uow.session.execute(q).all()]


def test_declared_accepted_seen_and_closed_at_destination(world: World, client: TestClient, app: Any) -> None:
    guarantee(app)
    t = declared(world, key="k-1")
    assert declared(world, key="k-1") == t  # a replay answers the first answer
    assert (t["status"], t["hours_allowed"], t["guarantee"]) == ("declared", 4, "VCB:BL-2026-01")
    assert t["number"].startswith("TR")
    assert len(t["number"]) == 12
    assert reservations(app) == [(f"transit:{t['number']}", "reserved")]
    tid = t["id"]
    # the destination office sees it but does not accept it
    r = world.post(f"{URL}/{tid}/accept", world.off("tn_officer"), {})
    assert r.status_code == 403, r.text
    r = world.post(f"{URL}/{tid}/accept", world.off("hp_officer"), {})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "accepted"
    assert r.json()["deadline"] is not None
    seen = client.get(URL, params={"direction": "arriving"}, headers=world.off("tn_officer")).json()
    assert [x["id"] for x in seen] == [tid]
    assert client.get(f"{URL}/{tid}", headers=world.off("tn_officer")).status_code == 200
    r = world.post(f"{URL}/{tid}/arrival", world.off("hp_officer"), {"seals_found": ["VN123456"]})
    assert r.status_code == 403, r.text  # only the destination closes it
    r = world.post(f"{URL}/{tid}/arrival", world.off("tn_officer"), {"seals_found": ["VN123456"]})
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["outcome"]) == ("arrived", "intact")
    assert reservations(app) == [(f"transit:{t['number']}", "released")]
    r = world.post(f"{URL}/{tid}/arrival", world.off("tn_officer"), {"seals_found": ["VN123456"]})
    assert r.status_code == 409
    app.state.dispatcher.run_once()
    feed = client.get("/api/v1/notifications", headers=world.ent(TRADER)).json()["items"]
    assert [n["status"] for n in feed if n["status"].startswith("transit_")] == [
        "transit_accepted",
        "transit_arrived",
    ]


def test_a_third_office_and_another_enterprise_see_nothing(
    world: World, client: TestClient, app: Any
) -> None:
    t = declared(world, duty_amount="0", guarantee=None)
    tid = t["id"]
    assert client.get(f"{URL}/{tid}", headers=world.off("nb_officer1")).status_code == 404
    assert client.get(URL, headers=world.off("nb_officer1")).json() == []
    assert world.post(f"{URL}/{tid}/accept", world.off("nb_officer1"), {}).status_code == 404
    assert client.get(f"{URL}/{tid}", headers=world.ent(OTHER)).status_code == 404
    assert world.post(f"{URL}/{tid}/cancel", world.ent(OTHER), {}).status_code == 404
    assert client.get(URL, headers=world.ent(OTHER)).json() == []
    assert [x["id"] for x in client.get(URL, headers=world.ent(TRADER)).json()] == [tid]
    # the leaders above both offices see it: Hà Nội's department (destination), Hải Phòng's (departure)
    assert client.get(f"{URL}/{tid}", headers=world.off("hn_leader")).status_code == 200
    assert client.get(f"{URL}/{tid}", headers=world.off("hp_leader")).status_code == 200
    # a carrier declares its own
    c = declared(world, CARRIER, duty_amount="0", guarantee=None)
    assert client.get(f"{URL}/{c['id']}", headers=world.ent(TRADER)).status_code == 404


def test_late_transit_alerts_both_offices_and_the_trader(world: World, client: TestClient, app: Any) -> None:
    t = declared(world, duty_amount="0", guarantee=None, hours_allowed=2, distance_km=None)
    assert world.post(f"{URL}/{t['id']}/accept", world.off("hp_officer"), {}).status_code == 200
    clock.freeze(clock.now() + dt.timedelta(hours=3))
    with app.state.db.unit_of_work() as uow:
        assert scan(uow.session)["transit_overdue"] == 2
        uow.commit()
    with app.state.db.unit_of_work() as uow:
        assert scan(uow.session)["transit_overdue"] == 0  # once
        uow.commit()
        units = sorted(uow.session.scalars(select(AlertRow.unit).where(AlertRow.goods_id == t["number"])))
    assert units == [TO, FROM]
    assert client.get(f"{URL}/{t['id']}", headers=world.ent(TRADER)).json()["overdue"] is True
    app.state.dispatcher.run_once()
    feed = client.get("/api/v1/notifications", headers=world.ent(TRADER)).json()["items"]
    assert "transit_deadline_passed" in [n["status"] for n in feed]


def test_seal_discrepancy_alerts_both_and_keeps_the_guarantee(world: World, app: Any) -> None:
    guarantee(app)
    t = declared(world)
    world.post(f"{URL}/{t['id']}/accept", world.off("hp_officer"), {})
    r = world.post(
        f"{URL}/{t['id']}/arrival", world.off("tn_officer"), {"seals_found": ["VN999999"], "note": "x"}
    )
    assert (r.json()["status"], r.json()["outcome"]) == ("arrived", "discrepancy")
    assert reservations(app) == [(f"transit:{t['number']}", "reserved")]
    with app.state.db.unit_of_work() as uow:
        found = uow.session.execute(
            select(AlertRow.unit, AlertRow.detail).where(AlertRow.goods_id == t["number"])
        )
        alerts = sorted((u, d["missing_seals"], d["unexpected_seals"]) for u, d in found.all())
    assert alerts == [(TO, ["VN123456"], ["VN999999"]), (FROM, ["VN123456"], ["VN999999"])]


def test_refused_and_cancelled_release_the_guarantee(world: World, app: Any) -> None:
    guarantee(app)
    a, b = declared(world, duty_amount="20000000"), declared(world, duty_amount="30000000")
    r = world.post(URL, world.ent(TRADER), body(duty_amount="1"))
    assert r.status_code == 422
    assert r.json()["field"] == "guarantee"
    r = world.post(f"{URL}/{a['id']}/refuse", world.off("hp_officer"), {"reason": "giấy tờ thiếu"})
    assert r.json()["status"] == "refused"
    r = world.post(f"{URL}/{b['id']}/cancel", world.ent(TRADER), {})
    assert r.json()["status"] == "cancelled"
    assert sorted(s for _, s in reservations(app)) == ["released", "released"]
    assert world.post(f"{URL}/{b['id']}/accept", world.off("hp_officer"), {}).status_code == 409
    with app.state.db.unit_of_work() as uow:
        types = list(uow.session.scalars(select(OutboxEvent.type).order_by(OutboxEvent.seq)))
    assert types.count("payment.guarantee_reserved") == 2
    assert types.count("payment.guarantee_released") == 2
    assert "supervision.transit_refused" in types
    assert "supervision.transit_cancelled" in types


def test_bad_input_names_the_field(world: World, app: Any) -> None:
    guarantee(app, payer=OTHER)
    cases = [
        (body(destination_office=FROM), "destination_office"),
        (body(destination_office="99ZZ"), "destination_office"),
        (body(route=["77XX"]), "route"),
        (body(route=[TO]), "route"),
        (body(hours_allowed=500), "hours_allowed"),
        (body(distance_km=110, hours_allowed=9), "hours_allowed"),
        (body(distance_km=None), "distance_km"),
        (body(guarantee=None), "guarantee"),
        (body(), "guarantee"),  # the guarantee is another enterprise's
        (body(containers=["MSCU1234560"]), "containers"),
    ]
    for b, field in cases:
        r = world.post(URL, world.ent(TRADER), b)
        assert r.status_code == 422, (field, r.text)
        assert field in (r.json().get("field") or str(r.json().get("errors"))), (field, r.text)
    assert world.post(URL, world.off("hp_officer"), body()).status_code == 403
    assert world.post(URL, world.ent("0200519875"), body()).status_code == 403  # a terminal operator
