"""Amounts due per declaration and their payment references, built from the declarations' events;
refunds and write-offs; the settlement signal to the declarations module. Services never commit."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from haiquan.kit import audit, clock, outbox, pending
from haiquan.kit.db import Base, among
from haiquan.kit.errors import NotFound, ValidationFailed
from haiquan.payments import ledger
from haiquan.payments.catalogue import PaymentEvent
from haiquan.payments.domain import (
    ZERO,
    EntryKind,
    amendment,
    assessment,
    reference_for,
    refund,
    refund_due,
    write_off,
)
from haiquan.payments.tables import DeclarationDueRow, LedgerLineRow, PaymentReferenceRow

SYSTEM = "system:payments"


def outstanding(due: DeclarationDueRow) -> Decimal:
    return due.assessed - due.paid - due.written_off


@dataclass
class Known:
    """The dues and payment references of a chunk of declarations, read at once (`preload`): what is not
    here does not exist, so applying the chunk asks the database nothing more, event by event."""

    dues: dict[str, DeclarationDueRow]
    references: set[str]


def preload(session: Session, numbers: set[str]) -> Known:
    wanted = sorted(numbers)
    dues = session.scalars(
        select(DeclarationDueRow).where(among(session, DeclarationDueRow.declaration_number, wanted))
    )
    refs = session.scalars(
        select(PaymentReferenceRow.reference).where(
            among(session, PaymentReferenceRow.declaration_number, wanted)
        )
    )
    return Known({d.declaration_number: d for d in dues}, set(refs))


def _due(session: Session, number: str, known: Known | None) -> DeclarationDueRow | None:
    return known.dues.get(number) if known is not None else session.get(DeclarationDueRow, number)


def _new_reference(
    session: Session, due: DeclarationDueRow, amendment_no: int, amount: Decimal, known: Known | None = None
) -> None:
    ref = reference_for(due.declaration_number, amendment_no)
    exists = (
        ref in known.references if known is not None else session.get(PaymentReferenceRow, ref) is not None
    )
    if exists:
        return
    if known is not None:
        known.references.add(ref)
    session.add(
        PaymentReferenceRow(
            reference=ref,
            declaration_number=due.declaration_number,
            amendment_no=amendment_no,
            office=due.office,
            payer_tax_code=due.payer_tax_code,
            amount_due=amount,
            amount_paid=ZERO,
            status="open",
            created_at=clock.now(),
        )
    )
    outbox.record(
        session,
        type=PaymentEvent.REFERENCE_ISSUED,
        unit=due.office,
        actor=SYSTEM,
        payload={
            "reference": ref,
            "declaration_number": due.declaration_number,
            "amendment_no": amendment_no,
            "amount_due": str(amount),
            "payer_tax_code": due.payer_tax_code,
        },
    )


def assessed(
    session: Session,
    *,
    number: str,
    office: str,
    payer: str,
    total: Decimal,
    source: str,
    known: Known | None = None,
) -> DeclarationDueRow | None:
    """A registered declaration's duties: one reference and one assessment entry."""
    if _due(session, number, known) is not None or total <= 0:
        return None
    due = DeclarationDueRow(
        declaration_number=number,
        office=office,
        payer_tax_code=payer,
        assessed=total,
        paid=ZERO,
        guaranteed=ZERO,
        written_off=ZERO,
        settled_sent=False,
    )
    session.add(due)
    if known is not None:
        known.dues[number] = due
    _new_reference(session, due, 0, total, known)
    ledger.post(
        session,
        office=office,
        kind=EntryKind.ASSESSMENT,
        postings=assessment(total),
        source=source,
        actor=SYSTEM,
        declaration_number=number,
    )
    return due


def assessed_at_registration(
    session: Session, *, number: str, office: str, payer: str, total: Decimal, source: str
) -> None:
    """The due, the first payment reference and the assessment entry of a declaration registered in this
    transaction, written at its commit (kit.pending: nothing read, rolled back with a refused change of a
    group commit), so the reference exists as soon as the answer says `duty_payment_reference_issued`.
    A declaration is registered once: neither can exist yet. `source` is the registration's event id."""
    if total <= 0:
        return
    now, ref = clock.now(), reference_for(number, 0)
    pending.add(session, _table(DeclarationDueRow), {
        "declaration_number": number, "office": office, "payer_tax_code": payer, "assessed": total,
        "paid": ZERO, "guaranteed": ZERO, "written_off": ZERO, "settled_sent": False, "version": 1,
    })  # fmt: skip
    pending.add(session, _table(PaymentReferenceRow), {
        "reference": ref, "declaration_number": number, "amendment_no": 0, "office": office,
        "payer_tax_code": payer, "amount_due": total, "amount_paid": ZERO, "status": "open", "created_at": now,
    })  # fmt: skip
    outbox.record(session, type=PaymentEvent.REFERENCE_ISSUED, unit=office, actor=SYSTEM, payload={
        "reference": ref, "declaration_number": number, "amendment_no": 0, "amount_due": str(total),
        "payer_tax_code": payer,
    })  # fmt: skip
    made = ledger.entry(office=office, kind=EntryKind.ASSESSMENT, postings=assessment(total), source=source,
                        actor=SYSTEM, declaration_number=number, at=now)  # fmt: skip
    if made is not None:
        lines, event = made
        pending.add_many(session, _table(LedgerLineRow), lines)
        outbox.record_many(session, [event])


def _table(row: type[Base]) -> Table:
    return cast(Table, row.__table__)


def amended(
    session: Session,
    *,
    number: str,
    office: str,
    payer: str,
    new_total: Decimal,
    amendment_no: int,
    source: str,
    known: Known | None = None,
) -> None:
    """An AMA (or a cancellation, new_total 0): the difference is due on a new reference or refundable."""
    due = _due(session, number, known)
    if due is None:
        assessed(
            session, number=number, office=office, payer=payer, total=new_total, source=source, known=known
        )
        return
    difference = new_total - due.assessed
    if difference == 0:
        return
    postings = amendment(difference, outstanding(due))
    due.assessed = new_total
    if difference > 0:
        _new_reference(session, due, amendment_no, difference, known)
        due.settled_sent = False
    else:
        _shrink_open_references(session, number, -difference)
    ledger.post(
        session,
        office=office,
        kind=EntryKind.AMENDMENT,
        postings=postings,
        source=source,
        actor=SYSTEM,
        declaration_number=number,
    )
    maybe_settle(session, due, reference=reference_for(number, amendment_no), actor=SYSTEM)


def _shrink_open_references(session: Session, number: str, less: Decimal) -> None:
    refs = session.scalars(
        select(PaymentReferenceRow)
        .where(PaymentReferenceRow.declaration_number == number, PaymentReferenceRow.status == "open")
        .order_by(PaymentReferenceRow.amendment_no.desc())
    ).all()
    for ref in refs:
        cut = min(less, ref.amount_due - ref.amount_paid)
        ref.amount_due -= cut
        less -= cut
        if ref.amount_due <= ref.amount_paid:
            ref.status = "paid" if ref.amount_paid > 0 else "cancelled"


class DueLike(Protocol):
    declaration_number: str
    office: str
    assessed: Decimal
    paid: Decimal
    guaranteed: Decimal
    settled_sent: bool


def settlement(due: DueLike, *, reference: str, actor: str) -> dict[str, Any] | None:
    """The event telling the declarations module, once, that the amount due is covered: by payments alone
    (payment.confirmed, with the amount paid so far) or with a guarantee (payment.guarantee_issued); marks
    the due as told. None while not covered or already told."""
    if due.settled_sent or due.assessed <= 0:
        return None
    if due.paid >= due.assessed:
        kind, amount = PaymentEvent.CONFIRMED, due.paid
    elif due.paid + due.guaranteed >= due.assessed:
        kind, amount = PaymentEvent.GUARANTEE_ISSUED, due.guaranteed
    else:
        return None
    due.settled_sent = True
    payload = {"declaration_number": due.declaration_number, "amount": str(amount), "reference": reference}
    return outbox.row_for(type=kind, unit=due.office, actor=actor, payload=payload)


def maybe_settle(session: Session, due: DueLike, *, reference: str, actor: str) -> None:
    event = settlement(due, reference=reference, actor=actor)
    if event is not None:
        outbox.record_many(session, [event])


def get_due(session: Session, number: str) -> DeclarationDueRow:
    due = session.get(DeclarationDueRow, number, with_for_update=True)
    if due is None:
        raise NotFound(f"no duties are recorded for declaration {number}", field="declaration_number")
    return due


def refund_paid(
    session: Session, *, number: str, amount: Decimal, actor: str, source: str | None = None
) -> str | None:
    """Money paid back to the trader out of what the ledger shows as refundable for this declaration.
    Returns the ledger entry id; `source` names the entry (default: the declaration and the time)."""
    due = get_due(session, number)
    if amount <= 0:
        raise ValidationFailed("amount must be positive", field="amount")
    owed = refundable(session, number)
    if amount > owed:
        raise ValidationFailed(f"only {owed} is refundable on {number}", field="amount", code="over_refund")
    entry_id = ledger.post(
        session,
        office=due.office,
        kind=EntryKind.REFUND,
        postings=refund(amount),
        source=source or f"refund:{number}:{clock.now().isoformat()}",
        actor=actor,
        declaration_number=number,
    )
    audit.append(
        session,
        actor=actor,
        action="payment.refund",
        target=f"declaration:{number}",
        unit=due.office,
        detail={"amount": str(amount)},
    )
    return entry_id


def refund_decided(session: Session, *, number: str, amount: Decimal, source: str, actor: str) -> str | None:
    """A refund granted on an application (applications): the revenue owed back is booked as refundable
    on the declaration, to be paid back with refund_paid. Returns the ledger entry id."""
    due = get_due(session, number)
    if amount <= 0:
        raise ValidationFailed("amount must be positive", field="amount")
    paid_in = due.paid
    if amount > paid_in:
        raise ValidationFailed(f"only {paid_in} was paid on {number}", field="amount", code="over_refund")
    return ledger.post(
        session, office=due.office, kind=EntryKind.REFUND_DUE, postings=refund_due(amount), source=source,
        actor=actor, declaration_number=number,
    )  # fmt: skip


def relief_decided(session: Session, *, number: str, amount: Decimal, source: str, actor: str) -> str | None:
    """Duties exempted or not collected by decision (applications), once they are paid: revenue given back,
    owed to the trader (paid back with refund_paid). Duties still owed are refused: the declaration waits
    for its own total, so relief before payment would need an amendment of the declaration. Returns the
    ledger entry id."""
    due = get_due(session, number)
    if outstanding(due) > 0:
        raise ValidationFailed(
            f"{outstanding(due)} is still owed on {number}: relief is granted on duties paid",
            field="declaration_number", code="duties_outstanding",
        )  # fmt: skip
    if amount <= 0 or amount > due.paid:
        raise ValidationFailed(f"between 1 and the {due.paid} paid", field="amount")
    return ledger.post(
        session, office=due.office, kind=EntryKind.RELIEF, postings=refund_due(amount), source=source,
        actor=actor, declaration_number=number,
    )  # fmt: skip


def refundable(session: Session, number: str) -> Decimal:
    from sqlalchemy import func

    c, d = session.execute(
        select(func.sum(LedgerLineRow.credit), func.sum(LedgerLineRow.debit)).where(
            LedgerLineRow.declaration_number == number, LedgerLineRow.account == "refunds_payable"
        )
    ).one()
    return Decimal(str(c or 0)) - Decimal(str(d or 0))


def write_off_debt(session: Session, *, number: str, amount: Decimal, reason: str, actor: str) -> None:
    due = get_due(session, number)
    if amount <= 0 or amount > outstanding(due):
        raise ValidationFailed(f"amount must be between 1 and {outstanding(due)}", field="amount")
    due.written_off += amount
    ledger.post(
        session,
        office=due.office,
        kind=EntryKind.WRITE_OFF,
        postings=write_off(amount),
        source=f"write_off:{number}:{clock.now().isoformat()}",
        actor=actor,
        declaration_number=number,
    )
    audit.append(
        session,
        actor=actor,
        action="payment.write_off",
        target=f"declaration:{number}",
        unit=due.office,
        detail={"amount": str(amount), "reason": reason[:200]},
    )
