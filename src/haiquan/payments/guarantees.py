"""Individual guarantees (bảo lãnh riêng) that reserve duty not yet due: a bank guarantees the duty of
one declaration whose goods are under a suspended regime (temporary import, bonded warehouse). A reserving
guarantee is a `GuaranteeRow` with status `reserved` on the declaration (or any 12-character reference the
caller owns) and no due behind it; it is `released` when the goods are discharged (re-exported, finalised),
or `called` when the duty falls due: then it covers that due as any guarantee does
(confirmations.guarantee). Additive to the guarantees of confirmations.py. A share of a guarantee the
enterprise already holds, taken for one transit after another, is payments.reservations (a general
guarantee's headroom)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.kit import audit, clock
from haiquan.kit.db import new_id
from haiquan.kit.errors import Conflict, ValidationFailed
from haiquan.payments import service
from haiquan.payments.tables import DeclarationDueRow, GuaranteeRow

RESERVED, RELEASED, CALLED = "reserved", "released", "called"


def reserve(
    session: Session,
    *,
    bank_code: str,
    guarantee_no: str,
    declaration_number: str,
    amount: Decimal,
    valid_until: date,
    actor: str,
    unit: str,
) -> GuaranteeRow:
    """A bank's guarantee reserving `amount` of duty on goods not yet owing it. Repeating the same guarantee
    answers the one recorded; the same number with other content is a conflict."""
    if amount <= 0:
        raise ValidationFailed("amount must be positive", field="amount")
    if valid_until <= clock.today_vn():
        raise ValidationFailed("the guarantee has already ended", field="valid_until")
    prior = session.scalar(
        select(GuaranteeRow).where(
            GuaranteeRow.bank_code == bank_code, GuaranteeRow.guarantee_no == guarantee_no
        )
    )
    if prior is not None:
        if (prior.declaration_number, prior.amount) != (declaration_number, amount):
            raise Conflict("this guarantee number was registered with other content", field="guarantee_no")
        return prior
    row = GuaranteeRow(
        id=new_id(), bank_code=bank_code, guarantee_no=guarantee_no, declaration_number=declaration_number,
        amount=amount, valid_until=valid_until, issued_at=clock.now(), status=RESERVED,
    )  # fmt: skip
    session.add(row)
    audit.append(session, actor=actor, action="payment.guarantee_reserved", unit=unit,
                 target=f"guarantee:{bank_code}:{guarantee_no}",
                 detail={"declaration": declaration_number, "amount": str(amount)})  # fmt: skip
    return row


def reserved_for(session: Session, declaration_number: str) -> list[GuaranteeRow]:
    """The guarantees still reserving duty on this declaration (or reference)."""
    q = select(GuaranteeRow).where(
        GuaranteeRow.declaration_number == declaration_number, GuaranteeRow.status == RESERVED
    )
    return list(session.scalars(q.order_by(GuaranteeRow.issued_at, GuaranteeRow.id)))


def reserved_amount(session: Session, declaration_number: str) -> Decimal:
    return sum((g.amount for g in reserved_for(session, declaration_number)), Decimal(0))


def release_reserved(session: Session, *, declaration_number: str, actor: str, reason: str) -> Decimal:
    """The goods were discharged: every guarantee reserving their duty is released. How much was."""
    released = Decimal(0)
    for g in reserved_for(session, declaration_number):
        g.status = RELEASED
        released += g.amount
        audit.append(session, actor=actor, action="payment.guarantee_released", unit=None,
                     target=f"guarantee:{g.bank_code}:{g.guarantee_no}",
                     detail={"declaration": declaration_number, "reason": reason[:200]})  # fmt: skip
    return released


def call_reserved(session: Session, *, declaration_number: str, actor: str) -> Decimal:
    """The duty fell due (a deadline passed): the reserving guarantees are called and cover the due now
    assessed, up to what is outstanding, as any guarantee does. How much was called."""
    called = Decimal(0)
    due = session.get(DeclarationDueRow, declaration_number)
    for g in reserved_for(session, declaration_number):
        g.status = CALLED
        called += g.amount
        audit.append(session, actor=actor, action="payment.guarantee_called", unit=due.office if due else None,
                     target=f"guarantee:{g.bank_code}:{g.guarantee_no}",
                     detail={"declaration": declaration_number, "amount": str(g.amount)})  # fmt: skip
    if due is not None and called > 0:
        due.guaranteed += min(called, service.outstanding(due))
        service.maybe_settle(session, due, reference=f"guarantee-called:{declaration_number}", actor=actor)
    return called
