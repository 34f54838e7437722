"""Who sees which permits. Deny by default: an agency's system (an enterprise with the `agency` role) or an
agency's officer sees only what its membership names (its agency, the offices it serves); customs officers
see the permits of their units; a declarant its own; anyone else nothing."""

from __future__ import annotations

from sqlalchemy.orm import Session

from haiquan.agencies import repository
from haiquan.agencies.domain import PermitScope
from haiquan.kit.auth import AGENCY_ROLES, EnterpriseRole, Principal, Role
from haiquan.kit.errors import Forbidden

ALL_UNITS = "*"


def agency_scope(session: Session, principal: Principal) -> PermitScope:
    """An agency's caller: its agency and served offices, or 403."""
    is_agency = (principal.is_enterprise and EnterpriseRole.AGENCY in principal.enterprise_roles) or (
        principal.is_officer and principal.role in AGENCY_ROLES
    )
    member = repository.unscoped_member(session, principal.key) if is_agency else None
    if member is None:
        raise Forbidden("this action is for a line ministry's system or staff", code="agencies_only")
    units = None if ALL_UNITS in member.units else frozenset(member.units)
    return PermitScope(agency=member.agency, units=units)


def reader_scope(session: Session, principal: Principal) -> PermitScope:
    """What a caller may read: an agency its own; a customs officer the units in its scope; a declarant
    (an enterprise with the declarant role) the permits of its own declarations."""
    if principal.is_officer and principal.role not in AGENCY_ROLES:
        return PermitScope(units=principal.scope.units)
    roles = principal.enterprise_roles
    if principal.is_enterprise and EnterpriseRole.DECLARANT in roles and EnterpriseRole.AGENCY not in roles:
        return PermitScope(declarant_id=principal.id)
    return agency_scope(session, principal)


def declarant_scope(principal: Principal) -> PermitScope:
    principal.require_enterprise(EnterpriseRole.DECLARANT.value)
    return PermitScope(declarant_id=principal.id)


def require_staff(principal: Principal) -> None:
    principal.require_officer(Role.AGENCY_OFFICER.value)
