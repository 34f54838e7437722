"""The payment reference exists when the registration's answer says so: a bank confirming at once, with no
consumer run in between, finds it; the consumer that used to write it then adds nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from haiquan.kit.tables import OutboxEvent
from haiquan.payments.tables import DeclarationDueRow, LedgerLineRow, PaymentReferenceRow
from haiquan.risk.channel import RuleSetEngine
from tests.payments.helpers import TOTAL, add_bank, pay, reference, settle, status
from tests.support import World, import_declaration


def _register_without_consumers(world: World, app: Any) -> dict[str, Any]:
    app.state.channel_engine = RuleSetEngine(green=100.0, yellow=0.0, red=0.0)
    number = world.lodge(import_declaration()).json()["number"]
    r = world.post(f"/api/v1/declarations/{number}/register", world.ent("0100109106"), None)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_a_bank_confirming_at_once_finds_the_reference(world: World, app: Any) -> None:
    add_bank(app)
    answer = _register_without_consumers(world, app)
    number = answer["number"]
    assert answer["status"] == "duty_payment_reference_issued"
    ref = reference(world, number)  # no consumer has run yet
    r = pay(world, [ref], TOTAL, "FT-AT-ONCE")
    assert r.status_code == 201, r.text
    settle(app)
    assert status(world, number) == "cleared"


def test_the_due_reference_and_assessment_are_written_once(world: World, app: Any) -> None:
    number = _register_without_consumers(world, app)["number"]
    settle(app)  # the payments consumer sees declaration.register after the fact
    with app.state.db.unit_of_work() as uow:
        s = uow.session
        due = s.get(DeclarationDueRow, number)
        assert due is not None
        assert due.assessed == TOTAL
        assert due.payer_tax_code == "0101248141"
        refs = s.scalars(select(PaymentReferenceRow).where(PaymentReferenceRow.declaration_number == number))
        assert [(r.amount_due, r.status) for r in refs] == [(TOTAL, "open")]
        lines = s.scalar(select(func.count()).where(LedgerLineRow.declaration_number == number))
        assert lines == 2  # receivable debit, revenue credit
        issued = s.scalars(select(OutboxEvent.payload).where(OutboxEvent.type == "payment.reference_issued"))
        assert [p["declaration_number"] for p in issued] == [number]
