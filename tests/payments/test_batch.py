"""POST /api/v1/payments/batch: each confirmation booked or refused on its own, idempotent by
(bank, transaction id), with the same ledger, outbox and audit as single confirmations."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from haiquan.kit.tables import AuditEntry, OutboxEvent
from haiquan.payments import batch_reads, ledger
from haiquan.payments.tables import BankPaymentRow, DeclarationDueRow
from tests.payments.helpers import BANK, BANK_TAX, TOTAL, add_bank, pay, reference, registered, settle, status
from tests.support import World


def item(ref: str, amount: int | str, txn: str, **over: Any) -> dict[str, Any]:
    return {"bank": BANK, "transaction_id": txn, "references": [ref], "amount": str(amount),
            "payer_tax_code": "0101248141", "paid_at": "2026-03-02T02:00:00+07:00"} | over  # fmt: skip


def test_a_batch_answers_each_confirmation_on_its_own(world: World, app: Any) -> None:
    add_bank(app)
    a, b, c = (registered(world, app) for _ in range(3))
    ra, rb, rc = reference(world, a), reference(world, b), reference(world, c)
    assert pay(world, [rc], TOTAL, "OLD").status_code == 201
    bad_ref = ra[:-1] + str((int(ra[-1]) + 1) % 10)
    items = [
        item(ra, 10_000_000, "B1"),
        item(ra, TOTAL - 10_000_000, "B2"),  # the rest of a, after B1 in the same batch
        item(rb, TOTAL + 5, "B3"),  # over-paid by 5
        item(rb, TOTAL, "B3"),  # same transaction, other amount: conflict
        item(ra, 10_000_000, "B1"),  # same transaction, same content: the first booking
        item(rc, TOTAL, "OLD"),  # booked in an earlier call: answered, not booked again
        item(bad_ref, 1, "B4"),
        item(rb, 1, "B5", payer_tax_code="0100109106"),
        item(rb, 1, "B6", bank="BIDV"),  # not this key's bank
        item(rb, "12.5", "B7"),  # not whole dong: refused by itself
    ]
    r = world.post("/api/v1/payments/batch", world.ent(BANK_TAX), {"items": items})
    assert r.status_code == 200, r.text
    out = r.json()
    assert [x["status"] for x in out["results"]] == [201, 201, 201, 409, 200, 200, 422, 422, 403, 422]
    assert (out["booked"], out["repeated"], out["refused"]) == (3, 2, 5)
    res = out["results"]
    assert res[4]["payment"]["id"] == res[0]["payment"]["id"]
    assert Decimal(res[1]["payment"]["allocated"]) == TOTAL - 10_000_000
    assert Decimal(res[2]["payment"]["excess"]) == 5
    assert res[3]["problem"]["field"] == "transaction_id"
    assert res[6]["problem"]["field"] == "references[0]"
    assert res[7]["problem"]["field"] == "payer_tax_code"
    assert res[9]["problem"]["field"] == "amount"
    settle(app)
    assert status(world, a) == status(world, b) == status(world, c) == "cleared"
    with app.state.db.unit_of_work() as uow:
        s = uow.session
        assert s.scalar(select(func.count()).select_from(BankPaymentRow)) == 4
        due = s.get(DeclarationDueRow, a)
        assert due is not None
        assert due.paid == TOTAL
        b_ = ledger.balances(s, offices=None)
        assert b_["treasury"] == 3 * TOTAL + 5
        assert b_["receivable"] == 0
        assert b_["refunds_payable"] == -5
        assert ledger.totals(s)[0] == ledger.totals(s)[1]
        received = s.scalar(select(func.count()).where(OutboxEvent.type == "payment.received"))
        assert received == 4
        audited = s.scalar(select(func.count()).where(AuditEntry.action == "payment.received"))
        assert audited == 4


def test_a_repeated_batch_books_nothing_twice(world: World, app: Any) -> None:
    add_bank(app)
    numbers = [registered(world, app) for _ in range(2)]
    items = [item(reference(world, n), TOTAL, f"R{i}") for i, n in enumerate(numbers)]
    first = world.post("/api/v1/payments/batch", world.ent(BANK_TAX), {"items": items})
    again = world.post("/api/v1/payments/batch", world.ent(BANK_TAX), {"items": items})
    assert [x["status"] for x in first.json()["results"]] == [201, 201]
    assert [x["status"] for x in again.json()["results"]] == [200, 200]
    assert [x["payment"]["id"] for x in again.json()["results"]] == [
        x["payment"]["id"] for x in first.json()["results"]
    ]
    with app.state.db.unit_of_work() as uow:
        assert ledger.balances(uow.session, offices=None)["treasury"] == 2 * TOTAL


def test_only_banks_send_batches_and_batches_are_bounded(world: World, app: Any) -> None:
    add_bank(app)
    n = registered(world, app)
    body = {"items": [item(reference(world, n), TOTAL, "Z1")]}
    assert world.post("/api/v1/payments/batch", world.ent("0100109106"), body).status_code == 403
    assert world.post("/api/v1/payments/batch", world.off("hn_leader"), body).status_code == 403
    big = {"items": [item(reference(world, n), 1, f"Z{i}") for i in range(501)]}
    r = world.post("/api/v1/payments/batch", world.ent(BANK_TAX), big)
    assert r.status_code == 422
    assert r.json()["field"] == "items"
    assert world.post("/api/v1/payments/batch", world.ent(BANK_TAX), {"items": []}).status_code == 422


def test_a_booking_raced_by_another_transaction_is_answered_from_the_first(
    world: World, app: Any, monkeypatch: Any
) -> None:
    """Another transaction books the same (bank, transaction id) between our read and our insert: the
    insert skips it, our rows are undone and the batch starts over, answering the repeat from the first."""
    from haiquan.payments import batch

    add_bank(app)
    a, b = registered(world, app), registered(world, app)
    assert pay(world, [reference(world, a)], TOTAL, "RACE").status_code == 201
    real, calls = batch_reads.earlier_bookings, []

    def blind_once(session: Any, keys: Any) -> Any:
        calls.append(1)
        return {} if len(calls) == 1 else real(session, keys)

    monkeypatch.setattr(batch, "earlier_bookings", blind_once)  # the name batch.py calls
    items = [item(reference(world, b), TOTAL, "NEW"), item(reference(world, a), TOTAL, "RACE")]
    r = world.post("/api/v1/payments/batch", world.ent(BANK_TAX), {"items": items})
    assert [x["status"] for x in r.json()["results"]] == [201, 200]
    assert len(calls) == 2
    with app.state.db.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(BankPaymentRow)) == 2
        assert ledger.balances(uow.session, offices=None)["treasury"] == 2 * TOTAL
