"""Finalisation tables: each report an enterprise filed (its norms and declared stock kept as filed) and
its reconciliation, one line per material; a line beyond the tolerance is a discrepancy, a task for an
officer of the managing office until resolved."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from haiquan.kit.db import Base, JSONType
from haiquan.kit.tables import SeqInt


class FinalisationRow(Base):
    """A finalisation report (báo cáo quyết toán) for one regime and period, as filed and reconciled."""

    __tablename__ = "regime_finalisations"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tax_code: Mapped[str] = mapped_column(String(14), index=True)
    enterprise_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    unit: Mapped[str] = mapped_column(String(16), index=True)  # the office managing the enterprise's regime
    regime: Mapped[str] = mapped_column(String(24))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(8))  # json | csv | xlsx
    norms: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    stock: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    materials: Mapped[int] = mapped_column(Integer, default=0)
    discrepancies: Mapped[int] = mapped_column(Integer, default=0)
    duty_at_stake: Mapped[Decimal]
    filed_by: Mapped[str] = mapped_column(String(120))
    filed_at: Mapped[datetime]
    __table_args__ = (
        UniqueConstraint(
            "tax_code", "regime", "period_start", "period_end", name="uq_regime_finalisation_period"
        ),
    )


class FinalisationLineRow(Base):
    """One material reconciled: ledger closing - used by norms - declared = difference; a discrepancy is
    an officer's task (`task`: none, open, resolved) with the duty at stake."""

    __tablename__ = "regime_finalisation_lines"
    id: Mapped[int] = mapped_column(SeqInt, primary_key=True, autoincrement=True)
    finalisation_id: Mapped[str] = mapped_column(String(32), index=True)
    tax_code: Mapped[str] = mapped_column(String(14))
    unit: Mapped[str] = mapped_column(String(16))
    material_code: Mapped[str] = mapped_column(String(20))
    material_unit: Mapped[str] = mapped_column(String(10))
    opening: Mapped[Decimal]
    inflow: Mapped[Decimal]
    outflow: Mapped[Decimal]
    used: Mapped[Decimal]
    declared: Mapped[Decimal]
    difference: Mapped[Decimal]
    duty_per_unit: Mapped[Decimal]
    duty_at_stake: Mapped[Decimal]
    discrepancy: Mapped[bool] = mapped_column(Boolean, default=False)
    task: Mapped[str] = mapped_column(String(10), default="none")  # none | open | resolved
    outcome: Mapped[str] = mapped_column(String(12), default="")  # explained | duty_due (when resolved)
    resolved_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


Index("ix_regime_finalisation_tasks", FinalisationLineRow.unit, FinalisationLineRow.task)
