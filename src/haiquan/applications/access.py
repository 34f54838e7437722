"""Who sees which applications. Deny by default: a trader (an enterprise with the declarant role) its own
applications; customs officers those addressed to their units (the office and every unit above it see
them); line-ministry staff nothing. Officers of the deciding roles decide."""

from __future__ import annotations

from haiquan.applications.domain import AppScope
from haiquan.kit.auth import AGENCY_ROLES, DECIDING_ROLES, EnterpriseRole, Principal
from haiquan.kit.errors import Forbidden


def trader_scope(principal: Principal) -> AppScope:
    principal.require_enterprise(EnterpriseRole.DECLARANT.value)
    return AppScope(enterprise_id=principal.id)


def officer_scope(principal: Principal) -> AppScope:
    """A deciding officer's units (403 for anyone else)."""
    principal.require_officer(*sorted(DECIDING_ROLES))
    return AppScope(units=principal.scope.units)


def reader_scope(principal: Principal) -> AppScope:
    if principal.is_officer and principal.role not in AGENCY_ROLES:
        return AppScope(units=principal.scope.units)
    if principal.is_enterprise and EnterpriseRole.DECLARANT in principal.enterprise_roles:
        return AppScope(enterprise_id=principal.id)
    raise Forbidden(
        "applications are read by their applicant and by customs officers", code="applications_only"
    )
