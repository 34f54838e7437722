"""Tables of inspection: locations and their workflow history, approval delegations, scanners (with their
device keys' hashes) and scanner results (an image reference and its SHA-256; never the image)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from haiquan.kit.db import Base


class LocationRow(Base):
    """A centralised inspection location or an express agent's warehouse, from application to approval."""

    __tablename__ = "inspection_locations"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    code: Mapped[str | None] = mapped_column(String(12), unique=True, nullable=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(500))
    unit: Mapped[str] = mapped_column(String(16), ForeignKey("units.code"), index=True)
    department: Mapped[str] = mapped_column(String(16))
    operator_id: Mapped[str] = mapped_column(String(32), ForeignKey("enterprises.id"), index=True)
    operator_tax_code: Mapped[str] = mapped_column(String(14))
    area_m2: Mapped[Decimal] = mapped_column(Numeric(12, 2, asdecimal=True))
    scanners: Mapped[int] = mapped_column(Integer)
    cameras: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))
    applied_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    approved_at: Mapped[datetime | None] = mapped_column(nullable=True)
    approved_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    approved_as: Mapped[str | None] = mapped_column(String(10), nullable=True)


class LocationHistoryRow(Base):
    """Every move of a location's application: who, when, with what note."""

    __tablename__ = "inspection_location_history"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    location_id: Mapped[str] = mapped_column(String(32), ForeignKey("inspection_locations.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    command: Mapped[str] = mapped_column(String(12))
    from_status: Mapped[str | None] = mapped_column(String(12), nullable=True)
    to_status: Mapped[str] = mapped_column(String(12))
    actor: Mapped[str] = mapped_column(String(120))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]


class DelegationRow(Base):
    """A department director's delegation of the approval of locations to an officer, for a period."""

    __tablename__ = "inspection_delegations"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    department: Mapped[str] = mapped_column(String(16), index=True)
    delegator_id: Mapped[str] = mapped_column(String(32), ForeignKey("officers.id"))
    delegator: Mapped[str] = mapped_column(String(120))
    delegate_id: Mapped[str] = mapped_column(String(32), ForeignKey("officers.id"))
    delegate: Mapped[str] = mapped_column(String(120))
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(120), nullable=True)


class ScannerRow(Base):
    """A scanner of an approved location; its device key is stored as a SHA-256 (shown once)."""

    __tablename__ = "inspection_scanners"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    location_id: Mapped[str] = mapped_column(String(32), ForeignKey("inspection_locations.id"), index=True)
    serial: Mapped[str] = mapped_column(String(60))
    model: Mapped[str] = mapped_column(String(120), default="")
    key_id: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    registered_by: Mapped[str] = mapped_column(String(120))
    registered_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)


class ScanResultRow(Base):
    """One image of a package or container, by reference with its hash, and the operator's verdict."""

    __tablename__ = "inspection_scan_results"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    location_id: Mapped[str] = mapped_column(String(32), ForeignKey("inspection_locations.id"), index=True)
    scanner_id: Mapped[str] = mapped_column(String(32), ForeignKey("inspection_scanners.id"))
    operator_id: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(16))
    declaration_number: Mapped[str | None] = mapped_column(String(12), nullable=True, index=True)
    house_bill: Mapped[str | None] = mapped_column(String(60), nullable=True, index=True)
    container: Mapped[str | None] = mapped_column(String(11), nullable=True)
    image_reference: Mapped[str] = mapped_column(String(2000))
    reference_kind: Mapped[str] = mapped_column(String(8))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(40))
    verdict: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")
    effect: Mapped[str] = mapped_column(String(12))
    scanned_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(120))


Index("ix_inspection_delegations_delegate_dept", DelegationRow.delegate_id, DelegationRow.department)
