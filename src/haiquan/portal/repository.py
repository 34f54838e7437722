"""The portal's queries, each scoped by the caller: a staff member's scope is its enterprise's (the
enterprise's own records, and those naming its tax code as payer or party), never another's."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from haiquan.declarations.tables import DeclarationRow, NotificationRow
from haiquan.kit.auth import Scope
from haiquan.kit.errors import NotFound
from haiquan.organization.tables import EnterpriseRow
from haiquan.payments.tables import PaymentReferenceRow
from haiquan.portal.tables import StaffRow


def _enterprise_id(scope: Scope) -> str:
    if scope.enterprise_id is None:  # the portal is an enterprise's: an officer's scope reads nothing here
        raise NotFound("no enterprise in this scope", field="enterprise_id")
    return scope.enterprise_id


def enterprise(session: Session, *, scope: Scope) -> EnterpriseRow:
    row = session.get(EnterpriseRow, _enterprise_id(scope))
    if row is None:
        raise NotFound("no such enterprise", field="enterprise_id")
    return row


def staff(session: Session, *, scope: Scope) -> list[StaffRow]:
    q = select(StaffRow).where(StaffRow.enterprise_id == _enterprise_id(scope)).order_by(StaffRow.username)
    return list(session.scalars(q))


def staff_member(session: Session, username: str, *, scope: Scope) -> StaffRow:
    row = session.scalar(
        select(StaffRow).where(StaffRow.username == username, StaffRow.enterprise_id == _enterprise_id(scope))
    )
    if row is None:
        raise NotFound(f"no staff account {username!r} of this enterprise", field="username")
    return row


def unscoped_staff_by_username(session: Session, username: str) -> StaffRow | None:
    """The command line's look-up (it acts for no caller)."""
    return session.scalar(select(StaffRow).where(StaffRow.username == username))


def payments_due(session: Session, *, scope: Scope, limit: int = 200) -> list[PaymentReferenceRow]:
    """Open payment references the enterprise pays or whose declaration it lodged, oldest first."""
    lodged = select(DeclarationRow.number).where(DeclarationRow.declarant_id == _enterprise_id(scope))
    q = (
        select(PaymentReferenceRow)
        .where(
            PaymentReferenceRow.status == "open",
            or_(
                PaymentReferenceRow.payer_tax_code == scope.tax_code,
                PaymentReferenceRow.declaration_number.in_(lodged),
            ),
        )
        .order_by(PaymentReferenceRow.created_at, PaymentReferenceRow.reference)
        .limit(limit)
    )
    return list(session.scalars(q))


def notifications(session: Session, *, scope: Scope, limit: int = 100) -> list[NotificationRow]:
    """The enterprise's latest notifications (declaration status changes), newest first."""
    q = (
        select(NotificationRow)
        .where(NotificationRow.enterprise_id == _enterprise_id(scope))
        .order_by(NotificationRow.seq.desc())
        .limit(limit)
    )
    return list(session.scalars(q))
