"""The tax accounts' API through HTTP on SQLite and PostgreSQL: an enterprise's own account, officers
within their offices, penalties and fees paid through the bank gateway with e-receipts, certificates."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from haiquan.kit import clock
from haiquan.kit.tables import AuditEntry, OutboxEvent
from tests.payments.helpers import TOTAL, add_bank, pay, registered, settle
from tests.support import World
from tests.taxes.support import IMPORTER, START, enterprise_id


def test_an_account_ages_and_accrues_interest_and_is_scoped(world: World, app: Any) -> None:
    clock.freeze(START)
    registered(world, app, lane="yellow")
    clock.freeze(START + timedelta(days=40))
    r = world.client.get(f"/api/v1/taxes/accounts/{IMPORTER}", headers=world.ent(IMPORTER))
    assert r.status_code == 200, r.text
    acc = r.json()
    assert Decimal(acc["outstanding"]) == TOTAL
    assert Decimal(acc["aging"]["d31_60"]) == TOTAL
    assert Decimal(acc["late_interest"]) == TOTAL * 3 * 40 // 10_000  # 0.03 % a day, 40 days
    assert acc["stage"]["stage"] == "public_notice"
    assert acc["debts"][0]["due_date"] == "2026-03-02"
    i = world.client.get(f"/api/v1/taxes/accounts/{IMPORTER}/interest", headers=world.ent(IMPORTER)).json()
    assert Decimal(i["late_interest"]) == Decimal(acc["late_interest"])
    assert Decimal(i["rate_per_day"]) == Decimal("0.0003")
    other = world.client.get(f"/api/v1/taxes/accounts/{IMPORTER}", headers=world.ent("0100109106"))
    assert other.status_code == 404
    officer = world.client.get(f"/api/v1/taxes/accounts/{IMPORTER}/aging", headers=world.off("nb_officer1"))
    assert Decimal(officer.json()["d31_60"]) == TOTAL
    far = world.client.get(f"/api/v1/taxes/accounts/{IMPORTER}", headers=world.off("hp_officer"))
    assert Decimal(far.json()["outstanding"]) == 0  # nothing booked at Hải Phòng's offices
    cert = world.client.get(f"/api/v1/taxes/accounts/{IMPORTER}/certificate.xml", headers=world.ent(IMPORTER))
    assert cert.status_code == 200
    assert cert.headers["content-type"].startswith("application/xml")
    assert b"<position>overdue_debt</position>" in cert.content
    assert cert.headers["x-content-sha256"].encode() in cert.content


def test_a_penalty_is_decided_paid_through_the_bank_and_receipted(world: World, app: Any) -> None:
    add_bank(app)
    clock.freeze(START)
    body = {"enterprise_id": enterprise_id(app, IMPORTER), "violation": "Khai sai mã số hàng hóa",
            "legal_basis": "Nghị định 128/2020/NĐ-CP Điều 8(1)(a)", "amount": "2000000"}  # fmt: skip
    refused = world.post("/api/v1/taxes/penalties", world.off("nb_officer1"), body)
    assert refused.status_code == 403
    r = world.post("/api/v1/taxes/penalties", world.off("nb_leader"), body, key="pen-1")
    assert r.status_code == 201, r.text
    charge = r.json()
    assert charge["number"].startswith("7")
    assert charge["due_date"] == "2026-03-12"
    again = world.post("/api/v1/taxes/penalties", world.off("nb_leader"), body, key="pen-1")
    assert again.json()["number"] == charge["number"]
    acc = world.client.get(f"/api/v1/taxes/accounts/{IMPORTER}", headers=world.ent(IMPORTER)).json()
    assert Decimal(acc["outstanding"]) == 2_000_000
    assert acc["debts"][0]["regime"] == "penalty"
    paid = pay(world, [charge["reference"]], 2_000_000, "FT-PEN-1", paid_at=START.isoformat())
    assert paid.status_code == 201, paid.text
    settle(app)
    acc = world.client.get(f"/api/v1/taxes/accounts/{IMPORTER}", headers=world.ent(IMPORTER)).json()
    assert Decimal(acc["outstanding"]) == 0
    receipts = world.client.get(
        f"/api/v1/taxes/accounts/{IMPORTER}/receipts", headers=world.ent(IMPORTER)
    ).json()
    assert [Decimal(x["amount"]) for x in receipts] == [2_000_000]
    assert receipts[0]["paid_for"] == "Khai sai mã số hàng hóa"
    doc = world.client.get(
        f"/api/v1/taxes/accounts/{IMPORTER}/receipts/{receipts[0]['number']}.xml", headers=world.ent(IMPORTER)
    )
    assert doc.status_code == 200
    assert receipts[0]["sha256"].encode() in doc.content
    with app.state.db.unit_of_work() as uow:
        types = list(uow.session.scalars(select(OutboxEvent.type).order_by(OutboxEvent.seq)))
        assert types.count("taxes.penalty_decided") == 1
        actions = set(uow.session.scalars(select(AuditEntry.action)))
        assert "taxes.penalty_decided" in actions


def test_a_fee_from_the_fee_table(world: World, app: Any) -> None:
    clock.freeze(START)
    table = world.client.get("/api/v1/taxes/fee-table", headers=world.ent(IMPORTER)).json()
    assert {f["code"] for f in table} >= {"customs_procedure"}
    body = {"enterprise_id": enterprise_id(app, IMPORTER), "fee": "customs_procedure", "quantity": 3}
    r = world.post("/api/v1/taxes/fees", world.off("nb_officer1"), body)
    assert r.status_code == 201, r.text
    assert Decimal(r.json()["amount"]) == 60_000
    assert r.json()["number"].startswith("9")
    mine = world.client.get("/api/v1/taxes/charges?kind=fee", headers=world.ent(IMPORTER)).json()
    assert [c["number"] for c in mine] == [r.json()["number"]]
    assert world.client.get("/api/v1/taxes/charges", headers=world.ent("0100109106")).json() == []
    unknown = world.post("/api/v1/taxes/fees", world.off("nb_officer1"), body | {"fee": "nope"})
    assert unknown.status_code == 404
    assert unknown.json()["field"] == "fee"
