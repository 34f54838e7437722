"""Organisation queries for routes and pages, scoped by the caller: an enterprise reads its own row; an
administrator the enterprises registered with a unit of its scope."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from haiquan.kit.auth import Scope
from haiquan.kit.errors import NotFound
from haiquan.kit.tables import AuditEntry
from haiquan.organization.enterprises import HEAD_OFFICE
from haiquan.organization.service import enterprise_by_tax_code as unscoped_enterprise_by_tax_code
from haiquan.organization.tables import EnterpriseRow, OfficerRow


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


def officers(session: Session, *, scope: Scope, unit: str | None = None) -> list[OfficerRow]:
    """Officers of the caller's units (one unit's with `unit`), by unit then username."""
    q = select(OfficerRow).order_by(OfficerRow.unit, OfficerRow.username)
    if scope.enterprise_id is not None:
        return []
    if scope.units is not None:
        q = q.where(OfficerRow.unit.in_(sorted(scope.units)))
    if unit:
        q = q.where(OfficerRow.unit == unit)
    return list(session.scalars(q))


def enterprises(session: Session, *, scope: Scope, query: str = "", limit: int = 100) -> list[EnterpriseRow]:
    """Enterprises registered with a unit of the caller's scope (none: the General Department's), matched
    by tax code prefix or name."""
    if scope.enterprise_id is not None:
        return []
    q = select(EnterpriseRow).order_by(EnterpriseRow.tax_code).limit(limit)
    if scope.units is not None:
        units = sorted(scope.units)
        q = q.where(EnterpriseRow.unit.in_(units) if HEAD_OFFICE not in units else
                    or_(EnterpriseRow.unit.in_(units), EnterpriseRow.unit.is_(None)))  # fmt: skip
    if query:
        q = q.where(or_(EnterpriseRow.tax_code.startswith(query), EnterpriseRow.name.ilike(f"%{query}%")))
    return list(session.scalars(q))


def audit_entries(
    session: Session,
    *,
    scope: Scope,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before: int | None = None,
    limit: int = 50,
) -> list[AuditEntry]:
    """Who did what, newest first: entries of the caller's units (all for a national scope); keyset
    paging on the sequence number (`before`)."""
    if scope.enterprise_id is not None:
        return []
    q = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    if scope.units is not None:
        q = q.where(AuditEntry.unit.in_(sorted(scope.units)))
    if actor:
        q = q.where(AuditEntry.actor == actor)
    if action:
        q = q.where(AuditEntry.action.startswith(action))
    if since is not None:
        q = q.where(AuditEntry.at >= since)
    if until is not None:
        q = q.where(AuditEntry.at < until)
    if before is not None:
        q = q.where(AuditEntry.seq < before)
    return list(session.scalars(q))
