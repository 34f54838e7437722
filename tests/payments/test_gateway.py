"""The bank gateway through HTTP on SQLite and PostgreSQL: exact, partial, over and multi payments,
repeats, reversals, guarantees, AMA, scope."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from haiquan.kit import clock
from haiquan.payments import ledger
from haiquan.payments.tables import DeclarationDueRow
from tests.payments.helpers import BANK_TAX, TOTAL, add_bank, pay, reference, registered, settle, status
from tests.support import World


def test_green_declaration_clears_when_the_bank_confirms_at_two_in_the_night(world: World, app: Any) -> None:
    add_bank(app)
    clock.freeze(datetime(2026, 3, 1, 19, 0, tzinfo=UTC))  # 02:00 in Hà Nội
    number = registered(world, app)
    assert status(world, number) == "duty_payment_reference_issued"
    ref = reference(world, number)
    assert len(ref) == 15
    assert ref.startswith(number)
    r = pay(world, [ref], TOTAL, "FT0001")
    assert r.status_code == 201, r.text
    assert Decimal(r.json()["allocated"]) == TOTAL
    assert Decimal(r.json()["excess"]) == 0
    settle(app)
    assert status(world, number) == "cleared"
    with app.state.db.unit_of_work() as uow:
        b = ledger.balances(uow.session, offices=frozenset({"01AB"}))
        assert b["treasury"] == TOTAL
        assert b["receivable"] == 0
        assert b["revenue"] == -TOTAL


def test_partial_payments_clear_only_when_covered_and_repeats_are_not_booked(world: World, app: Any) -> None:
    add_bank(app)
    number = registered(world, app)
    ref = reference(world, number)
    assert pay(world, [ref], 20_000_000, "FT1").status_code == 201
    again = pay(world, [ref], 20_000_000, "FT1")
    assert again.status_code == 200
    assert again.json()["id"]
    settle(app)
    assert status(world, number) == "duty_payment_reference_issued"
    assert pay(world, [ref], 20_000_000, "FT1").json()["allocated"] == "20000000"
    conflict = pay(world, [ref], 5, "FT1")
    assert conflict.status_code == 409
    assert conflict.json()["field"] == "transaction_id"
    r = pay(world, [ref], 2_000_000, "FT2")  # 680,000 too much
    assert Decimal(r.json()["excess"]) == 680_000
    settle(app)
    assert status(world, number) == "cleared"
    with app.state.db.unit_of_work() as uow:
        due = uow.session.get(DeclarationDueRow, number)
        assert due is not None
        assert due.paid == TOTAL
        assert ledger.balances(uow.session, offices=None)["refunds_payable"] == -680_000


def test_one_payment_for_several_declarations(world: World, app: Any) -> None:
    add_bank(app)
    a, b = registered(world, app), registered(world, app)
    r = pay(world, [reference(world, a), reference(world, b)], 2 * TOTAL, "FT-MULTI")
    assert r.status_code == 201
    assert len(r.json()["shares"]) == 2
    settle(app)
    assert status(world, a) == status(world, b) == "cleared"


def test_unknown_reference_wrong_payer_and_wrong_bank_are_refused(world: World, app: Any) -> None:
    add_bank(app)
    number = registered(world, app)
    ref = reference(world, number)
    bad = pay(world, [ref[:-1] + str((int(ref[-1]) + 1) % 10)], TOTAL, "X1")
    assert bad.status_code == 422
    assert bad.json()["field"] == "references[0]"
    assert pay(world, [ref], TOTAL, "X2", payer="0100109106").json()["field"] == "payer_tax_code"
    body = {"bank": "VCB", "transaction_id": "X3", "references": [ref], "amount": str(TOTAL),
            "payer_tax_code": "0101248141", "paid_at": "2026-03-02T02:00:00+07:00"}  # fmt: skip
    assert world.post("/api/v1/payments", world.ent("0100109106"), body).status_code == 403  # a declarant
    assert world.post("/api/v1/payments", world.off("hn_leader"), body).status_code == 403  # an officer


def test_reversal_reopens_the_debt_and_mirrors_the_ledger(world: World, app: Any) -> None:
    add_bank(app)
    number = registered(world, app)
    pay(world, [reference(world, number)], TOTAL, "FT9")
    body = {"bank": "VCB", "transaction_id": "FT9", "reason": "debit failed"}
    r = world.post("/api/v1/payments/reversals", world.ent(BANK_TAX), body)
    assert r.status_code == 200
    assert r.json()["status"] == "reversed"
    settle(app)
    assert status(world, number) == "cleared"  # goods released on the confirmation stay released
    with app.state.db.unit_of_work() as uow:
        due = uow.session.get(DeclarationDueRow, number)
        assert due is not None
        assert due.paid == 0
        assert not due.settled_sent
        b = ledger.balances(uow.session, offices=None)
        assert b["treasury"] == 0
        assert b["receivable"] == TOTAL
        assert ledger.totals(uow.session)[0] == ledger.totals(uow.session)[1]


def test_guarantee_clears_without_payment(world: World, app: Any) -> None:
    add_bank(app)
    number = registered(world, app)
    body = {"bank": "VCB", "guarantee_no": "BL-2026-1", "declaration_number": number, "amount": str(TOTAL),
            "valid_until": "2099-12-31"}  # fmt: skip
    r = world.post("/api/v1/payments/guarantees", world.ent(BANK_TAX), body)
    assert r.status_code == 201, r.text
    settle(app)
    assert status(world, number) == "cleared"


def test_amendment_raises_a_new_reference_for_the_difference(world: World, app: Any) -> None:
    add_bank(app)
    number = registered(world, app)
    pay(world, [reference(world, number)], TOTAL, "FT-A")
    settle(app)
    from tests.support import import_declaration

    body = import_declaration()
    body["lines"][0]["value"] = "7000"  # phones worth more: more VAT
    body["invoice"]["amount"] = "11000"
    r = world.post(f"/api/v1/declarations/{number}/amendments", world.ent("0100109106"),
                   {"lines": body["lines"], "invoice": body["invoice"], "reason": "invoice corrected"})  # fmt: skip
    assert r.status_code == 200, r.text
    new_total = Decimal(r.json()["duties"]["total"])
    settle(app)
    ref1 = reference(world, number, 1)
    assert pay(world, [ref1], int(new_total - TOTAL), "FT-B").status_code == 201
    with app.state.db.unit_of_work() as uow:
        due = uow.session.scalar(
            select(DeclarationDueRow).where(DeclarationDueRow.declaration_number == number)
        )
        assert due is not None
        assert due.assessed == new_total
        assert due.paid == new_total


def test_references_are_private_to_the_payer_and_the_office(world: World, app: Any) -> None:
    number = registered(world, app)
    url = f"/api/v1/payments/references?declaration_number={number}"
    assert world.client.get(url, headers=world.off("nb_officer1")).status_code == 200
    assert world.client.get(url, headers=world.off("hp_officer")).status_code == 404
    assert world.client.get(url, headers=world.ent("0300588569")).status_code == 404


def test_references_are_read_by_the_declarant_and_by_the_payer_named_on_them(world: World, app: Any) -> None:
    """The importer 0101248141 pays the duties of a declaration 0100109106 lodged: both read its
    references (one query scoped by the caller, repository.references); the carrier does not."""
    number = registered(world, app)
    url = f"/api/v1/payments/references?declaration_number={number}"
    lodged = world.client.get(url, headers=world.ent("0100109106"))
    paying = world.client.get(url, headers=world.ent("0101248141"))
    assert lodged.status_code == paying.status_code == 200, (lodged.text, paying.text)
    assert {r["payer_tax_code"] for r in paying.json()} == {"0101248141"}
    assert paying.json() == lodged.json()
    assert world.client.get(url, headers=world.ent("0300588569")).status_code == 404
