"""Applications' tables: the applications and their history, their documents, the rulings they issued
(read at lodging) and the payment-deadline extensions they granted (read by the tax accounts)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from haiquan.kit.db import Base, JSONType
from haiquan.kit.tables import SeqInt


class ApplicationRow(Base):
    """One application filed online, addressed to an office, and its decision."""

    __tablename__ = "applications"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(20))
    office: Mapped[str] = mapped_column(String(16), index=True)
    enterprise_id: Mapped[str] = mapped_column(String(32), index=True)
    tax_code: Mapped[str] = mapped_column(String(14))
    subject: Mapped[str] = mapped_column(String(300))
    reason_code: Mapped[str] = mapped_column(String(24), default="")
    refund_mode: Mapped[str | None] = mapped_column(String(20), nullable=True)
    declaration_number: Mapped[str | None] = mapped_column(String(12), nullable=True, index=True)
    amount_requested: Mapped[Decimal | None] = mapped_column(nullable=True)
    requested_due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    goods_code: Mapped[str] = mapped_column(String(40), default="")
    goods_description: Mapped[str] = mapped_column(Text, default="")
    hs_code: Mapped[str] = mapped_column(String(8), default="")
    origin_country: Mapped[str] = mapped_column(String(2), default="")
    details: Mapped[str] = mapped_column(Text, default="")
    filed_at: Mapped[datetime]
    clock_started_at: Mapped[datetime]
    deadline: Mapped[datetime]
    deadline_source: Mapped[str] = mapped_column(String(200))
    overdue_at: Mapped[datetime | None] = mapped_column(nullable=True)
    info_request: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)
    decided_by: Mapped[str] = mapped_column(String(120), default="")
    reasons: Mapped[str] = mapped_column(Text, default="")
    amount_granted: Mapped[Decimal | None] = mapped_column(nullable=True)
    decided_hs_code: Mapped[str] = mapped_column(String(8), default="")
    valid_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    new_due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    amount_paid_back: Mapped[Decimal] = mapped_column(default=Decimal(0))
    updated_at: Mapped[datetime]


Index("ix_applications_office_status", ApplicationRow.office, ApplicationRow.status)


class ApplicationHistoryRow(Base):
    """Every step of an application, kept for ever."""

    __tablename__ = "application_history"
    id: Mapped[int] = mapped_column(SeqInt, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(String(32), ForeignKey("applications.id"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(120))
    status_from: Mapped[str | None] = mapped_column(String(20), nullable=True)
    status_to: Mapped[str] = mapped_column(String(20))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class ApplicationDocumentRow(Base):
    """A checked document: the bytes live in the content-addressed store, named by their SHA-256."""

    __tablename__ = "application_documents"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(32), ForeignKey("applications.id"), index=True)
    filename: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime]
    uploaded_by: Mapped[str] = mapped_column(String(120))


class RulingRow(Base):
    """An advance ruling in force for its holder: a classification binds the holder's later declarations
    (declarations naming the ruling's goods code must declare its HS code); origin and value are shown."""

    __tablename__ = "advance_rulings"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # the application's id
    kind: Mapped[str] = mapped_column(String(24))
    holder_tax_code: Mapped[str] = mapped_column(String(14))
    goods_code: Mapped[str] = mapped_column(String(40))
    goods_description: Mapped[str] = mapped_column(Text)
    hs_code: Mapped[str] = mapped_column(String(8), default="")
    origin_country: Mapped[str] = mapped_column(String(2), default="")
    value_note: Mapped[str] = mapped_column(Text, default="")
    office: Mapped[str] = mapped_column(String(16))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime]


Index("ix_advance_rulings_holder_goods", RulingRow.holder_tax_code, RulingRow.goods_code)


class PaymentExtensionRow(Base):
    """A payment deadline moved by an approved extension: what the tax accounts read for the due date."""

    __tablename__ = "payment_extensions"
    application_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    declaration_number: Mapped[str] = mapped_column(String(12), index=True)
    tax_code: Mapped[str] = mapped_column(String(14), index=True)
    office: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal]
    new_due_date: Mapped[date] = mapped_column(Date)
    granted_at: Mapped[datetime]
