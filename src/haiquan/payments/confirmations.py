"""Bank confirmations, reversals and guarantees. A confirmation is booked once per (bank, transaction id):
a repeat with the same content returns the first booking, a repeat with other content is a conflict."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.kit import audit, clock, outbox
from haiquan.kit.auth import Principal
from haiquan.kit.db import new_id
from haiquan.kit.errors import Conflict, NotFound, ValidationFailed
from haiquan.kit.money import vnd
from haiquan.payments import banks, ledger, service
from haiquan.payments.catalogue import PaymentEvent
from haiquan.payments.domain import (
    ZERO,
    EntryKind,
    reversal,
)
from haiquan.payments.schemas import GuaranteeIn, GuaranteeOut, PaymentIn, PaymentOut, ReversalIn, Share
from haiquan.payments.tables import (
    BankPaymentRow,
    BankRow,
    DeclarationDueRow,
    GuaranteeRow,
    PaymentAllocationRow,
    PaymentReferenceRow,
)


def caller_bank(session: Session, principal: Principal, code: str) -> BankRow:
    principal.require_enterprise("bank")
    bank = session.get(BankRow, code)
    refused = banks.refusal(bank, code, principal.tax_code)
    if refused is not None:
        raise refused
    assert bank is not None
    return bank


def _out(session: Session, row: BankPaymentRow) -> PaymentOut:
    allocs = session.scalars(
        select(PaymentAllocationRow)
        .where(PaymentAllocationRow.payment_id == row.id)
        .order_by(PaymentAllocationRow.id)
    ).all()
    return PaymentOut(
        id=row.id,
        bank=row.bank_code,
        transaction_id=row.transaction_id,
        amount=vnd(row.amount),
        allocated=vnd(row.allocated),
        excess=vnd(row.excess),
        status=row.status,
        paid_at=row.paid_at,
        shares=[
            Share(reference=a.reference, declaration_number=a.declaration_number, amount=vnd(a.amount))
            for a in allocs
        ],
    )


def _existing(session: Session, bank: str, txn: str) -> BankPaymentRow | None:
    return session.scalar(
        select(BankPaymentRow).where(BankPaymentRow.bank_code == bank, BankPaymentRow.transaction_id == txn)
    )


def _lock_dues(session: Session, numbers: list[str]) -> dict[str, DeclarationDueRow]:
    out: dict[str, DeclarationDueRow] = {}
    for n in sorted(set(numbers)):  # one lock order for every caller: no deadlocks
        out[n] = service.get_due(session, n)
    return out


def confirm(session: Session, *, principal: Principal, data: PaymentIn) -> tuple[PaymentOut, bool]:
    """Book a confirmation (a batch of one). Returns (the booking, whether it was new)."""
    from haiquan.payments.batch import confirm_many

    [outcome] = confirm_many(session, principal=principal, items=[data])
    if outcome.error is not None:
        raise outcome.error
    assert outcome.payment is not None
    return outcome.payment, outcome.status == 201


def reverse(session: Session, *, principal: Principal, data: ReversalIn) -> PaymentOut:
    """The bank takes a confirmation back (a failed debit, an error): the ledger entry is mirrored and the
    references reopen. A declaration already cleared stays cleared; its debt is due again."""
    bank = caller_bank(session, principal, data.bank)
    row = _existing(session, bank.code, data.transaction_id)
    if row is None:
        raise NotFound(
            f"bank {bank.code} confirmed no transaction {data.transaction_id}", field="transaction_id"
        )
    if row.status == "reversed":
        return _out(session, row)
    allocs = session.scalars(
        select(PaymentAllocationRow).where(PaymentAllocationRow.payment_id == row.id)
    ).all()
    refs = {a.reference: session.get(PaymentReferenceRow, a.reference) for a in allocs}
    dues = _lock_dues(session, [a.declaration_number for a in allocs])
    per_office: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for a in allocs:
        ref = refs[a.reference]
        assert ref is not None
        ref.amount_paid -= a.amount
        ref.status = "open"
        due = dues[a.declaration_number]
        due.paid -= a.amount
        due.settled_sent = due.settled_sent and due.paid + due.guaranteed >= due.assessed
        per_office[ref.office] += a.amount
    first = session.get(PaymentReferenceRow, row.references.split(",")[0])
    first_office = first.office if first else next(iter(per_office), "00")
    for office in sorted(set(per_office) | {first_office}):
        excess = row.excess if office == first_office else ZERO
        ledger.post(
            session,
            office=office,
            kind=EntryKind.REVERSAL,
            postings=reversal(per_office[office], excess),
            source=f"reversal:{row.id}:{office}",
            actor=principal.label,
        )
    row.status, row.reversed_at, row.reversal_reason = "reversed", clock.now(), data.reason
    outbox.record(
        session,
        type=PaymentEvent.REVERSED,
        unit=first_office,
        actor=principal.label,
        payload={
            "id": row.id,
            "bank": row.bank_code,
            "transaction_id": row.transaction_id,
            "amount": str(row.amount),
            "reason": data.reason,
            "references": row.references.split(","),
        },
    )
    audit.append(
        session,
        actor=principal.label,
        action="payment.reversed",
        target=f"payment:{row.bank_code}:{row.transaction_id}",
        unit=first_office,
        detail={"reason": data.reason},
    )
    return _out(session, row)


def guarantee(session: Session, *, principal: Principal, data: GuaranteeIn) -> GuaranteeOut:
    """A bank guarantee for a declaration's duties: the goods clear once payments plus guarantees cover
    the amount due; the guarantee is called in if the trader does not pay by its end date."""
    bank = caller_bank(session, principal, data.bank)
    if data.valid_until <= clock.today_vn():
        raise ValidationFailed("the guarantee has already ended", field="valid_until")
    prior = session.scalar(
        select(GuaranteeRow).where(
            GuaranteeRow.bank_code == bank.code, GuaranteeRow.guarantee_no == data.guarantee_no
        )
    )
    if prior is None:
        due = service.get_due(session, data.declaration_number)
        prior = GuaranteeRow(
            id=new_id(),
            bank_code=bank.code,
            guarantee_no=data.guarantee_no,
            declaration_number=data.declaration_number,
            amount=data.amount,
            valid_until=data.valid_until,
            issued_at=clock.now(),
            status="active",
        )
        session.add(prior)
        due.guaranteed += data.amount
        service.maybe_settle(
            session, due, reference=f"guarantee:{bank.code}:{data.guarantee_no}", actor=principal.label
        )
        audit.append(
            session,
            actor=principal.label,
            action="payment.guarantee",
            target=f"guarantee:{bank.code}:{data.guarantee_no}",
            unit=due.office,
            detail={"declaration": data.declaration_number, "amount": str(data.amount)},
        )
    elif (prior.declaration_number, prior.amount) != (data.declaration_number, data.amount):
        raise Conflict("this guarantee number was registered with other content", field="guarantee_no")
    return GuaranteeOut(
        id=prior.id,
        bank=prior.bank_code,
        guarantee_no=prior.guarantee_no,
        declaration_number=prior.declaration_number,
        amount=prior.amount,
        valid_until=prior.valid_until,
        status=prior.status,
    )
