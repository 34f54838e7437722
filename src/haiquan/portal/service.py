"""Use cases of the portal: an enterprise's staff accounts (made by its admin, or for the first admin by a
customs administrator, the command line or the demo), sign-in and the caller behind a portal token. A
staff member is a principal of kind `staff` whose scope is its enterprise's, exactly as the enterprise's
API keys are: its own declarations and those naming its tax code as a party, never another's."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.kit import audit, clock, outbox
from haiquan.kit.auth import Principal, Scope, hash_password, issue_token, read_token, verify_password
from haiquan.kit.db import new_id
from haiquan.kit.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from haiquan.organization.credentials import HEAD_OFFICE
from haiquan.organization.tables import EnterpriseRow
from haiquan.portal import domain, sessions
from haiquan.portal.catalogue import PortalEvent
from haiquan.portal.tables import StaffRow

KIND = "staff"


def _record(session: Session, ent: EnterpriseRow, kind: PortalEvent, actor: str, payload: dict) -> None:  # type: ignore[type-arg]
    outbox.record(session, type=kind, unit=ent.unit or HEAD_OFFICE, actor=actor, payload=payload)


def add_staff(
    session: Session,
    *,
    enterprise: EnterpriseRow,
    username: str,
    role: str,
    password: str,
    full_name: str = "",
    actor: str,
) -> StaffRow:
    """A staff account under the enterprise; usernames are unique across every enterprise."""
    name = domain.check_username(username)
    staff_role = domain.check_role(role)
    if len(password) < domain.MIN_PASSWORD:
        raise ValidationFailed(
            f"the password needs at least {domain.MIN_PASSWORD} characters", field="password"
        )
    if session.scalar(select(StaffRow.id).where(StaffRow.username == name)) is not None:
        raise Conflict(f"a staff account named {name!r} exists", field="username")
    row = StaffRow(id=new_id(), enterprise_id=enterprise.id, username=name, full_name=full_name[:200] or name,
                   role=staff_role.value, password_hash=hash_password(password), active=True,
                   created_at=clock.now(), created_by=actor[:100])  # fmt: skip
    session.add(row)
    payload = {"staff_id": row.id, "enterprise_id": enterprise.id, "tax_code": enterprise.tax_code,
               "username": name, "role": row.role, "by": actor}  # fmt: skip
    _record(session, enterprise, PortalEvent.STAFF_ADDED, actor, payload)
    audit.append(session, actor=actor, action="portal.staff_add", target=f"staff:{name}",
                 detail={"tax_code": enterprise.tax_code, "role": row.role})  # fmt: skip
    return row


def change_staff(
    session: Session,
    *,
    enterprise: EnterpriseRow,
    staff: StaffRow,
    role: str | None,
    active: bool,
    actor: str,
) -> StaffRow:
    """Another role, or deactivation (its sessions end now); an admin cannot lock themselves out."""
    if staff.enterprise_id != enterprise.id:
        raise NotFound("no such staff account of this enterprise", field="username")
    new_role = domain.check_role(role).value if role else staff.role
    if actor == f"{KIND}:{staff.username}" and (not active or new_role != domain.StaffRole.ADMIN):
        raise ValidationFailed("you cannot remove your own admin role", field="username", code="own_account")
    staff.role, staff.active = new_role, active
    if not active:
        sessions.revoke_all(session, staff=staff, reason="deactivated")
    payload = {"staff_id": staff.id, "enterprise_id": enterprise.id, "tax_code": enterprise.tax_code,
               "username": staff.username, "role": staff.role, "active": active, "by": actor}  # fmt: skip
    _record(session, enterprise, PortalEvent.STAFF_CHANGED, actor, payload)
    audit.append(session, actor=actor, action="portal.staff_change", target=f"staff:{staff.username}",
                 detail={"role": staff.role, "active": active})  # fmt: skip
    return staff


def login(session: Session, *, username: str, password: str, secret: str, ttl_minutes: int) -> str:
    """A portal token naming the session opened now; the same work for an unknown name (kit.auth)."""
    row = session.scalar(select(StaffRow).where(StaffRow.username == username.strip().lower()))
    matches = verify_password(row.password_hash if row is not None else None, password)
    if row is None or not row.active or not matches:
        raise Unauthorized("wrong username or password", code="bad_credentials")
    ent = session.get(EnterpriseRow, row.enterprise_id)
    if ent is None or ent.status != "active":
        raise Unauthorized("this enterprise may not sign in", code="enterprise_inactive")
    opened = sessions.open_session(session, staff=row, ttl_minutes=ttl_minutes)
    payload = {"session_id": opened.id, "staff_id": row.id, "enterprise_id": ent.id,
               "username": row.username, "expires_at": opened.expires_at.isoformat()}  # fmt: skip
    _record(session, ent, PortalEvent.STAFF_SIGNED_IN, f"{KIND}:{row.username}", payload)
    extra = {"kind": KIND, "sid": opened.id}
    return issue_token(secret=secret, subject=row.id, ttl_minutes=ttl_minutes, extra=extra)


def principal(staff: StaffRow, ent: EnterpriseRow) -> Principal:
    """A staff member as a caller: the enterprise's scope (its records only), the staff role."""
    return Principal(kind=KIND, id=staff.id, name=staff.username,
                     scope=Scope(units=None, enterprise_id=ent.id, tax_code=ent.tax_code),
                     role=staff.role, enterprise_roles=frozenset(ent.roles), tax_code=ent.tax_code)  # fmt: skip


def principal_from_token(session: Session, *, token: str, secret: str, idle_minutes: int) -> Principal:
    """The staff member behind a portal token, their session and row read on every request."""
    claims = read_token(token, secret=secret)
    sid = claims.get("sid")
    if claims.get("kind") != KIND or not isinstance(sid, str):
        raise Unauthorized("not a portal session: sign in to the portal", code="session_unknown")
    opened, staff = sessions.current(
        session, session_id=sid, staff_id=str(claims["sub"]), idle_minutes=idle_minutes
    )
    ent = session.get(EnterpriseRow, staff.enterprise_id)
    if ent is None or ent.status != "active":
        raise Unauthorized("this enterprise may not sign in", code="enterprise_inactive")
    return replace(principal(staff, ent), session_id=opened.id, session_stale=sessions.stale(opened))
