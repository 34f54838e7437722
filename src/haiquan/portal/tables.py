"""Tables of the trader portal: an enterprise's staff (accounts under the enterprise, with a role) and their
sessions, held on the server like the officers' (organization.sessions)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from haiquan.kit.db import Base


class StaffRow(Base):
    """A person of an enterprise who signs in to the portal: `role` is one of portal.domain.StaffRole."""

    __tablename__ = "portal_staff"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    enterprise_id: Mapped[str] = mapped_column(String(32), ForeignKey("enterprises.id"), index=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100), default="")


class StaffSessionRow(Base):
    """A staff member's sign-in: ends at sign-out, deactivation, `expires_at` (absolute) or after
    `session_idle_minutes` without use (last_seen_at, recorded at most once a minute)."""

    __tablename__ = "portal_sessions"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    staff_id: Mapped[str] = mapped_column(String(32), ForeignKey("portal_staff.id"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)
    revoked_reason: Mapped[str] = mapped_column(String(40), default="")
