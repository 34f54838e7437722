"""Supervision tables: operators and locations (registry, survey, connection), signing keys, the state of
goods in controlled areas, movement messages, rejected messages, declaration links (from events), transits,
alerts and webhook deliveries to terminals."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from haiquan.kit.db import Base, JSONType
from haiquan.kit.tables import SeqInt


class OperatorRow(Base):
    """A terminal operator surveyed by customs; linked to its enterprise account once it connects."""

    __tablename__ = "sv_operators"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tax_code: Mapped[str] = mapped_column(String(14), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(16), ForeignKey("units.code"), index=True)
    enterprise_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("enterprises.id"), nullable=True, unique=True
    )
    connection_status: Mapped[str] = mapped_column(String(10), default="surveyed")
    transactions_per_day: Mapped[int] = mapped_column(Integer, default=0)
    annual_teu: Mapped[int] = mapped_column(Integer, default=0)
    annual_tonnes: Mapped[int] = mapped_column(Integer, default=0)
    declarations_per_year: Mapped[int] = mapped_column(Integer, default=0)
    it_readiness: Mapped[int] = mapped_column(Integer, default=0)
    survey_notes: Mapped[str] = mapped_column(Text, default="")
    surveyed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    updated_at: Mapped[datetime]


class LocationRow(Base):
    """A customs-controlled area: port, airport cargo terminal, warehouse, yard, CFS, bonded warehouse..."""

    __tablename__ = "sv_locations"
    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    operator_id: Mapped[str] = mapped_column(String(32), ForeignKey("sv_operators.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(24))
    unit: Mapped[str] = mapped_column(String(16), ForeignKey("units.code"), index=True)
    locode: Mapped[str | None] = mapped_column(String(5), nullable=True)
    capacity_teu: Mapped[int] = mapped_column(Integer, default=0)
    dwell_limit_days: Mapped[int] = mapped_column(Integer, default=90)
    active: Mapped[bool] = mapped_column(default=True)


class OperatorKeyRow(Base):
    """An operator's X.509 certificate (RSA public key) that verifies its signed XML messages, registered
    by customs (supervision.registry.add_key); it verifies nothing once revoked or outside its validity."""

    __tablename__ = "sv_operator_keys"
    __table_args__ = (UniqueConstraint("operator_id", "key_name", name="uq_sv_operator_key"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    operator_id: Mapped[str] = mapped_column(String(32), ForeignKey("sv_operators.id"), index=True)
    key_name: Mapped[str] = mapped_column(String(100))
    certificate_pem: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # the certificate's validity (X.509 notBefore / notAfter); null only for rows older than these columns
    not_before: Mapped[datetime | None] = mapped_column(nullable=True)
    not_after: Mapped[datetime | None] = mapped_column(nullable=True)


class ItemRow(Base):
    """Where one container (or the loose cargo of a consignment, container '') is in the controlled area."""

    __tablename__ = "sv_items"
    __table_args__ = (UniqueConstraint("consignment_id", "container", name="uq_sv_item"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    consignment_id: Mapped[str] = mapped_column(String(32), ForeignKey("cargo_consignments.id"), index=True)
    container: Mapped[str] = mapped_column(String(11), default="", index=True)
    state: Mapped[str] = mapped_column(String(12))  # in | out | moving
    location_code: Mapped[str] = mapped_column(String(20), index=True)
    operator_id: Mapped[str] = mapped_column(String(32), index=True)
    unit: Mapped[str] = mapped_column(String(16), index=True)
    seal: Mapped[str] = mapped_column(String(40), default="")
    package_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    gate_in_at: Mapped[datetime | None] = mapped_column(nullable=True)
    gate_out_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_stock_at: Mapped[datetime | None] = mapped_column(nullable=True)
    dwell_alerted: Mapped[bool] = mapped_column(default=False)


class MovementRow(Base):
    """An operator's message once applied (or answered with a refusal); a resend of its id is a duplicate."""

    __tablename__ = "sv_movements"
    __table_args__ = (UniqueConstraint("operator_id", "message_id", name="uq_sv_movement_msg"),)
    id: Mapped[int] = mapped_column(SeqInt, primary_key=True, autoincrement=True)
    operator_id: Mapped[str] = mapped_column(String(32))
    message_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(10))
    cargo_type: Mapped[str] = mapped_column(String(10))
    goods_id: Mapped[str | None] = mapped_column(String(60), nullable=True, index=True)
    container: Mapped[str | None] = mapped_column(String(11), nullable=True, index=True)
    location_code: Mapped[str] = mapped_column(String(20))
    destination: Mapped[str | None] = mapped_column(String(20), nullable=True)
    seal: Mapped[str | None] = mapped_column(String(40), nullable=True)
    package_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    at: Mapped[datetime]
    received_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(10))  # applied | refused
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    unit: Mapped[str] = mapped_column(String(16), index=True)
    signed: Mapped[bool] = mapped_column(default=False)


class RejectedMessageRow(Base):
    """A message that could not be applied, kept whole for review: nothing is lost."""

    __tablename__ = "sv_rejected_messages"
    id: Mapped[int] = mapped_column(SeqInt, primary_key=True, autoincrement=True)
    operator_id: Mapped[str] = mapped_column(String(32), index=True)
    message_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    format: Mapped[str] = mapped_column(String(4))
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    raw: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime]
    reviewed: Mapped[bool] = mapped_column(default=False)


class DeclarationLinkRow(Base):
    """What supervision knows of a declaration, kept from the declaration.* events."""

    __tablename__ = "sv_declaration_links"
    number: Mapped[str] = mapped_column(String(12), primary_key=True)
    goods_id: Mapped[str | None] = mapped_column(String(60), nullable=True, index=True)
    containers: Mapped[list[str]] = mapped_column(JSONType, default=list)
    kind: Mapped[str] = mapped_column(String(10), default="")
    office: Mapped[str] = mapped_column(String(16), default="")
    status: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str | None] = mapped_column(String(8), nullable=True)
    package_count: Mapped[int] = mapped_column(Integer, default=0)
    gross_mass_kg: Mapped[Decimal]
    event_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), default=0)
    updated_at: Mapped[datetime]


class TransitRow(Base):
    """Goods moved under customs control (chuyển cửa khẩu) from one controlled area to another."""

    __tablename__ = "sv_transits"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    consignment_id: Mapped[str] = mapped_column(String(32), ForeignKey("cargo_consignments.id"), index=True)
    goods_id: Mapped[str] = mapped_column(String(60), index=True)
    permit: Mapped[str] = mapped_column(String(40))
    from_location: Mapped[str] = mapped_column(String(20), ForeignKey("sv_locations.code"))
    to_location: Mapped[str] = mapped_column(String(20), ForeignKey("sv_locations.code"))
    seal: Mapped[str] = mapped_column(String(40), default="")
    route: Mapped[str] = mapped_column(String(300), default="")
    hours_allowed: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), index=True)  # permitted | departed | arrived | cancelled
    unit: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime]
    departed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    deadline: Mapped[datetime | None] = mapped_column(nullable=True, index=True)
    arrived_at: Mapped[datetime | None] = mapped_column(nullable=True)
    overdue_alerted: Mapped[bool] = mapped_column(default=False)


class AlertRow(Base):
    __tablename__ = "sv_alerts"
    id: Mapped[int] = mapped_column(SeqInt, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    unit: Mapped[str] = mapped_column(String(16), index=True)
    goods_id: Mapped[str | None] = mapped_column(String(60), nullable=True)
    container: Mapped[str | None] = mapped_column(String(11), nullable=True)
    location_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    message_vi: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(14), default="open", index=True)
    raised_at: Mapped[datetime]
    acknowledged_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    dedupe_key: Mapped[str | None] = mapped_column(String(120), nullable=True, unique=True)


class TerminalWebhookRow(Base):
    """A status change to push to a terminal's system (signed, retried with back-off)."""

    __tablename__ = "sv_webhook_deliveries"
    id: Mapped[int] = mapped_column(SeqInt, primary_key=True, autoincrement=True)
    operator_id: Mapped[str] = mapped_column(String(32), index=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSONType)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None] = mapped_column(nullable=True)


Index("ix_sv_webhook_due", TerminalWebhookRow.state, TerminalWebhookRow.next_attempt_at)
Index("ix_sv_alert_unit_status", AlertRow.unit, AlertRow.status)


class TransitDeclarationRow(Base):
    """Transit or independent transport declared by the trader (vận chuyển chịu sự giám sát hải quan): the
    departure office accepts it, the destination office sees it and closes it on arrival."""

    __tablename__ = "sv_transit_declarations"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    number: Mapped[str] = mapped_column(String(12), unique=True)
    kind: Mapped[str] = mapped_column(String(12))  # transit | independent
    enterprise_id: Mapped[str] = mapped_column(String(32), ForeignKey("enterprises.id"), index=True)
    tax_code: Mapped[str] = mapped_column(String(14))
    departure_office: Mapped[str] = mapped_column(String(16), ForeignKey("units.code"), index=True)
    destination_office: Mapped[str] = mapped_column(String(16), ForeignKey("units.code"), index=True)
    route: Mapped[list[str]] = mapped_column(JSONType, default=list)  # offices and border gates passed
    distance_km: Mapped[int] = mapped_column(Integer, default=0)
    hours_allowed: Mapped[int] = mapped_column(Integer)
    goods: Mapped[str] = mapped_column(Text, default="")
    seals: Mapped[list[str]] = mapped_column(JSONType, default=list)
    containers: Mapped[list[str]] = mapped_column(JSONType, default=list)
    duty_amount: Mapped[Decimal]
    guarantee: Mapped[str] = mapped_column(String(80), default="")  # bank:guarantee_no, or empty
    status: Mapped[str] = mapped_column(String(12), index=True)  # declared accepted refused cancelled arrived
    declared_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None] = mapped_column(nullable=True)
    accepted_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    deadline: Mapped[datetime | None] = mapped_column(nullable=True, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    outcome: Mapped[str] = mapped_column(String(12), default="")  # intact | discrepancy (on arrival)
    seals_found: Mapped[list[str]] = mapped_column(JSONType, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    overdue_alerted: Mapped[bool] = mapped_column(default=False)
