"""Tables of enforcement: cases, their status history, seizure items, links and persons (minimal data)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from haiquan.kit.db import Base, JSONType

Quantity = Numeric(20, 3, asdecimal=True)


class CaseRow(Base):
    """One smuggling, fraud or drug case, owned by the unit that detected it."""

    __tablename__ = "enforcement_cases"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    unit: Mapped[str] = mapped_column(String(16), index=True)
    detected_on: Mapped[date] = mapped_column(Date)
    field: Mapped[str] = mapped_column(String(40))
    route: Mapped[str] = mapped_column(String(30))
    place: Mapped[str | None] = mapped_column(String(5), nullable=True)
    province: Mapped[str] = mapped_column(String(8), index=True)
    region: Mapped[str] = mapped_column(String(10))
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(30))
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    coordinated_with: Mapped[list[str]] = mapped_column(JSONType)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CaseStatusRow(Base):
    """Every status a case has had, with the day it was decided and who recorded it."""

    __tablename__ = "enforcement_case_status_history"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(32), ForeignKey("enforcement_cases.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    from_status: Mapped[str | None] = mapped_column(String(30), nullable=True)
    to_status: Mapped[str] = mapped_column(String(30))
    decided_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime]


class SeizureItemRow(Base):
    """Goods or a substance seized: quantity in the unit recorded, and an optional recorded count."""

    __tablename__ = "enforcement_seizure_items"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(32), ForeignKey("enforcement_cases.id"), index=True)
    seized_on: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(10))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit_of_measure: Mapped[str] = mapped_column(String(10))
    count: Mapped[Decimal | None] = mapped_column(Quantity, nullable=True)
    count_unit: Mapped[str | None] = mapped_column(String(10), nullable=True)
    value_vnd: Mapped[Decimal | None] = mapped_column(nullable=True)
    description: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime]


class CaseLinkRow(Base):
    """A declaration, consignment (bill), container, enterprise or consignee involved in a case."""

    __tablename__ = "enforcement_case_links"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(32), ForeignKey("enforcement_cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    added_by: Mapped[str] = mapped_column(String(120))
    added_at: Mapped[datetime]


class CasePersonRow(Base):
    """A person involved: the minimum the case file needs. Read only by officers of the case's unit
    subtree, and every read is audited."""

    __tablename__ = "enforcement_case_persons"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(32), ForeignKey("enforcement_cases.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    id_number: Mapped[str | None] = mapped_column(String(20), nullable=True)
    nationality: Mapped[str] = mapped_column(String(2))
    birth_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    role: Mapped[str] = mapped_column(String(20))
    detained: Mapped[bool] = mapped_column(Boolean, default=False)
    added_by: Mapped[str] = mapped_column(String(120))
    added_at: Mapped[datetime]


Index("ix_enforcement_cases_unit_detected", CaseRow.unit, CaseRow.detected_on)
Index("ix_enforcement_cases_detected", CaseRow.detected_on)
