"""Tables of federation: what has come through each child node, the per-unit summary read model, agency
agreements and their deliveries, and applied reference data. The events received from child nodes are
kept in the outbox (`origin` set)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from haiquan.kit.db import Base, JSONType
from haiquan.kit.tables import SeqInt


class FederatedNode(Base):
    """Per child node, what has come through it: how many events applied, the last one's stream sequence,
    when it was received and how late (received - occurred), and the newest occurred_at. One row, updated
    once per batch. The events themselves are the outbox copies (`origin` = the node): the outbox's unique
    id is what makes a redelivered event a no-op."""

    __tablename__ = "federated_nodes"
    node: Mapped[str] = mapped_column(String(16), primary_key=True)
    received: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    last_stream_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    last_received_at: Mapped[datetime]
    last_lag_s: Mapped[float] = mapped_column(Float)
    newest_occurred_at: Mapped[datetime]


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


class LinkHolder(Base):
    """Which process holds this node's link (relay and consumers) when several serve one database: written
    by the holder when it takes the link and every few seconds while it holds it (`seen_at`), removed when
    it gives the link up cleanly. A holder killed leaves its row until the next one takes over."""

    __tablename__ = "sharing_link_holders"
    duty: Mapped[str] = mapped_column(String(40), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[datetime]
    seen_at: Mapped[datetime]
