"""Reservations on a guarantee the enterprise already holds (used as a general guarantee, bảo lãnh chung):
each transit takes part of it for the duty at stake. A reservation takes part of a bank guarantee the
enterprise holds (the payer of the declaration it was issued for) and is released on discharge (arrival,
re-export) or cancellation; the active reservations of a guarantee never exceed its amount, and a guarantee
must last until the goods are due to be discharged. A bank guaranteeing one suspended-regime declaration on
its own is payments.guarantees (an individual guarantee)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from haiquan.kit import clock, outbox
from haiquan.kit.db import new_id
from haiquan.kit.errors import Conflict, ValidationFailed
from haiquan.payments.catalogue import PaymentEvent
from haiquan.payments.tables import DeclarationDueRow, GuaranteeReservationRow, GuaranteeRow

__all__ = ["headroom", "release", "reserve"]


def _guarantee(session: Session, *, bank: str, guarantee_no: str, tax_code: str, field: str) -> GuaranteeRow:
    g = session.scalar(
        select(GuaranteeRow).where(GuaranteeRow.bank_code == bank, GuaranteeRow.guarantee_no == guarantee_no)
    )
    due = session.get(DeclarationDueRow, g.declaration_number) if g is not None else None
    if g is None or due is None or due.payer_tax_code != tax_code:
        raise ValidationFailed(f"no guarantee {bank}:{guarantee_no} of this enterprise", field=field)
    if g.status != "active":
        raise ValidationFailed(f"the guarantee {bank}:{guarantee_no} is {g.status}", field=field)
    return g


def headroom(session: Session, guarantee: GuaranteeRow) -> Decimal:
    """What the guarantee can still reserve: its amount less its active reservations."""
    used = session.scalar(
        select(func.coalesce(func.sum(GuaranteeReservationRow.amount), 0)).where(
            GuaranteeReservationRow.guarantee_id == guarantee.id, GuaranteeReservationRow.status == "reserved"
        )
    )
    return guarantee.amount - Decimal(used or 0)


def reserve(
    session: Session,
    *,
    bank: str,
    guarantee_no: str,
    tax_code: str,
    amount: Decimal,
    reference: str,
    until: date,
    unit: str,
    actor: str,
    field: str = "guarantee",
) -> GuaranteeReservationRow:
    """Reserve `amount` of the enterprise's guarantee for `reference` (422 naming `field` when the guarantee
    is unknown, not the enterprise's, ends before `until` or lacks headroom; 409 when reserved already)."""
    g = _guarantee(session, bank=bank, guarantee_no=guarantee_no, tax_code=tax_code, field=field)
    if g.valid_until < until:
        raise ValidationFailed(f"the guarantee ends on {g.valid_until}, before {until}", field=field)
    left = headroom(session, g)
    if amount > left:
        raise ValidationFailed(f"the guarantee can reserve {left} VND, not {amount}", field=field)
    if session.scalar(
        select(GuaranteeReservationRow.id).where(GuaranteeReservationRow.reference == reference)
    ):
        raise Conflict(f"{reference} already has a reservation", field=field)
    row = GuaranteeReservationRow(
        id=new_id(), guarantee_id=g.id, reference=reference, amount=amount, status="reserved",
        reserved_at=clock.now(), released_at=None, released_because="",
    )  # fmt: skip
    session.add(row)
    _record(session, PaymentEvent.GUARANTEE_RESERVED, row, g, unit=unit, actor=actor, because="")
    return row


def release(session: Session, *, reference: str, because: str, unit: str, actor: str) -> bool:
    """Release the reservation of `reference` (arrived, discharged, cancelled); False when none is held."""
    row = session.scalar(
        select(GuaranteeReservationRow).where(
            GuaranteeReservationRow.reference == reference, GuaranteeReservationRow.status == "reserved"
        )
    )
    if row is None:
        return False
    row.status, row.released_at, row.released_because = "released", clock.now(), because[:60]
    g = session.get(GuaranteeRow, row.guarantee_id)
    assert g is not None
    _record(session, PaymentEvent.GUARANTEE_RELEASED, row, g, unit=unit, actor=actor, because=because)
    return True


def _record(
    session: Session,
    kind: PaymentEvent,
    row: GuaranteeReservationRow,
    g: GuaranteeRow,
    *,
    unit: str,
    actor: str,
    because: str,
) -> None:
    payload = {
        "reference": row.reference, "bank": g.bank_code, "guarantee_no": g.guarantee_no,
        "amount": str(row.amount), "because": because,
    }  # fmt: skip
    outbox.record(session, type=kind, unit=unit, actor=actor, payload=payload)
