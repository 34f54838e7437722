"""Payment queries for routes, scoped by the caller: an enterprise reads the references it pays or whose
declaration it lodged; an officer those of the offices of its units."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from haiquan.declarations.tables import DeclarationRow
from haiquan.kit.auth import Scope
from haiquan.payments.tables import BankRow, PaymentReferenceRow


def references(session: Session, declaration_number: str, *, scope: Scope) -> list[PaymentReferenceRow]:
    """The payment references of a declaration (one per amendment), oldest first."""
    q = (
        select(PaymentReferenceRow)
        .where(PaymentReferenceRow.declaration_number == declaration_number)
        .order_by(PaymentReferenceRow.amendment_no)
    )
    if scope.enterprise_id is not None:
        lodged = select(DeclarationRow.number).where(
            DeclarationRow.number == declaration_number, DeclarationRow.declarant_id == scope.enterprise_id
        )
        q = q.where(
            or_(
                PaymentReferenceRow.payer_tax_code == scope.tax_code,
                PaymentReferenceRow.declaration_number.in_(lodged),
            )
        )
    if scope.units is not None:
        q = q.where(PaymentReferenceRow.office.in_(scope.units))
    return list(session.scalars(q))


def bank(session: Session, code: str, *, scope: Scope) -> BankRow | None:
    """A bank's row (banks are national: every officer's scope), or for an enterprise only its own (its tax
    code); None otherwise or when there is no such bank: the caller answers 404 either way."""
    row = session.get(BankRow, code.upper())
    if row is None or scope.tax_code is None or scope.tax_code == row.tax_code:
        return row
    return None
