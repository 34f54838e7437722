"""Special regimes' tables: the stock ledger (legs of entries, written only by consumers of declaration and
movement events), the deadlines that run from clearance, discrepancies, officers' alerts, and the status
of export-processing enterprises."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from haiquan.kit.db import Base, JSONType
from haiquan.kit.tables import SeqInt


class LedgerLegRow(Base):
    """One leg of a ledger entry: `quantity` signed (+ debit: where the goods went, - credit: where they came
    from); the two legs of an entry share `entry_no` within the event that caused them. An event books once:
    (event_id, leg) is unique. Never updated: a correction is another entry."""

    __tablename__ = "regime_ledger"
    id: Mapped[int] = mapped_column(SeqInt, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(40))
    leg: Mapped[int] = mapped_column(Integer)
    entry_no: Mapped[int] = mapped_column(Integer)
    tax_code: Mapped[str] = mapped_column(String(14))  # the enterprise under the regime
    enterprise_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    unit: Mapped[str] = mapped_column(String(16))  # the office that manages it (the declaration's)
    regime: Mapped[str] = mapped_column(String(24))
    account: Mapped[str] = mapped_column(String(16))  # domain.Account
    item_code: Mapped[str] = mapped_column(String(20))
    item_unit: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(16))  # domain.EntryKind
    quantity: Mapped[Decimal]
    value_vnd: Mapped[Decimal]
    duty_vnd: Mapped[Decimal]
    declaration_number: Mapped[str | None] = mapped_column(String(12), nullable=True)
    line_no: Mapped[int | None] = mapped_column(Integer, nullable=True)
    procedure_code: Mapped[str] = mapped_column(String(4), default="")
    at: Mapped[datetime]
    day: Mapped[date] = mapped_column(Date)
    __table_args__ = (UniqueConstraint("event_id", "leg", name="uq_regime_ledger_event_leg"),)


Index("ix_regime_ledger_stock", LedgerLegRow.tax_code, LedgerLegRow.account, LedgerLegRow.regime,
      LedgerLegRow.item_code, LedgerLegRow.item_unit)  # fmt: skip
Index("ix_regime_ledger_unit_regime", LedgerLegRow.unit, LedgerLegRow.regime)
Index("ix_regime_ledger_declaration", LedgerLegRow.declaration_number)
Index("ix_regime_ledger_tax_day", LedgerLegRow.tax_code, LedgerLegRow.day)


class DeadlineRow(Base):
    """A term that runs from a declaration line's clearance: re-export by, storage limit, contract term.
    Outflows of the same stock discharge the oldest first; overdue with goods left, the duty on what is
    left is booked in payments once (`duty_booked`)."""

    __tablename__ = "regime_deadlines"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tax_code: Mapped[str] = mapped_column(String(14))
    enterprise_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    unit: Mapped[str] = mapped_column(String(16), index=True)
    regime: Mapped[str] = mapped_column(String(24))
    kind: Mapped[str] = mapped_column(String(12))  # reexport | storage | contract
    declaration_number: Mapped[str] = mapped_column(String(12), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    procedure_code: Mapped[str] = mapped_column(String(4))
    item_code: Mapped[str] = mapped_column(String(20))
    item_unit: Mapped[str] = mapped_column(String(10))
    quantity: Mapped[Decimal]
    quantity_left: Mapped[Decimal]
    duty_at_stake: Mapped[Decimal]
    starts_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    warn_days: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(12), index=True)  # domain.DeadlineState
    warned_at: Mapped[datetime | None] = mapped_column(nullable=True)
    overdue_at: Mapped[datetime | None] = mapped_column(nullable=True)
    duty_booked: Mapped[Decimal]
    discharged_at: Mapped[datetime | None] = mapped_column(nullable=True)
    updated_at: Mapped[datetime]
    __table_args__ = (UniqueConstraint("declaration_number", "line_no", name="uq_regime_deadline_line"),)


Index("ix_regime_deadlines_stock", DeadlineRow.tax_code, DeadlineRow.regime, DeadlineRow.item_code)


class DiscrepancyRow(Base):
    """An out-of-regime movement that already happened (goods out of a bonded warehouse without a
    declaration, an outflow the stock did not cover): recorded for an officer, never silently accepted."""

    __tablename__ = "regime_discrepancies"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    unit: Mapped[str] = mapped_column(String(16), index=True)
    tax_code: Mapped[str] = mapped_column(String(14), index=True)
    enterprise_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    regime: Mapped[str] = mapped_column(String(24))
    kind: Mapped[str] = mapped_column(String(40))
    item_code: Mapped[str] = mapped_column(String(20), default="")
    item_unit: Mapped[str] = mapped_column(String(10), default="")
    quantity: Mapped[Decimal]
    duty_at_stake: Mapped[Decimal]
    declaration_number: Mapped[str | None] = mapped_column(String(12), nullable=True)
    location: Mapped[str | None] = mapped_column(String(20), nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    source: Mapped[str] = mapped_column(String(80))  # the event (and item) that revealed it
    status: Mapped[str] = mapped_column(String(12), default="open")
    raised_at: Mapped[datetime]
    __table_args__ = (UniqueConstraint("source", "kind", name="uq_regime_discrepancy_source"),)


class RegimeAlertRow(Base):
    """An alert for the officers of a unit: a deadline near or passed, a discrepancy found."""

    __tablename__ = "regime_alerts"
    id: Mapped[int] = mapped_column(SeqInt, primary_key=True, autoincrement=True)
    unit: Mapped[str] = mapped_column(String(16), index=True)
    tax_code: Mapped[str] = mapped_column(String(14))
    kind: Mapped[str] = mapped_column(String(24))  # deadline_near | deadline_passed | discrepancy
    declaration_number: Mapped[str | None] = mapped_column(String(12), nullable=True)
    message_vi: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="open", index=True)
    raised_at: Mapped[datetime]
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)


class EpeRow(Base):
    """An export-processing enterprise (doanh nghiệp chế xuất): its status and zone. Goods crossing its
    boundary with the domestic market are imports and exports."""

    __tablename__ = "regime_epes"
    tax_code: Mapped[str] = mapped_column(String(14), primary_key=True)
    enterprise_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    unit: Mapped[str] = mapped_column(String(16), index=True)
    zone: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(12), default="active")  # active | suspended | revoked
    since: Mapped[date] = mapped_column(Date)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(120))
