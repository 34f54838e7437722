"""Tax administration tables: penalty decisions and customs fees (charges, each booked as a due of the
payments module under its own 12-digit number, so the bank gateway pays it by its payment reference) and
the nightly snapshot of every enterprise's position (aging, interest, stage), derived from the ledger."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from haiquan.kit.db import Base
from haiquan.payments.tables import PaymentAllocationRow


class TaxChargeRow(Base):
    """A penalty decision (kind `penalty`: the violation, its legal basis, the deciding officer) or a
    customs fee (kind `fee`: the fee code from the fee table and its source), owed by an enterprise."""

    __tablename__ = "tax_charges"
    number: Mapped[str] = mapped_column(String(12), primary_key=True)  # the due's declaration_number key
    kind: Mapped[str] = mapped_column(String(8))  # penalty | fee
    tax_code: Mapped[str] = mapped_column(String(14), index=True)
    enterprise_id: Mapped[str] = mapped_column(String(32))
    office: Mapped[str] = mapped_column(String(16), index=True)
    declaration_number: Mapped[str | None] = mapped_column(String(12), nullable=True)
    code: Mapped[str] = mapped_column(String(40))  # the violation's or the fee's code
    title: Mapped[str] = mapped_column(String(500))  # the violation as decided, or the fee's name
    legal_basis: Mapped[str] = mapped_column(String(300))
    amount: Mapped[Decimal]
    reference: Mapped[str] = mapped_column(String(15))
    incurred: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    decided_by: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[datetime]


class TaxPositionRow(Base):
    """An enterprise's account as the last recompute found it (`haiquan taxes recompute`, nightly): what
    officers' lists and the dashboard read. Registration never reads it: it derives the debt live."""

    __tablename__ = "tax_positions"
    tax_code: Mapped[str] = mapped_column(String(14), primary_key=True)
    outstanding: Mapped[Decimal]
    overdue: Mapped[Decimal]
    interest: Mapped[Decimal]
    not_due: Mapped[Decimal]
    d1_30: Mapped[Decimal]
    d31_60: Mapped[Decimal]
    d61_90: Mapped[Decimal]
    over_90: Mapped[Decimal]
    oldest_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    stage: Mapped[str] = mapped_column(String(20))
    computed_on: Mapped[date] = mapped_column(Date)
    computed_at: Mapped[datetime]


Index("ix_tax_positions_stage", TaxPositionRow.stage)
# a payer's allocations by declaration: the account reads them for the payer's dues (registration too)
Index("ix_payment_allocations_declaration", PaymentAllocationRow.declaration_number)
