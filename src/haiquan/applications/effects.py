"""What a decision causes: the status and the reasons kept; an approved refund booked as due in the
revenue ledger (an over-payment already is) and paid back through it; a ruling put in force for its
holder; an extension's new due date in `payment_extensions` with an event the tax accounts read."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import Session

from haiquan.applications.catalogue import ApplicationEvent
from haiquan.applications.domain import (
    GRANTED,
    RULINGS,
    WITH_AMOUNT,
    Decision,
    Kind,
    Status,
    check_decision,
    command_of,
    on_time,
    ruling_valid_to,
    transition,
)
from haiquan.applications.records import record
from haiquan.applications.tables import ApplicationRow, PaymentExtensionRow, RulingRow
from haiquan.kit import clock
from haiquan.kit.errors import ValidationFailed
from haiquan.payments import service as payments

PAID_BACK = frozenset({Kind.REFUND, Kind.EXEMPTION, Kind.NO_COLLECTION})


def decide(session: Session, row: ApplicationRow, d: Decision, *, actor: str) -> ApplicationRow:
    kind, now = Kind(row.kind), clock.now()
    today = clock.today_vn()
    check_decision(kind, row.amount_requested, d, today)
    previous = row.status
    row.status = transition(Status(row.status), command_of(d.outcome)).value
    row.decided_at, row.decided_by, row.reasons = now, actor, d.reasons.strip()
    entry: str | None = None
    if Status(row.status) in GRANTED:
        if kind in WITH_AMOUNT:
            row.amount_granted = d.amount if d.amount is not None else row.amount_requested
        if kind in RULINGS:
            _ruling(session, row, d, today)
        elif kind is Kind.REFUND:
            entry = _refund_due(session, row)
        elif kind in (Kind.EXEMPTION, Kind.NO_COLLECTION):
            entry = _relief(session, row)
        elif kind is Kind.EXTENSION:
            _extension(session, row, d, actor=actor)
    record(
        session, row, previous, ApplicationEvent.DECIDED, actor=actor, outcome=d.outcome.value,
        reasons=row.reasons, amount_granted=None if row.amount_granted is None else str(row.amount_granted),
        decided_hs_code=row.decided_hs_code, valid_from=_iso(row.valid_from), valid_to=_iso(row.valid_to),
        new_due_date=_iso(row.new_due_date), on_time=on_time(now, row.deadline), ledger_entry=entry,
    )  # fmt: skip
    return row


def _iso(value: object) -> str | None:
    return None if value is None else str(value)


def _ruling(session: Session, row: ApplicationRow, d: Decision, today: date) -> None:
    row.valid_from, row.valid_to = today, ruling_valid_to(today, d.valid_to)
    if row.kind == Kind.RULING_CLASSIFICATION:
        row.decided_hs_code = d.hs_code
    session.add(
        RulingRow(
            id=row.id, kind=row.kind, holder_tax_code=row.tax_code, goods_code=row.goods_code,
            goods_description=row.goods_description, hs_code=row.decided_hs_code,
            origin_country=row.origin_country if row.kind == Kind.RULING_ORIGIN else "",
            value_note=row.details if row.kind == Kind.RULING_VALUE else "", office=row.office,
            valid_from=row.valid_from, valid_to=row.valid_to, issued_at=clock.now(),
        )
    )  # fmt: skip


def _refund_due(session: Session, row: ApplicationRow) -> str | None:
    """An over-payment is already refundable (the bank paid more than was due); any other ground books
    the revenue given back as refundable on the declaration."""
    assert row.declaration_number is not None
    assert row.amount_granted is not None
    if row.reason_code == "over_payment":
        owed = payments.refundable(session, row.declaration_number)
        if row.amount_granted > owed:
            raise ValidationFailed(f"only {owed} was over-paid on {row.declaration_number}", field="amount")
        return None
    return payments.refund_decided(
        session, number=row.declaration_number, amount=row.amount_granted,
        source=f"application:{row.id}:refund_due", actor=row.decided_by,
    )  # fmt: skip


def _relief(session: Session, row: ApplicationRow) -> str | None:
    """An exemption or "không thu" on duties paid: the amount granted is owed back (payments.relief_decided)."""
    assert row.declaration_number is not None
    assert row.amount_granted is not None
    return payments.relief_decided(
        session, number=row.declaration_number, amount=row.amount_granted,
        source=f"application:{row.id}:relief", actor=row.decided_by,
    )  # fmt: skip


def _extension(session: Session, row: ApplicationRow, d: Decision, *, actor: str) -> None:
    assert d.new_due_date is not None
    assert row.declaration_number
    assert row.amount_granted is not None
    row.new_due_date = d.new_due_date
    session.add(
        PaymentExtensionRow(
            application_id=row.id, declaration_number=row.declaration_number, tax_code=row.tax_code,
            office=row.office, amount=row.amount_granted, new_due_date=d.new_due_date, granted_at=clock.now(),
        )
    )  # fmt: skip
    record(
        session, row, row.status, ApplicationEvent.DEADLINE_EXTENDED, actor=actor,
        declaration_number=row.declaration_number, amount=str(row.amount_granted),
        new_due_date=d.new_due_date.isoformat(),
    )  # fmt: skip


def pay_back(session: Session, row: ApplicationRow, amount: object, *, actor: str) -> ApplicationRow:
    """Pay back (part of) an approved refund, exemption or no collection through the payments ledger."""
    if row.kind not in PAID_BACK or Status(row.status) not in GRANTED or row.amount_granted is None:
        raise ValidationFailed(
            "only an approved refund, exemption or no collection is paid back",
            field="application_id",
            code="not_refundable",
        )
    left = row.amount_granted - row.amount_paid_back
    try:
        pay = left if amount is None else Decimal(str(amount))
    except InvalidOperation as exc:
        raise ValidationFailed("amount is not a number", field="amount") from exc
    if pay <= 0 or pay > left:
        raise ValidationFailed(f"between 1 and the {left} left to pay back", field="amount")
    assert row.declaration_number is not None
    entry = payments.refund_paid(
        session, number=row.declaration_number, amount=pay, actor=actor,
        source=f"application:{row.id}:refund_paid:{row.amount_paid_back}",
    )  # fmt: skip
    row.amount_paid_back += pay
    record(
        session, row, row.status, ApplicationEvent.REFUND_PAID, actor=actor, amount=str(pay),
        paid_back=str(row.amount_paid_back), ledger_entry=entry,
    )  # fmt: skip
    return row
