"""Use cases of the organisation: load the hierarchy, add officers and enterprises, authenticate callers."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.kit import audit, clock, outbox
from haiquan.kit.auth import (
    AGENCY_ROLES,
    EnterpriseRole,
    Principal,
    Role,
    Scope,
    hash_api_key,
    hash_password,
    issue_token,
    parse_api_key,
    read_token,
    same_hash,
    verify_password,
)
from haiquan.kit.db import new_id
from haiquan.kit.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from haiquan.organization import credentials, principals, restructure, sessions
from haiquan.organization.catalogue import OrganizationEvent
from haiquan.organization.domain import Unit, UnitTree
from haiquan.organization.tables import ApiKeyRow, EnterpriseRow, OfficerRow, UnitRow
from haiquan.reference import validators

DEFAULT_IDLE_MINUTES = 30  # kit.settings.Settings.session_idle_minutes


@dataclass
class TreeCache:
    """The unit tree, reloaded at most every `ttl` seconds or when told the hierarchy changed."""

    ttl: float = 30.0
    _tree: UnitTree | None = None
    _loaded: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, session: Session) -> UnitTree:
        with self._lock:
            if self._tree is None or time.monotonic() - self._loaded > self.ttl:
                self._tree = load_tree(session)
                self._loaded = time.monotonic()
            return self._tree

    def invalidate(self) -> None:
        with self._lock:
            self._tree = None
        principals.forget_all()  # officers' scopes follow the tree


TREES = TreeCache()


def load_tree(session: Session) -> UnitTree:
    rows = session.scalars(select(UnitRow)).all()
    units = {r.code: Unit(r.code, r.name_vi, r.name_en, r.level, r.parent, r.successor) for r in rows}
    return UnitTree.build(
        (units[r.code] for r in rows if r.active), (units[r.code] for r in rows if not r.active)
    )


def replace_units(session: Session, *, units: list[Unit], actor: str) -> dict[str, int]:
    """Upsert the hierarchy from a validated file. A unit listed with a successor is merged into it; a unit
    absent from the file is dissolved. Neither is deleted: records keep their unit code, held in scope by the
    successor (else the last parent); officers follow the successor, or lose access without one; open checks
    follow (restructure.follow)."""
    rows = {r.code: r for r in session.scalars(select(UnitRow)).all()}
    before = {code: (r.active, r.successor) for code, r in rows.items()}
    added, changed = restructure.upsert(session, dict(rows), units, clock.now())
    session.flush()
    # dissolved by this file, or given another successor (or a first one) after being dissolved before
    ended = sorted(c for c, r in rows.items() if not r.active and before[c] != (False, r.successor))
    TREES.invalidate()  # the roster that takes over open checks reads the new tree
    tree = TREES.get(session)
    merged = 0
    for code in ended:
        merged += restructure.follow(session, tree, code=code, actor=actor)
    summary = {
        "added": added,
        "changed": changed,
        "merged": merged,
        "dissolved": len(ended) - merged,
        "total": len(units),
    }
    outbox.record(session, type=OrganizationEvent.UNITS_REPLACED, unit="00", actor=actor, payload=summary)
    audit.append(session, actor=actor, action="units.load", target="units", detail=summary)
    TREES.invalidate()
    return summary


def add_officer(
    session: Session,
    *,
    username: str,
    unit: str,
    role: str,
    password: str,
    full_name: str = "",
    actor: str,
    by: Principal | None = None,
) -> OfficerRow:
    """Create an officer's account. `by` is the administrator calling through the API or a page (the unit
    must be in their scope); None for the command line and the demo."""
    if role not in {r.value for r in Role}:
        raise ValidationFailed(
            f"unknown role {role!r}; one of: {', '.join(r.value for r in Role)}", field="role"
        )
    found = session.get(UnitRow, unit)
    if found is None or (by is not None and not by.scope.covers_unit(unit)):
        raise ValidationFailed(f"unknown unit {unit!r}" + (" in your scope" if by else ""), field="unit")
    if not found.active:
        raise ValidationFailed(f"unit {unit!r} is dissolved", field="unit")
    if len(password) < 8:
        raise ValidationFailed("the password needs at least 8 characters", field="password")
    if session.scalar(select(OfficerRow).where(OfficerRow.username == username)) is not None:
        raise Conflict(f"an officer named {username!r} exists", field="username")
    row = OfficerRow(
        id=new_id(),
        username=username,
        full_name=full_name or username,
        unit=unit,
        role=role,
        password_hash=hash_password(password),
        created_at=clock.now(),
        active=True,
        on_roster=True,
    )
    session.add(row)
    payload = {
        "officer_id": row.id,
        "username": username,
        "full_name": row.full_name,
        "unit": unit,
        "role": role,
    }
    outbox.record(session, type=OrganizationEvent.OFFICER_ADDED, unit=unit, actor=actor, payload=payload)
    audit.append(session, actor=actor, action="officer.add", target=f"officer:{username}", unit=unit)
    return row


def add_enterprise(
    session: Session, *, tax_code: str, name: str, roles: list[str], actor: str, unit: str | None = None
) -> tuple[EnterpriseRow, str]:
    """Register an enterprise and return it with its first API key (shown once, stored hashed)."""
    try:
        code = validators.tax_code(tax_code)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="tax_code") from exc
    bad = [r for r in roles if r not in {e.value for e in EnterpriseRole}]
    if bad or not roles:
        raise ValidationFailed(
            f"roles must be among: {', '.join(e.value for e in EnterpriseRole)}", field="roles"
        )
    if session.scalar(select(EnterpriseRow).where(EnterpriseRow.tax_code == code)) is not None:
        raise Conflict(f"an enterprise with tax code {code} exists", field="tax_code")
    ent = EnterpriseRow(
        id=new_id(),
        tax_code=code,
        name=name,
        roles=sorted(set(roles)),
        unit=unit,
        webhook_secret=None,  # made with the first webhook URL, and shown then (organization.credentials)
        attributes={},
        created_at=clock.now(),
    )
    session.add(ent)
    session.flush()
    key = issue_api_key(session, enterprise=ent, actor=actor)
    audit.append(
        session, actor=actor, action="enterprise.add", target=f"enterprise:{code}", detail={"roles": roles}
    )
    return ent, key


def issue_api_key(session: Session, *, enterprise: EnterpriseRow, actor: str, label: str = "") -> str:
    """Another API key with every scope and no end (organization.credentials.issue_key for more)."""
    full, _ = credentials.issue_key(session, enterprise=enterprise, actor=actor, label=label)
    return full


def revoke_api_keys(session: Session, *, enterprise_id: str, actor: str = "system") -> int:
    """Revoke every API key of an enterprise now; the number revoked."""
    ent = session.get(EnterpriseRow, enterprise_id)
    if ent is None:
        raise NotFound(f"no enterprise {enterprise_id}", field="enterprise_id")
    return credentials.revoke_all(session, enterprise=ent, actor=actor)


def officer_scope(tree: UnitTree, unit: str, role: str | None = None) -> Scope:
    if role in AGENCY_ROLES:  # another agency's staff see no customs record (agencies.access scopes them)
        return Scope(units=frozenset())
    if tree.get(unit) is not None and tree.units[unit].level == "general":
        return Scope(units=None)
    return Scope(units=tree.subtree(unit))


def officer_principal(session: Session, row: OfficerRow) -> Principal:
    tree = TREES.get(session)
    require_active_unit(tree, row)
    return Principal(
        kind="officer",
        id=row.id,
        name=row.username,
        scope=officer_scope(tree, row.unit, row.role),
        unit=row.unit,
        role=row.role,
    )


def require_active_unit(tree: UnitTree, row: OfficerRow) -> None:
    """Officers of a unit dissolved without a successor lose access at once (officers of a merged unit have
    moved to its successor); their accounts are left as they are."""
    if tree.get(row.unit) is None:
        raise Unauthorized(f"this officer's unit {row.unit} has been dissolved", code="unit_dissolved")


def login(session: Session, *, username: str, password: str, secret: str, ttl_minutes: int) -> str:
    """A token for the officer, naming the server-side session opened now (organization.sessions)."""
    row = session.scalar(select(OfficerRow).where(OfficerRow.username == username))
    # checked even for an unknown or inactive officer (against a dummy hash): the same time either way
    matches = verify_password(row.password_hash if row is not None else None, password)
    if row is None or not row.active or not matches:
        raise Unauthorized("wrong username or password", code="bad_credentials")
    require_active_unit(TREES.get(session), row)
    opened = sessions.open_session(session, officer=row, ttl_minutes=ttl_minutes)
    extra = {"unit": row.unit, "sid": opened.id}
    return issue_token(secret=secret, subject=row.id, ttl_minutes=ttl_minutes, extra=extra)


def principal_from_token(
    session: Session, *, token: str, secret: str, idle_minutes: int = DEFAULT_IDLE_MINUTES
) -> Principal:
    """The officer behind a token. Their session and row are read on every request (one query, never from
    the callers' memory): a logout, a revocation, a deactivation, a role or a unit change made by any
    process (another worker, the command line) holds from the next request on."""
    claims = read_token(token, secret=secret)  # signature and expiry: checked on every request
    sid = claims.get("sid")
    if not isinstance(sid, str):
        raise Unauthorized("the token names no session: log in again", code="session_unknown")
    opened, row = sessions.current(
        session, session_id=sid, officer_id=str(claims["sub"]), idle_minutes=idle_minutes
    )
    principal = officer_principal(session, row)
    return replace(principal, session_id=opened.id, session_stale=sessions.stale(opened))


def remembered_principal(token: str, *, secret: str) -> Principal | None:
    """The caller from memory alone (no database, no blocking), or None: then authenticate as usual,
    which also audits a refusal."""
    _ = secret
    if token.startswith("hq_"):
        return principals.peek("api_key", token)
    return None  # officers are read on every request (principal_from_token)


def principal_from_api_key(session: Session, *, key: str) -> Principal:
    return principals.remembered("api_key", key, lambda: _principal_from_api_key(session, key))


def _principal_from_api_key(session: Session, key: str) -> Principal:
    key_id = parse_api_key(key)
    found = (
        session.execute(
            select(ApiKeyRow, EnterpriseRow)
            .join(EnterpriseRow, EnterpriseRow.id == ApiKeyRow.enterprise_id)
            .where(ApiKeyRow.key_id == key_id)
        ).first()
        if key_id
        else None
    )
    if found is None:
        raise Unauthorized("the API key is not valid", code="invalid_api_key")
    row, ent = found
    if row.revoked_at is not None or not same_hash(row.key_hash, hash_api_key(key)):
        raise Unauthorized("the API key is not valid", code="invalid_api_key")
    if row.expires_at is not None and row.expires_at <= clock.now():
        raise Unauthorized("the API key has expired", code="api_key_expired")
    scopes = frozenset(row.scopes.split())
    return replace(enterprise_principal(ent), key_id=row.key_id, key_scopes=scopes, expires_at=row.expires_at)


def enterprise_principal(ent: EnterpriseRow) -> Principal:
    """An enterprise as a caller: its own records only, with its roles."""
    return Principal(
        kind="enterprise",
        id=ent.id,
        name=ent.tax_code,
        scope=Scope(units=None, enterprise_id=ent.id, tax_code=ent.tax_code),
        enterprise_roles=frozenset(ent.roles),
        tax_code=ent.tax_code,
    )


def enterprise_by_tax_code(session: Session, tax_code: str) -> EnterpriseRow:
    row = session.scalar(select(EnterpriseRow).where(EnterpriseRow.tax_code == tax_code))
    if row is None:
        raise NotFound(f"no enterprise with tax code {tax_code}", field="tax_code")
    return row


def set_webhook(session: Session, *, enterprise: EnterpriseRow, url: str | None, actor: str) -> EnterpriseRow:
    """Where the enterprise's status changes are POSTed (None: nowhere), audited."""
    enterprise.webhook_url = url
    audit.append(
        session, actor=actor, action="enterprise.webhook", target=f"enterprise:{enterprise.tax_code}"
    )
    return enterprise
