"""Declarations through HTTP, lodging to clearance, on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from haiquan.kit import outbox
from haiquan.risk.channel import RuleSetEngine
from tests.support import World, import_declaration


def force_lane(app: Any, lane: str) -> None:
    rates = {"green": 0.0, "yellow": 0.0, "red": 0.0}
    rates[lane] = 100.0
    app.state.channel_engine = RuleSetEngine(green=rates["green"], yellow=rates["yellow"], red=rates["red"])


def pay(app: Any, number: str, amount: str) -> None:
    """What the payments module emits when a bank confirms."""
    with app.state.db.unit_of_work() as uow:
        outbox.record(
            uow.session,
            type="payment.confirmed",
            unit="01AB",
            actor="bank:test",
            payload={"declaration_number": number, "amount": amount, "reference": "PAY-1"},
        )
        uow.commit()
    app.state.dispatcher.run_once()


def test_lodge_computes_customs_value_and_duties_exactly(world: World) -> None:
    r = world.lodge(import_declaration())
    assert r.status_code == 201, r.text
    d = r.json()
    assert len(d["number"]) == 12
    assert d["code"] == "IDA"
    assert d["status"] == "accepted"
    assert d["importer"]["name"] == "Công ty TNHH Thương mại Minh Anh"  # filled from the register
    assert d["office_name"] == "CC HQ CK Sân bay QT Nội Bài"
    assert d["lines"][0]["tariff_description"] == "Điện thoại thông minh"
    # FOB: freight 200 and insurance 50 allocated 60/40; USD rate 26,000 (valid from 2026-01-01)
    phones, apples = d["lines"]
    assert Decimal(phones["customs_value_vnd"]) == Decimal((6000 + 120 + 30) * 26000)
    assert Decimal(apples["customs_value_vnd"]) == Decimal((4000 + 80 + 20) * 26000)
    # phones: 0% duty, VAT 10%; apples: ACFTA 0% instead of MFN 10%, VAT 5%
    assert Decimal(phones["vat"]) == Decimal(159_900_000) * Decimal("0.10")
    assert apples["applied_scheme"] == "ACFTA"
    assert Decimal(apples["import_duty"]) == 0
    assert Decimal(apples["vat"]) == Decimal(106_600_000) * Decimal("0.05")
    assert Decimal(d["duties"]["total"]) == Decimal(15_990_000 + 5_330_000)


def test_green_waits_for_payment_then_clears(world: World, app: Any, client: TestClient) -> None:
    force_lane(app, "green")
    number = world.lodge(import_declaration()).json()["number"]
    r = world.post(f"/api/v1/declarations/{number}/register", world.ent("0100109106"), None)
    assert r.status_code == 200, r.text
    assert r.json()["channel"] == "green"
    assert r.json()["status"] == "duty_payment_reference_issued"
    pay(app, number, "21320000")
    d = client.get(f"/api/v1/declarations/{number}", headers=world.ent("0100109106")).json()
    assert d["status"] == "cleared"
    assert d["duties"]["settled"] is True
    app.state.dispatcher.run_once()
    feed = client.get("/api/v1/notifications", headers=world.ent("0100109106")).json()
    assert [n["status"] for n in feed["items"]] == [
        "accepted",
        "registered",
        "duty_payment_reference_issued",
        "duty_payment_reference_issued",
        "cleared",
    ]
    again = client.get(
        "/api/v1/notifications", params={"cursor": feed["next_cursor"]}, headers=world.ent("0100109106")
    )
    assert again.json()["items"] == []


def test_yellow_goes_to_the_roster_and_an_officer_clears_it(
    world: World, app: Any, client: TestClient
) -> None:
    force_lane(app, "yellow")
    numbers = []
    for _ in range(3):
        n = world.lodge(import_declaration()).json()["number"]
        assert (
            world.post(f"/api/v1/declarations/{n}/register", world.ent("0100109106"), None).json()["channel"]
            == "yellow"
        )
        numbers.append(n)
    q = client.get("/api/v1/officer/queue", headers=world.off("nb_leader")).json()["items"]
    assert [i["number"] for i in q] == numbers  # oldest first
    assigned = [i["assigned_officer"] for i in q]
    assert len(set(assigned)) == 3  # round-robin over the Nội Bài roster
    assert all(i["seconds_left"] is not None for i in q)
    # Hai Phong's officer sees none of it and cannot decide
    assert client.get("/api/v1/officer/queue", headers=world.off("hp_officer")).json()["items"] == []
    who = next(
        u
        for u in ("nb_leader", "nb_officer1", "nb_officer2", "nb_team_officer")
        if u == q[0]["assigned_officer"]
    )
    body = {"kind": "documents_accepted", "reason": "Hồ sơ hợp lệ"}
    denied = world.post(f"/api/v1/declarations/{numbers[0]}/decision", world.off("hp_officer"), body)
    assert denied.status_code == 404
    r = world.post(f"/api/v1/declarations/{numbers[0]}/decision", world.off(who), body)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "duty_payment_reference_issued"


def test_red_inspection_result_is_kept_and_rejection_is_final(world: World, app: Any) -> None:
    force_lane(app, "red")
    n = world.lodge(import_declaration()).json()["number"]
    reg = world.post(f"/api/v1/declarations/{n}/register", world.ent("0100109106"), None).json()
    assert reg["status"] == "inspection_intended"
    assert reg["check_deadline"]
    r = world.post(
        f"/api/v1/declarations/{n}/decision",
        world.off("nb_leader"),
        {
            "kind": "inspection_result",
            "reason": "Hàng không đúng khai báo",
            "fraud_found": True,
            "findings": "120 phones declared as 50",
        },
    )
    # fraud found: the inspection does not pass the checks by itself; the officer rejects
    assert r.status_code == 200
    assert r.json()["status"] == "inspection_intended"
    assert r.json()["inspection"]["findings"] == "120 phones declared as 50"
    reject = {"kind": "reject", "reason": "Hàng không đúng khai báo"}
    r = world.post(f"/api/v1/declarations/{n}/decision", world.off("nb_leader"), reject)
    assert r.status_code == 200
    assert r.json()["status"] == "rejected"
    r = world.post(
        f"/api/v1/declarations/{n}/decision", world.off("nb_leader"), {"kind": "reject", "reason": "again"}
    )
    assert r.status_code == 409


def test_amendments_before_and_after_registration(world: World, app: Any, client: TestClient) -> None:
    force_lane(app, "yellow")
    n = world.lodge(import_declaration()).json()["number"]
    body = import_declaration()
    body["lines"] = body["lines"][:1]
    body["invoice"]["amount"] = "6000"
    r = client.put(f"/api/v1/declarations/{n}", json=body, headers=world.ent("0100109106"))
    assert r.status_code == 200
    assert len(r.json()["lines"]) == 1
    world.post(f"/api/v1/declarations/{n}/register", world.ent("0100109106"), None)
    assert (
        client.put(f"/api/v1/declarations/{n}", json=body, headers=world.ent("0100109106")).status_code == 409
    )
    ama = {
        "reason": "Bổ sung số lượng",
        "lines": [dict(body["lines"][0], value="7000")],
        "invoice": dict(body["invoice"], amount="7000"),
    }
    r = world.post(f"/api/v1/declarations/{n}/amendments", world.ent("0100109106"), ama)
    assert r.status_code == 200, r.text
    assert r.json()["amendment_no"] == 1
    hist = client.get(f"/api/v1/declarations/{n}/history", headers=world.ent("0100109106")).json()
    assert [h["action"] for h in hist] == ["lodge", "amend", "register", "amend_registered"]
    assert Decimal(hist[-1]["detail"]["difference"]) > 0


def test_idempotency_replays_and_refuses_another_body(world: World) -> None:
    a = world.lodge(import_declaration(), key="k-1")
    b = world.lodge(import_declaration(), key="k-1")
    assert a.status_code == b.status_code == 201
    assert a.json()["number"] == b.json()["number"]
    assert b.headers.get("Idempotent-Replay") == "true"
    c = world.lodge(import_declaration(package_count=11), key="k-1")
    assert c.status_code == 422
    assert c.json()["field"] == "Idempotency-Key"


def test_scope_enterprise_sees_only_its_own(world: World, client: TestClient) -> None:
    n = world.lodge(import_declaration(importer={"tax_code": "0100109106"})).json()["number"]  # its own goods
    other = world.ent("0101248141")
    assert client.get(f"/api/v1/declarations/{n}", headers=other).status_code == 404
    assert world.post(f"/api/v1/declarations/{n}/register", other, None).status_code == 404
    assert client.get("/api/v1/declarations", headers=other).json()["items"] == []
    assert client.get(f"/api/v1/declarations/{n}", headers=world.off("hp_leader")).status_code == 404
    assert client.get(f"/api/v1/declarations/{n}", headers=world.off("hn_leader")).status_code == 200
    assert (
        world.lodge(import_declaration(), who="0200519875").status_code == 403
    )  # a terminal is no declarant


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lines": [dict(import_declaration()["lines"][0], hs_code="99999999")]}, "lines[0].hs_code"),
        ({"lines": [dict(import_declaration()["lines"][0], hs_code="8517")]}, "lines[0].hs_code"),
        ({"containers": ["CSQU3054384"]}, "containers[0]"),
        ({"invoice": dict(import_declaration()["invoice"], currency="XYZ")}, "invoice.currency"),
        ({"lines": [dict(import_declaration()["lines"][0], value="-5")]}, "lines[0].value"),
        (
            {"lines": [{k: v for k, v in import_declaration()["lines"][0].items() if k != "origin_country"}]},
            "lines[0].origin_country",
        ),
        ({"importer": {"tax_code": "0101248142"}}, "importer.tax_code"),
        ({"office": "99ZZ"}, "office"),
        ({"invoice": dict(import_declaration()["invoice"], amount="99999")}, "invoice.amount"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field(
    world: World, change: dict[str, Any], field: str, app: Any
) -> None:
    before = _count(app)
    r = world.lodge(import_declaration(**change))
    assert r.status_code in (404, 409, 422), r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["field"] == field, r.json()
    assert _count(app) == before  # nothing stored


def _count(app: Any) -> int:
    from sqlalchemy import func, select

    from haiquan.declarations.tables import DeclarationRow

    with app.state.db.unit_of_work() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(DeclarationRow)) or 0)


def test_concurrent_registrations_of_one_declaration_register_it_once(world: World, app: Any) -> None:
    import threading

    from haiquan.declarations.tables import DeclarationHistoryRow

    force_lane(app, "yellow")
    n = world.lodge(import_declaration()).json()["number"]
    codes: list[int] = []

    def go() -> None:
        codes.append(
            world.post(f"/api/v1/declarations/{n}/register", world.ent("0100109106"), None).status_code
        )

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200, 409, 409, 409]
    with app.state.db.unit_of_work() as uow:
        steps = uow.session.query(DeclarationHistoryRow).filter_by(number=n, action="register").count()
    assert steps == 1
