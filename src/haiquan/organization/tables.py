"""Tables of the organisation: units, officers and their sessions, enterprises and their API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from haiquan.kit.db import Base, JSONType

DEFAULT_SCOPES = "read write manage"


class UnitRow(Base):
    __tablename__ = "units"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    level: Mapped[str] = mapped_column(String(20))
    parent: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # a dissolved unit (active false): the unit its records and officers followed, if any, and since when
    successor: Mapped[str | None] = mapped_column(String(16), nullable=True)
    dissolved_at: Mapped[datetime | None] = mapped_column(nullable=True)


class OfficerRow(Base):
    __tablename__ = "officers"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    unit: Mapped[str] = mapped_column(String(16), ForeignKey("units.code"), index=True)
    role: Mapped[str] = mapped_column(String(40))
    password_hash: Mapped[str] = mapped_column(String(200))
    on_roster: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    # expert fields (tax, supervision, audit, it, risk, inspection, customs_control) that route work
    expert_fields: Mapped[list[str] | None] = mapped_column(JSONType, nullable=True)


class EnterpriseRow(Base):
    __tablename__ = "enterprises"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tax_code: Mapped[str] = mapped_column(String(14), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    roles: Mapped[list[str]] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(20), default="active")
    overdue_tax_days: Mapped[int] = mapped_column(Integer, default=0)
    compliance_class: Mapped[str] = mapped_column(String(20), default="normal")
    unit: Mapped[str | None] = mapped_column(String(16), nullable=True)
    webhook_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    webhook_secret: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # after a rotation, the secret before it, still signing deliveries (a second header) until the time
    webhook_secret_previous: Mapped[str | None] = mapped_column(String(100), nullable=True)
    webhook_previous_until: Mapped[datetime | None] = mapped_column(nullable=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime]


class ApiKeyRow(Base):
    __tablename__ = "api_keys"
    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    enterprise_id: Mapped[str] = mapped_column(String(32), ForeignKey("enterprises.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # space-separated (kit.auth.KeyScope): read, write, manage; keys issued before scopes existed have all
    scopes: Mapped[str] = mapped_column(String(100), default=DEFAULT_SCOPES, server_default=DEFAULT_SCOPES)
    expires_at: Mapped[datetime | None] = mapped_column(nullable=True)


class OfficerSessionRow(Base):
    """An officer's login, held on the server: the token (or the pages' cookie) names it, and it holds
    until logout, deactivation or revocation (revoked_at), `expires_at` (the absolute timeout) or
    `session_idle_minutes` without use (last_seen_at, recorded at most once a minute)."""

    __tablename__ = "officer_sessions"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    officer_id: Mapped[str] = mapped_column(String(32), ForeignKey("officers.id"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)
    revoked_reason: Mapped[str] = mapped_column(String(40), default="")


class RepresentationRow(Base):
    """A representation an enterprise (the principal: importer or exporter) granted to another (the
    representative, a declarant such as a customs agent): the representative may name the principal as
    the party of the declarations it lodges while the grant is in force."""

    __tablename__ = "representations"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    principal_id: Mapped[str] = mapped_column(String(32), ForeignKey("enterprises.id"), index=True)
    representative_id: Mapped[str] = mapped_column(String(32), ForeignKey("enterprises.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # direct | indirect
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime | None] = mapped_column(nullable=True)
    granted_at: Mapped[datetime]
    granted_by: Mapped[str] = mapped_column(String(100))
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)
