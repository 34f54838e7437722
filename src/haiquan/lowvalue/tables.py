"""Tables of low-value goods: manifests (an express master air waybill or a postal dispatch) and parcels,
each parcel one low-value declaration (MIC/MEC). Their own tables, written by their own writer (decision
0024); `HAIQUAN_LOWVALUE_SCHEMA` names the PostgreSQL schema they were moved to (docs/express.md)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from haiquan.kit.db import Base, JSONType


class ManifestRow(Base):
    """An express company's master air waybill and flight, or the post's dispatch, at one office."""

    __tablename__ = "lowvalue_manifests"
    __table_args__ = (UniqueConstraint("enterprise_id", "channel", "reference"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    enterprise_id: Mapped[str] = mapped_column(String(32))
    carrier_tax_code: Mapped[str] = mapped_column(String(14))
    channel: Mapped[str] = mapped_column(String(10))
    reference: Mapped[str] = mapped_column(String(40))
    transport: Mapped[str] = mapped_column(String(20))
    transport_date: Mapped[date] = mapped_column(Date)
    office: Mapped[str] = mapped_column(String(16), index=True)
    direction: Mapped[str] = mapped_column(String(6))
    created_at: Mapped[datetime]


class ParcelRow(Base):
    """One parcel (house air waybill or postal item) and its low-value declaration. `item_key` is the
    express company's house AWB or the post's item id: unique per carrier, the per-item idempotency key;
    `item_hash` tells a retry from another parcel reusing the key."""

    __tablename__ = "lowvalue_parcels"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "item_key"),
        Index("ix_lowvalue_parcels_office_status", "office", "status"),
    )
    number: Mapped[str] = mapped_column(String(12), primary_key=True)
    manifest_id: Mapped[str] = mapped_column(String(32), ForeignKey("lowvalue_manifests.id"), index=True)
    enterprise_id: Mapped[str] = mapped_column(String(32))
    item_key: Mapped[str] = mapped_column(String(40))
    item_hash: Mapped[str] = mapped_column(String(32))
    declaration_type: Mapped[str] = mapped_column(String(3))
    office: Mapped[str] = mapped_column(String(16))
    bag: Mapped[str | None] = mapped_column(String(30), nullable=True)
    consignee_name: Mapped[str] = mapped_column(String(200))
    consignee_address: Mapped[str] = mapped_column(String(300))
    consignee_id: Mapped[str | None] = mapped_column(String(20), nullable=True)
    description: Mapped[str] = mapped_column(String(500))
    hs_code: Mapped[str | None] = mapped_column(String(8), nullable=True)
    country: Mapped[str] = mapped_column(String(2))
    value: Mapped[Decimal] = mapped_column(Numeric(18, 2, asdecimal=True))
    currency: Mapped[str] = mapped_column(String(3))
    value_vnd: Mapped[Decimal]
    weight_kg: Mapped[Decimal] = mapped_column(Numeric(12, 3, asdecimal=True))
    lodged_lane: Mapped[str] = mapped_column(String(6))
    lane: Mapped[str] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(10))
    reasons: Mapped[list[str]] = mapped_column(JSONType)
    lodged_at: Mapped[datetime]
    updated_at: Mapped[datetime]
