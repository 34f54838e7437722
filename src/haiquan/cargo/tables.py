"""Cargo tables: manifests (voyage or flight), consignments (one per bill), their containers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from haiquan.kit.db import Base, JSONType


class ManifestRow(Base):
    __tablename__ = "cargo_manifests"
    __table_args__ = (UniqueConstraint("carrier_id", "reference", name="uq_cargo_manifest_ref"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    carrier_id: Mapped[str] = mapped_column(String(32), ForeignKey("enterprises.id"), index=True)
    reference: Mapped[str] = mapped_column(String(60))
    mode: Mapped[str] = mapped_column(String(8))
    vessel: Mapped[str] = mapped_column(String(120))
    voyage: Mapped[str] = mapped_column(String(40))
    loading_port: Mapped[str] = mapped_column(String(5))
    discharge_port: Mapped[str] = mapped_column(String(5))
    location_code: Mapped[str] = mapped_column(String(20), index=True)
    unit: Mapped[str] = mapped_column(String(16), ForeignKey("units.code"), index=True)
    short_voyage: Mapped[bool] = mapped_column(Boolean, default=False)
    expected_arrival: Mapped[datetime]
    deadline: Mapped[datetime]
    received_at: Mapped[datetime]
    late_by_seconds: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    amended_at: Mapped[datetime | None] = mapped_column(nullable=True)


class ConsignmentRow(Base):
    """One bill of lading / air waybill; its number is the goods identification number."""

    __tablename__ = "cargo_consignments"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    manifest_id: Mapped[str] = mapped_column(String(32), ForeignKey("cargo_manifests.id"), index=True)
    goods_id: Mapped[str] = mapped_column(String(60), unique=True)
    master_bill: Mapped[str | None] = mapped_column(String(60), nullable=True)
    cargo_type: Mapped[str] = mapped_column(String(10))
    purpose: Mapped[str] = mapped_column(String(14))
    consignee_tax_code: Mapped[str | None] = mapped_column(String(14), nullable=True, index=True)
    consignee_name: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    hs_codes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    package_count: Mapped[int] = mapped_column(Integer, default=0)
    gross_mass_kg: Mapped[Decimal]
    unit: Mapped[str] = mapped_column(String(16), ForeignKey("units.code"), index=True)
    location_code: Mapped[str] = mapped_column(String(20), index=True)
    risk_score: Mapped[float] = mapped_column(default=0.0)
    risk_reasons: Mapped[list[str]] = mapped_column(JSONType, default=list)
    scan_required: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    extra: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class ConsignmentContainerRow(Base):
    __tablename__ = "cargo_containers"
    consignment_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("cargo_consignments.id"), primary_key=True
    )
    number: Mapped[str] = mapped_column(String(11), primary_key=True, index=True)
    seal: Mapped[str] = mapped_column(String(40), default="")
    iso_type: Mapped[str] = mapped_column(String(4), default="")
