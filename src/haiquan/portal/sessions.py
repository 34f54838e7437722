"""Staff members' sessions, held on the server as the officers' are (organization.sessions): the signed
token in the `hq_portal` cookie names one; every page reads it with the staff row, so that it ends at once
at sign-out or deactivation, `token_ttl_minutes` after sign-in, or after `session_idle_minutes` idle."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from haiquan.kit import clock
from haiquan.kit.db import Database
from haiquan.kit.errors import Unauthorized
from haiquan.organization import sessions as officer_sessions
from haiquan.portal.tables import StaffRow, StaffSessionRow

TOUCH_EVERY = officer_sessions.TOUCH_EVERY
stale = officer_sessions.stale  # whether its last use is old enough to be recorded again


def open_session(session: Session, *, staff: StaffRow, ttl_minutes: int) -> StaffSessionRow:
    now = clock.now()
    row = StaffSessionRow(id=secrets.token_hex(16), staff_id=staff.id, created_at=now, last_seen_at=now,
                          expires_at=now + timedelta(minutes=ttl_minutes), revoked_reason="")  # fmt: skip
    session.add(row)
    return row


def current(
    session: Session, *, session_id: str, staff_id: str, idle_minutes: int
) -> tuple[StaffSessionRow, StaffRow]:
    """The session and its staff member, read fresh; 401 once it has ended."""
    found = session.execute(
        select(StaffSessionRow, StaffRow)
        .join(StaffRow, StaffRow.id == StaffSessionRow.staff_id)
        .where(StaffSessionRow.id == session_id)
        .execution_options(populate_existing=True)
    ).first()
    if found is None or found[0].staff_id != staff_id:
        raise Unauthorized("the session is not known: sign in again", code="session_unknown")
    row, staff = found
    officer_sessions.ensure_alive(
        row, active=staff.active, account="staff", again="sign in again", idle_minutes=idle_minutes
    )
    return row, staff


def touch(db: Database, session_id: str) -> None:
    """Record a use of the session (its own short transaction, after the answer)."""
    now = clock.now()
    with db.unit_of_work() as uow:
        uow.session.execute(
            update(StaffSessionRow)
            .where(StaffSessionRow.id == session_id, StaffSessionRow.last_seen_at < now - TOUCH_EVERY)
            .values(last_seen_at=now)
        )
        uow.commit()


def revoke(session: Session, *, session_id: str, reason: str) -> int:
    row = session.get(StaffSessionRow, session_id, with_for_update=True)
    if row is None or row.revoked_at is not None:
        return 0
    row.revoked_at, row.revoked_reason = clock.now(), reason
    return 1


def revoke_all(session: Session, *, staff: StaffRow, reason: str) -> int:
    rows = list(
        session.scalars(
            select(StaffSessionRow).where(
                StaffSessionRow.staff_id == staff.id, StaffSessionRow.revoked_at.is_(None)
            )
        )
    )
    now = clock.now()
    for row in rows:
        row.revoked_at, row.revoked_reason = now, reason
    return len(rows)


officer_sessions.TOUCHERS["staff"] = touch  # SessionTouch records a staff session's use with this
