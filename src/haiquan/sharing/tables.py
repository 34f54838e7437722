"""Tables of federation: what has come through each child node, the per-unit summary read model, agency
agreements and their deliveries, and applied reference data. The events received from child nodes are
kept in the outbox (`origin` set)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, Float, Index, Integer, String, Text
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


class ReferencePart(Base):
    """A part of a reference version that came in several messages (sharing/reference.py): kept until every
    part of its version is here, then applied at once and dropped (decision 0037)."""

    __tablename__ = "reference_parts"
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    part: Mapped[int] = mapped_column(Integer, primary_key=True)
    parts: Mapped[int] = mapped_column(Integer)
    data: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime]


class NodeReferenceVersion(Base):
    """Per node (this one and every node below it) and kind: the newest reference version it applied and
    its refusals, from the `sharing.reference_applied` / `sharing.reference_refused` events it recorded."""

    __tablename__ = "node_reference_versions"
    node: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    applied_at: Mapped[datetime | None] = mapped_column(nullable=True)
    refused: Mapped[int] = mapped_column(Integer, default=0)
    last_refused_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_refused_why: Mapped[str | None] = mapped_column(String(200), nullable=True)
    updated_at: Mapped[datetime]


Index("ux_agency_delivery", AgencyDelivery.agreement_id, AgencyDelivery.event_id, unique=True)


class WorkDelivery(Base):
    """An event routed down to the child node whose units it concerns (work that crosses nodes: a transit
    coming to an office of another node, the act of that office going back), published by the relay to
    hq.work.<this node>.<child>.<unit>.<type> with Nats-Msg-Id = event id + child."""

    __tablename__ = "work_deliveries"
    seq: Mapped[int] = mapped_column(SeqInt, primary_key=True, autoincrement=True)
    node: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None] = mapped_column(nullable=True, index=True)


class WorkReceived(Base):
    """The routed events this node applied: the inbox of work, whose key makes a redelivery a no-op."""

    __tablename__ = "work_received"
    event_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    type: Mapped[str] = mapped_column(String(80))
    from_node: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime]


class WorkItem(Base):
    """What a record of another node asks of a unit of this one (kind `transit`: a transit coming to one of
    its offices): the read model its officers see and act on; the act goes back to `origin_node`."""

    __tablename__ = "work_items"
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    unit: Mapped[str] = mapped_column(String(16), index=True)  # the unit here it concerns
    origin_node: Mapped[str] = mapped_column(String(16))
    origin_unit: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    last_event_id: Mapped[str] = mapped_column(String(32))


Index("ux_work_delivery", WorkDelivery.node, WorkDelivery.event_id, unique=True)


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
