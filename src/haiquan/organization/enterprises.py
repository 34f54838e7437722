"""An enterprise's standing: active, suspended (by customs, until reinstated) or dissolved (for good). A
suspended or dissolved enterprise keeps reading its records but lodges and registers nothing
(`require_standing`, called by the declarations' use cases). Each change is audited and recorded as an event
of the organisation's catalogue in the caller's transaction; the administrator's reason is kept with the
enterprise and named in the refusals."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from haiquan.kit import audit, outbox
from haiquan.kit.errors import Conflict, Forbidden, ValidationFailed
from haiquan.organization.catalogue import OrganizationEvent
from haiquan.organization.service import enterprise_by_tax_code
from haiquan.organization.tables import EnterpriseRow

# An enterprise's new status -> the event that says it
EVENTS = {
    "suspended": OrganizationEvent.ENTERPRISE_SUSPENDED,
    "active": OrganizationEvent.ENTERPRISE_REINSTATED,
    "dissolved": OrganizationEvent.ENTERPRISE_DISSOLVED,
}
AUDIT_ACTIONS = {
    "suspended": "enterprise.suspended",
    "active": "enterprise.reinstated",
    "dissolved": "enterprise.dissolved",
}
STATUSES = tuple(EVENTS)
HEAD_OFFICE = "00"  # enterprises registered without a unit are the General Department's


def reason_of(ent: EnterpriseRow) -> str:
    return str((ent.attributes or {}).get("status_reason") or "")


def refusal(status: str, reason: str, what: str) -> Forbidden:
    because = f" ({reason})" if reason else ""
    return Forbidden(
        f"the declarant is {status}{because}: {what} refused", field="declarant", code="declarant_ineligible"
    )


def require_standing(session: Session, enterprise_id: str, what: str) -> None:
    """403 naming the status and its reason unless the enterprise is active."""
    ent = session.get(EnterpriseRow, enterprise_id)
    if ent is not None and ent.status != "active":
        raise refusal(ent.status, reason_of(ent), what)


def _check(ent: EnterpriseRow, status: str, reason: str) -> None:
    if status not in STATUSES:
        raise ValidationFailed(f"status must be one of: {', '.join(STATUSES)}", field="status")
    if not reason.strip() or len(reason) > 500:
        raise ValidationFailed("give the reason (1 to 500 characters)", field="reason")
    if ent.status == "dissolved" and status != "dissolved":
        raise Conflict(
            f"enterprise {ent.tax_code} is dissolved: it is not reinstated nor suspended",
            field="status",
            code="enterprise_dissolved",
        )


def set_status(
    session: Session, *, tax_code: str, status: str, reason: str, actor: str
) -> tuple[EnterpriseRow, str | None]:
    """Suspend, reinstate or dissolve; returns the enterprise and the event type recorded (None when it
    already had that status)."""
    ent = enterprise_by_tax_code(session, tax_code)
    _check(ent, status, reason)
    if ent.status == status:
        return ent, None
    old, kind = ent.status, EVENTS[status]
    ent.status = status
    ent.attributes = {**(ent.attributes or {}), "status_reason": reason.strip() if status != "active" else ""}
    detail: dict[str, Any] = {"from": old, "to": status, "reason": reason.strip()}
    payload = {"enterprise_id": ent.id, "tax_code": ent.tax_code} | detail
    unit = ent.unit or HEAD_OFFICE
    outbox.record(session, type=kind, unit=unit, actor=actor, payload=payload)
    audit.append(
        session,
        actor=actor,
        action=AUDIT_ACTIONS[status],
        target=f"enterprise:{ent.tax_code}",
        unit=unit,
        detail=detail,
    )
    session.flush()
    return ent, kind
