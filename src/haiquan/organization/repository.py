"""Organisation queries for routes and pages, scoped by the caller: an enterprise reads its own row; an
administrator the enterprises registered with a unit of its scope."""

from __future__ import annotations

from sqlalchemy.orm import Session

from haiquan.kit.auth import Scope
from haiquan.kit.errors import NotFound
from haiquan.organization.enterprises import HEAD_OFFICE
from haiquan.organization.service import enterprise_by_tax_code as unscoped_enterprise_by_tax_code
from haiquan.organization.tables import EnterpriseRow


def own_enterprise(session: Session, *, scope: Scope) -> EnterpriseRow:
    """The calling enterprise's own row."""
    row = session.get(EnterpriseRow, scope.enterprise_id) if scope.enterprise_id else None
    if row is None:
        raise NotFound("no enterprise is calling", field="Authorization")
    return row


def enterprise_by_tax_code(session: Session, tax_code: str, *, scope: Scope) -> EnterpriseRow:
    """An enterprise registered with a unit of the caller's scope (none: the General Department's)."""
    row = unscoped_enterprise_by_tax_code(session, tax_code)
    if not scope.covers_unit(row.unit or HEAD_OFFICE):
        raise NotFound(f"no enterprise with tax code {tax_code} in your scope", field="tax_code")
    return row
