"""The reads of a batch of bank confirmations: the callers' banks, earlier bookings of the same transactions,
their allocations, the payment references and the dues (locked in one ordered statement), each one query
for the whole batch."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.kit.auth import Principal
from haiquan.kit.db import among
from haiquan.kit.errors import ValidationFailed
from haiquan.kit.money import vnd
from haiquan.payments.domain import ZERO, PaymentError, check_reference
from haiquan.payments.schemas import PaymentIn, PaymentOut, Share
from haiquan.payments.tables import (
    BankPaymentRow,
    BankRow,
    DeclarationDueRow,
    PaymentAllocationRow,
    PaymentReferenceRow,
)


def same_booking(row: BankPaymentRow, data: PaymentIn) -> bool:
    return row.amount == data.amount and row.references == ",".join(data.references)


def callers_banks(session: Session, principal: Principal, codes: set[str]) -> dict[str, BankRow]:
    """The banks named that this API key may act for, and why not for each of the others."""
    principal.require_enterprise("bank")
    rows = session.scalars(select(BankRow).where(BankRow.code.in_(sorted(codes)))).all()
    return {b.code: b for b in rows if b.tax_code == principal.tax_code}


def earlier_bookings(session: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], BankPaymentRow]:
    if not keys:
        return {}
    t = BankPaymentRow
    rows = session.scalars(
        select(t).where(among(session, t.bank_code, {b for b, _ in keys}),
                        among(session, t.transaction_id, {x for _, x in keys}))
    ).all()  # fmt: skip
    found = {(r.bank_code, r.transaction_id): r for r in rows}
    return {k: r for k, r in found.items() if k in keys}


def shares_of(session: Session, rows: Sequence[BankPaymentRow]) -> dict[str, list[PaymentAllocationRow]]:
    out: dict[str, list[PaymentAllocationRow]] = defaultdict(list)
    if rows:
        allocs = session.scalars(
            select(PaymentAllocationRow)
            .where(among(session, PaymentAllocationRow.payment_id, {r.id for r in rows}))
            .order_by(PaymentAllocationRow.id)
        ).all()
        for a in allocs:
            out[a.payment_id].append(a)
    return out


def answer(row: BankPaymentRow, allocs: Sequence[PaymentAllocationRow]) -> PaymentOut:
    return PaymentOut(
        id=row.id, bank=row.bank_code, transaction_id=row.transaction_id, amount=vnd(row.amount),
        allocated=vnd(row.allocated), excess=vnd(row.excess), status=row.status, paid_at=row.paid_at,
        shares=[Share(reference=a.reference, declaration_number=a.declaration_number, amount=vnd(a.amount))
                for a in allocs],
    )  # fmt: skip


def reference_codes(data: PaymentIn) -> list[str]:
    """The references' syntax (check digit), and no reference twice."""
    codes: list[str] = []
    for i, raw in enumerate(data.references):
        try:
            code = check_reference(raw)
        except PaymentError as exc:
            raise ValidationFailed(str(exc), field=f"references[{i}]", code=exc.code) from exc
        if code in codes:
            raise ValidationFailed(f"reference {code} is listed twice", field=f"references[{i}]")
        codes.append(code)
    return codes


@dataclass
class LockedDue:
    """A locked due, read as a plain row and written back in one statement for the whole batch."""

    declaration_number: str
    office: str
    assessed: Decimal
    paid: Decimal
    guaranteed: Decimal
    settled_sent: bool
    version: int
    changed: bool = False


@dataclass
class OpenRef:
    reference: str
    declaration_number: str
    office: str
    payer_tax_code: str
    amount_due: Decimal
    amount_paid: Decimal
    added: Decimal = ZERO


def lock_dues(session: Session, numbers: set[str]) -> dict[str, LockedDue]:
    """Lock every due of the batch in one statement, in one order for every caller (no deadlocks)."""
    if not numbers:
        return {}
    t = DeclarationDueRow
    rows = session.execute(
        select(t.declaration_number, t.office, t.assessed, t.paid, t.guaranteed, t.settled_sent, t.version)
        .where(among(session, t.declaration_number, numbers))
        .order_by(t.declaration_number)
        .with_for_update()
    ).all()
    return {r[0]: LockedDue(*r) for r in rows}


def references_of(session: Session, codes: set[str]) -> dict[str, OpenRef]:
    if not codes:
        return {}
    t = PaymentReferenceRow
    rows = session.execute(
        select(
            t.reference, t.declaration_number, t.office, t.payer_tax_code, t.amount_due, t.amount_paid
        ).where(among(session, t.reference, codes))
    ).all()
    return {r[0]: OpenRef(*r) for r in rows}


def check_refs(data: PaymentIn, codes: list[str], refs: dict[str, OpenRef]) -> list[OpenRef]:
    out: list[OpenRef] = []
    for i, code in enumerate(codes):
        ref = refs.get(code)
        if ref is None:
            raise ValidationFailed(
                f"unknown payment reference {code}", field=f"references[{i}]", code="unknown_reference"
            )
        if ref.payer_tax_code != data.payer_tax_code:
            raise ValidationFailed(
                f"reference {code} is payable by tax code {ref.payer_tax_code}",
                field="payer_tax_code",
                code="payer_mismatch",
            )
        out.append(ref)
    return out
