"""Officers' sessions, held on the server. A login opens one (its id travels in the signed token, which is
also the pages' cookie); every request reads it with the officer's row, so that it ends at once, in every
process, at logout, when the officer is deactivated or an administrator revokes it; and it ends by itself
`token_ttl_minutes` after login (absolute timeout) or after `session_idle_minutes` without use (idle
timeout). The last use is recorded at most once a minute per session, after the answer
(`SessionTouch`), never in the request's own transaction (a read commits nothing)."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

import structlog
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from haiquan.kit import audit, clock, outbox
from haiquan.kit.auth import Principal
from haiquan.kit.db import Database
from haiquan.kit.errors import Unauthorized
from haiquan.organization.catalogue import OrganizationEvent
from haiquan.organization.tables import OfficerRow, OfficerSessionRow

log = structlog.get_logger(__name__)
TOUCH_EVERY = timedelta(seconds=60)  # the last use is recorded at most this often (idle timeout's grain)


def open_session(session: Session, *, officer: OfficerRow, ttl_minutes: int) -> OfficerSessionRow:
    now = clock.now()
    row = OfficerSessionRow(
        id=secrets.token_hex(16),
        officer_id=officer.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(minutes=ttl_minutes),
        revoked_reason="",
    )
    session.add(row)
    payload = {
        "session_id": row.id,
        "officer_id": officer.id,
        "username": officer.username,
        "expires_at": row.expires_at.isoformat(),
    }
    outbox.record(
        session,
        type=OrganizationEvent.SESSION_STARTED,
        unit=officer.unit,
        actor=f"officer:{officer.username}",
        payload=payload,
    )
    return row


def current(
    session: Session, *, session_id: str, officer_id: str, idle_minutes: int
) -> tuple[OfficerSessionRow, OfficerRow]:
    """The session and its officer, read fresh (never from memory); 401 once it has ended."""
    found = session.execute(
        select(OfficerSessionRow, OfficerRow)
        .join(OfficerRow, OfficerRow.id == OfficerSessionRow.officer_id)
        .where(OfficerSessionRow.id == session_id)
        .execution_options(populate_existing=True)
    ).first()
    if found is None or found[0].officer_id != officer_id:
        raise Unauthorized("the session is not known: log in again", code="session_unknown")
    row, officer = found
    ensure_alive(
        row, active=officer.active, account="officer", again="log in again", idle_minutes=idle_minutes
    )
    return row, officer


class SessionLike(Protocol):
    revoked_at: datetime | None
    expires_at: datetime
    last_seen_at: datetime


def ensure_alive(row: SessionLike, *, active: bool, account: str, again: str, idle_minutes: int) -> None:
    """401 once a session has ended: its account deactivated, revoked (logged out), expired or idle.
    Shared by the officers' sessions and the trader portal's (portal/sessions), which say `again` in
    their own words ("log in again", "sign in again")."""
    now = clock.now()
    if not active:
        raise Unauthorized(f"this {account} account is not active", code="inactive_account")
    if row.revoked_at is not None:
        raise Unauthorized(f"the session has ended (logged out or revoked): {again}", code="session_revoked")
    if row.expires_at <= now:
        raise Unauthorized(f"the session has expired: {again}", code="token_expired")
    if row.last_seen_at + timedelta(minutes=idle_minutes) <= now:
        raise Unauthorized(
            f"the session was idle for more than {idle_minutes} minutes: {again}", code="session_idle"
        )


def stale(row: SessionLike) -> bool:
    """Whether its last use is old enough to be recorded again."""
    return clock.now() - row.last_seen_at >= TOUCH_EVERY


_recent: dict[str, datetime] = {}  # session id -> when this process last recorded its use
_recent_lock = threading.Lock()


def _first_in_a_while(session_id: str, now: datetime) -> bool:
    """Whether this process has not recorded the session's use in the last minute: a burst of requests
    read as stale together writes once."""
    with _recent_lock:
        last = _recent.get(session_id)
        if last is not None and timedelta(0) <= now - last < TOUCH_EVERY:
            return False
        if len(_recent) >= 10_000:
            _recent.clear()
        _recent[session_id] = now
        return True


def touch(db: Database, session_id: str) -> None:
    """Record a use of the session (its own short transaction, after the answer)."""
    now = clock.now()
    if not _first_in_a_while(session_id, now):
        return
    with db.unit_of_work() as uow:
        uow.session.execute(
            update(OfficerSessionRow)
            .where(OfficerSessionRow.id == session_id, OfficerSessionRow.last_seen_at < now - TOUCH_EVERY)
            .values(last_seen_at=now)
        )
        uow.commit()


def _revoke(
    session: Session, rows: list[OfficerSessionRow], officer: OfficerRow, *, reason: str, actor: str
) -> int:
    now = clock.now()
    for row in rows:
        row.revoked_at, row.revoked_reason = now, reason
        payload = {
            "session_id": row.id,
            "officer_id": officer.id,
            "username": officer.username,
            "reason": reason,
        }
        outbox.record(
            session, type=OrganizationEvent.SESSION_REVOKED, unit=officer.unit, actor=actor, payload=payload
        )
    if rows:
        audit.append(
            session,
            actor=actor,
            action="officer.sessions_revoked",
            target=f"officer:{officer.username}",
            unit=officer.unit,
            detail={"sessions": len(rows), "reason": reason},
        )
    return len(rows)


def revoke(session: Session, *, session_id: str, reason: str, actor: str) -> int:
    """End one session now (logout); 0 when it had already ended."""
    row = session.get(OfficerSessionRow, session_id, with_for_update=True)
    if row is None or row.revoked_at is not None:
        return 0
    officer = session.get(OfficerRow, row.officer_id)
    assert officer is not None
    return _revoke(session, [row], officer, reason=reason, actor=actor)


def revoke_all(session: Session, *, officer: OfficerRow, reason: str, actor: str) -> int:
    """End every open session of an officer now (deactivation, an administrator's revocation)."""
    rows = list(
        session.scalars(
            select(OfficerSessionRow).where(
                OfficerSessionRow.officer_id == officer.id,
                OfficerSessionRow.revoked_at.is_(None),
                OfficerSessionRow.expires_at > clock.now(),
            )
        )
    )
    return _revoke(session, rows, officer, reason=reason, actor=actor)


def open_sessions(session: Session, *, officer: OfficerRow, idle_minutes: int) -> list[OfficerSessionRow]:
    now = clock.now()
    idle_since: datetime = now - timedelta(minutes=idle_minutes)
    return list(
        session.scalars(
            select(OfficerSessionRow)
            .where(
                OfficerSessionRow.officer_id == officer.id,
                OfficerSessionRow.revoked_at.is_(None),
                OfficerSessionRow.expires_at > now,
                OfficerSessionRow.last_seen_at > idle_since,
            )
            .order_by(OfficerSessionRow.created_at)
        )
    )


# Other kinds of principal with a server-side session (portal.sessions: an enterprise's staff) record its use
# with their own function, registered here by kind.
TOUCHERS: dict[str, Callable[[Database, str], None]] = {}


class SessionTouch:
    """ASGI middleware: after a request whose officer's session was last recorded as used more than a
    minute ago, record this use (in a worker thread, its own transaction). A failure is logged: the answer
    has gone, and the next request tries again. A request a page's script makes on its own (a poll, marked
    `request.state.background = True`) is no use by the officer and keeps no idle session alive."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})  # request.state writes here, the same dict
        await self.app(scope, receive, send)
        principal = state.get("principal")
        if not isinstance(principal, Principal) or state.get("background"):
            return
        if principal.session_id and principal.session_stale:
            try:
                toucher = TOUCHERS.get(principal.kind, touch)
                await run_in_threadpool(toucher, scope["app"].state.db, principal.session_id)
            except Exception as exc:  # recorded next time: the answer has gone
                log.warning("session_touch_failed", error=type(exc).__name__)
