"""Shared steps of the payments and reports tests."""

from __future__ import annotations

from typing import Any

from haiquan.kit import clock
from haiquan.payments.tables import BankRow
from haiquan.risk.channel import RuleSetEngine
from tests.support import World, import_declaration

BANK = "VCB"
BANK_TAX = "0100112437"  # the bank enterprise of tests/support.py
TOTAL = 21_320_000  # duties of import_declaration()


def add_bank(app: Any, code: str = BANK, tax: str = BANK_TAX, cert: str | None = None) -> None:
    with app.state.db.unit_of_work() as uow:
        uow.session.add(BankRow(code=code, name="Vietcombank", tax_code=tax, certificate_pem=cert,
                                active=True, created_at=clock.now()))  # fmt: skip
        uow.commit()


def registered(world: World, app: Any, lane: str = "green", **over: Any) -> str:
    rates = {"green": 0.0, "yellow": 0.0, "red": 0.0}
    rates[lane] = 100.0
    app.state.channel_engine = RuleSetEngine(green=rates["green"], yellow=rates["yellow"], red=rates["red"])
    r = world.lodge(import_declaration(**over))
    assert r.status_code == 201, r.text
    number: str = r.json()["number"]
    r = world.post(f"/api/v1/declarations/{number}/register", world.ent("0100109106"), None)
    assert r.status_code == 200, r.text
    settle(app)
    return number


def settle(app: Any) -> None:
    """Run the consumers until nothing is left (payments emit events that declarations consume)."""
    for _ in range(5):
        if app.state.dispatcher.run_once() == 0:
            return


def reference(world: World, number: str, amendment: int = 0) -> str:
    r = world.client.get(
        f"/api/v1/payments/references?declaration_number={number}", headers=world.ent("0100109106")
    )
    assert r.status_code == 200, r.text
    refs = {x["amendment_no"]: x for x in r.json()}
    return str(refs[amendment]["reference"])


def pay(world: World, refs: list[str], amount: int, txn: str, paid_at: str = "2026-03-02T02:00:00+07:00",
        payer: str = "0101248141") -> Any:  # fmt: skip
    body = {"bank": BANK, "transaction_id": txn, "references": refs, "amount": str(amount),
            "payer_tax_code": payer, "paid_at": paid_at}  # fmt: skip
    return world.post("/api/v1/payments", world.ent(BANK_TAX), body)


def status(world: World, number: str) -> str:
    r = world.client.get(f"/api/v1/declarations/{number}", headers=world.ent("0100109106"))
    return str(r.json()["status"])
