"""Tables of federation: the inbox of events received from child nodes, the per-unit summary read model,
agency agreements and their deliveries, and applied reference data."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from haiquan.kit.db import Base, JSONType
from haiquan.kit.tables import SeqInt


class FederatedEvent(Base):
    """The inbox: one row per event id received from a child node, written in the transaction that applies
    it (the primary key makes a redelivered event a no-op). The full event is copied into the outbox with
    `origin` set, so the node's in-process consumers apply it too."""

    __tablename__ = "federated_events"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    node: Mapped[str] = mapped_column(String(16))  # the child node it came through (index below)
    unit: Mapped[str] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(80))
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime]
    stream_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))


class UnitEventTotal(Base):
    """Per unit, Vietnam day, event type and dimension ("" = all, "status:x", "channel:x"): counts and
    amounts (duties, payments, in VND). Covers the node's own units and every child node's subtree."""

    __tablename__ = "unit_event_totals"
    unit: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    type: Mapped[str] = mapped_column(String(80), primary_key=True)
    dim: Mapped[str] = mapped_column(String(60), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), default=0)
    amount: Mapped[Decimal]


class AgencyAgreement(Base):
    """What another agency receives: event types, units (each with its subtree), payload fields."""

    __tablename__ = "agency_agreements"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agency: Mapped[str] = mapped_column(String(30), index=True)
    title: Mapped[str] = mapped_column(String(200))
    types: Mapped[list[str]] = mapped_column(JSONType)
    units: Mapped[list[str]] = mapped_column(JSONType)
    fields: Mapped[list[str]] = mapped_column(JSONType)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)


class AgencyDelivery(Base):
    """An event projected for an agency (fields filtered), published by the relay to hq.agency.<CODE>.>."""

    __tablename__ = "agency_deliveries"
    seq: Mapped[int] = mapped_column(SeqInt, primary_key=True, autoincrement=True)
    agreement_id: Mapped[str] = mapped_column(String(32), index=True)
    agency: Mapped[str] = mapped_column(String(30))
    event_id: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None] = mapped_column(nullable=True, index=True)


class ReferenceVersion(Base):
    """Reference data (tariffs, risk profiles, watch lists, the organisation) applied on this node: the
    latest version of each kind, with its document, applied in version order."""

    __tablename__ = "reference_versions"
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column(JSONType)
    published_by: Mapped[str] = mapped_column(String(120))
    applied_at: Mapped[datetime]


Index("ux_agency_delivery", AgencyDelivery.agreement_id, AgencyDelivery.event_id, unique=True)
Index("ix_federated_node_received", FederatedEvent.node, FederatedEvent.received_at)
