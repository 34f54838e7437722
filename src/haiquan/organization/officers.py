"""Managing officers' accounts: deactivate and reactivate, change the role or the home unit, take off and put
back on the roster (leave). Each change is audited and recorded as an event of the organisation's catalogue
in the caller's transaction. Officers are read from the database on every request (organization.service),
so a change takes effect at the next request in every process."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.kit import audit, outbox
from haiquan.kit.auth import Principal, Role
from haiquan.kit.errors import Conflict, NotFound, ValidationFailed
from haiquan.organization import sessions
from haiquan.organization.catalogue import OrganizationEvent
from haiquan.organization.service import TREES
from haiquan.organization.tables import OfficerRow


@dataclass(frozen=True)
class OfficerChange:
    """What an administrator asks to change; None leaves a field as it is."""

    active: bool | None = None
    role: str | None = None
    unit: str | None = None
    on_roster: bool | None = None


# (field, new value) -> the event that says it; the audit entry's action
EVENTS: dict[tuple[str, bool | None], tuple[OrganizationEvent, str]] = {
    ("active", True): (OrganizationEvent.OFFICER_REACTIVATED, "officer.reactivated"),
    ("active", False): (OrganizationEvent.OFFICER_DEACTIVATED, "officer.deactivated"),
    ("on_roster", True): (OrganizationEvent.OFFICER_RETURNED_TO_ROSTER, "officer.returned_to_roster"),
    ("on_roster", False): (OrganizationEvent.OFFICER_LEFT_ROSTER, "officer.left_roster"),
    ("role", None): (OrganizationEvent.OFFICER_ROLE_CHANGED, "officer.role_changed"),
    ("unit", None): (OrganizationEvent.OFFICER_MOVED, "officer.moved"),
}


def event_type(field: str, value: Any) -> tuple[OrganizationEvent, str]:
    """The event and audit action of a change of `field` to `value`."""
    return EVENTS[(field, bool(value) if field in ("active", "on_roster") else None)]


def initial_password() -> str:
    """A first password for a new account, shown once to the administrator who created it."""
    return secrets.token_urlsafe(12)


def by_username(session: Session, username: str, *, actor: Principal | None = None) -> OfficerRow:
    """The officer named `username`; for an administrator, only one whose unit is in their scope."""
    row = session.scalar(select(OfficerRow).where(OfficerRow.username == username))
    if row is None or (actor is not None and not actor.scope.covers_unit(row.unit)):
        raise NotFound(f"no officer {username!r} in your scope", field="username")
    return row


def _check(session: Session, row: OfficerRow, change: OfficerChange, actor: Principal | None) -> None:
    if change.role is not None and change.role not in {r.value for r in Role}:
        raise ValidationFailed(
            f"unknown role {change.role!r}; one of: {', '.join(r.value for r in Role)}", field="role"
        )
    if change.unit is not None:
        tree = TREES.get(session)
        if tree.get(change.unit) is None:
            raise ValidationFailed(f"unknown or inactive unit {change.unit!r}", field="unit")
        if actor is not None and not actor.scope.covers_unit(change.unit):
            raise ValidationFailed(f"unit {change.unit} is outside your scope", field="unit")
    if actor is not None and actor.id == row.id and (change.active is False or change.role is not None):
        raise Conflict(
            "an administrator cannot deactivate their own account or change their own role",
            field="username",
            code="own_account",
        )


def change_officer(
    session: Session, *, username: str, change: OfficerChange, actor: str, by: Principal | None = None
) -> tuple[OfficerRow, list[str]]:
    """Apply `change` to the officer; returns the officer and the event types recorded (none when every
    field already had the value asked). `by` is the administrator calling through the API (scope checked);
    None for the command line."""
    row = by_username(session, username, actor=by)
    _check(session, row, change, by)
    recorded: list[str] = []
    for field in ("active", "role", "unit", "on_roster"):
        new = getattr(change, field)
        old = getattr(row, field)
        if new is None or new == old:
            continue
        setattr(row, field, new)
        kind, action = event_type(field, new)
        detail = {"field": field, "from": old, "to": new}
        payload = {"officer_id": row.id, "username": row.username, "unit": row.unit, "role": row.role}
        outbox.record(session, type=kind, unit=row.unit, actor=actor, payload=payload | detail)
        audit.append(
            session,
            actor=actor,
            action=action,
            target=f"officer:{row.username}",
            unit=row.unit,
            detail=detail,
        )
        recorded.append(kind)
    if change.active is False:  # every session ends now, and stays ended if the account is reactivated
        sessions.revoke_all(session, officer=row, reason="officer_deactivated", actor=actor)
    session.flush()  # the mapper event forgets this process's memory of callers and rosters at once
    return row, recorded
