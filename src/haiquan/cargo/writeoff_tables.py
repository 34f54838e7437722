"""Manifest write-off tables: what discharges each bill (declarations, gate-outs), and the report a
manifest gets once its legal period is over."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from haiquan.kit.db import Base, JSONType


class WriteoffDeclarationRow(Base):
    """A declaration naming a bill as its transport document: counted while registered (not cancelled).
    `seq`: the outbox sequence of the last event applied, so that an older event never overwrites."""

    __tablename__ = "cargo_writeoff_declarations"
    number: Mapped[str] = mapped_column(String(12), primary_key=True)
    goods_id: Mapped[str] = mapped_column(String(60), index=True)
    package_count: Mapped[int] = mapped_column(Integer, default=0)
    gross_mass_kg: Mapped[Decimal]
    status: Mapped[str] = mapped_column(String(32))
    counted: Mapped[bool] = mapped_column(Boolean, default=False)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime]


class WriteoffGateOutRow(Base):
    """Goods of a bill wholly out of the controlled area under their declarations (a movements event)."""

    __tablename__ = "cargo_writeoff_gate_outs"
    event_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    goods_id: Mapped[str] = mapped_column(String(60), primary_key=True, index=True)
    declarations: Mapped[list[str]] = mapped_column(JSONType, default=list)
    at: Mapped[datetime]


class WriteoffReportRow(Base):
    """A manifest's write-off, closed after the legal period: each bill's standing in `bills`."""

    __tablename__ = "cargo_writeoff_reports"
    manifest_id: Mapped[str] = mapped_column(String(32), ForeignKey("cargo_manifests.id"), primary_key=True)
    carrier_id: Mapped[str] = mapped_column(String(32), index=True)
    unit: Mapped[str] = mapped_column(String(16), index=True)
    voyage: Mapped[str] = mapped_column(String(40))
    closed_at: Mapped[datetime]
    bill_count: Mapped[int] = mapped_column(Integer)
    undischarged: Mapped[int] = mapped_column(Integer)
    over_discharged: Mapped[int] = mapped_column(Integer)
    bills: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
