"""Payments tables: banks, payment references, bank payments and their allocations, guarantees, the
revenue ledger and budget estimates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from haiquan.kit.db import Base
from haiquan.kit.tables import SeqInt


class BankRow(Base):
    """A commercial bank connected to the payment gateway (payments.banks); its API key belongs to the
    enterprise with the same tax code; its certificate verifies the signed XML variant; a disabled bank's
    confirmations are refused. `round_the_clock`: it confirms payments 24/7, nights and holidays included."""

    __tablename__ = "banks"
    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    tax_code: Mapped[str] = mapped_column(String(14), unique=True)
    certificate_pem: Mapped[str | None] = mapped_column(Text, nullable=True)
    # the certificate's validity (X.509 notBefore / notAfter) and its revocation by customs
    certificate_not_before: Mapped[datetime | None] = mapped_column(nullable=True)
    certificate_not_after: Mapped[datetime | None] = mapped_column(nullable=True)
    certificate_revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    round_the_clock: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime]


class DeclarationDueRow(Base):
    """What a declaration owes and what covers it (the sum of its references)."""

    __tablename__ = "payment_dues"
    declaration_number: Mapped[str] = mapped_column(String(12), primary_key=True)
    office: Mapped[str] = mapped_column(String(16), index=True)
    payer_tax_code: Mapped[str] = mapped_column(String(14), index=True)
    assessed: Mapped[Decimal]
    paid: Mapped[Decimal]
    guaranteed: Mapped[Decimal]
    written_off: Mapped[Decimal]
    settled_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class PaymentReferenceRow(Base):
    __tablename__ = "payment_references"
    reference: Mapped[str] = mapped_column(String(15), primary_key=True)
    declaration_number: Mapped[str] = mapped_column(String(12), index=True)
    amendment_no: Mapped[int] = mapped_column(Integer)
    office: Mapped[str] = mapped_column(String(16))
    payer_tax_code: Mapped[str] = mapped_column(String(14))
    amount_due: Mapped[Decimal]
    amount_paid: Mapped[Decimal]
    status: Mapped[str] = mapped_column(String(12))  # open | paid | cancelled
    created_at: Mapped[datetime]


class BankPaymentRow(Base):
    """One confirmation from a bank; (bank, transaction id) is unique, so a repeat is answered, not booked."""

    __tablename__ = "bank_payments"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    bank_code: Mapped[str] = mapped_column(String(12), ForeignKey("banks.code"))
    transaction_id: Mapped[str] = mapped_column(String(64))
    amount: Mapped[Decimal]
    allocated: Mapped[Decimal]
    excess: Mapped[Decimal]
    payer_tax_code: Mapped[str] = mapped_column(String(14))
    references: Mapped[str] = mapped_column(Text)  # up to 50 references of 40 characters (schemas.PaymentIn)
    paid_at: Mapped[datetime]
    received_at: Mapped[datetime]
    bank_day: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="confirmed")  # confirmed | reversed
    reversed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    reversal_reason: Mapped[str] = mapped_column(String(300), default="")
    __table_args__ = (UniqueConstraint("bank_code", "transaction_id", name="uq_bank_payments_txn"),)


Index("ix_bank_payments_bank_day", BankPaymentRow.bank_code, BankPaymentRow.bank_day)


class PaymentAllocationRow(Base):
    __tablename__ = "payment_allocations"
    id: Mapped[int] = mapped_column(SeqInt, primary_key=True, autoincrement=True)
    payment_id: Mapped[str] = mapped_column(String(32), ForeignKey("bank_payments.id"), index=True)
    reference: Mapped[str] = mapped_column(String(15), index=True)
    declaration_number: Mapped[str] = mapped_column(String(12))
    amount: Mapped[Decimal]


class GuaranteeRow(Base):
    """A bank guarantee covering a declaration's duties instead of payment."""

    __tablename__ = "payment_guarantees"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    bank_code: Mapped[str] = mapped_column(String(12), ForeignKey("banks.code"))
    guarantee_no: Mapped[str] = mapped_column(String(64))
    declaration_number: Mapped[str] = mapped_column(String(12), index=True)
    amount: Mapped[Decimal]
    valid_until: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(12), default="active")
    __table_args__ = (UniqueConstraint("bank_code", "guarantee_no", name="uq_guarantee_no"),)


class LedgerLineRow(Base):
    """The revenue ledger: every line belongs to a balanced entry (same entry_id) of one office."""

    __tablename__ = "ledger_lines"
    id: Mapped[int] = mapped_column(SeqInt, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(String(32), index=True)
    office: Mapped[str] = mapped_column(String(16))
    day: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(16))
    account: Mapped[str] = mapped_column(String(20))
    debit: Mapped[Decimal]
    credit: Mapped[Decimal]
    declaration_number: Mapped[str | None] = mapped_column(String(12), nullable=True, index=True)
    source: Mapped[str] = mapped_column(String(80))  # what caused it: event id, payment id, ...


Index("ix_ledger_office_day", LedgerLineRow.office, LedgerLineRow.day)
Index(
    "uq_ledger_source_account", LedgerLineRow.source, LedgerLineRow.kind, LedgerLineRow.account, unique=True
)


class BudgetTargetRow(Base):
    """The budget revenue estimate (dự toán) of one unit for one year. Departments and the nation are
    sums of their units' estimates unless set on the unit itself."""

    __tablename__ = "budget_targets"
    unit: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    amount: Mapped[Decimal]
    set_by: Mapped[str] = mapped_column(String(120))
    set_at: Mapped[datetime]


class GuaranteeReservationRow(Base):
    """Part of a bank guarantee reserved for the duty of goods under a suspended regime or in transit,
    released on discharge (arrival, re-export): the reservations of a guarantee never exceed its amount."""

    __tablename__ = "payment_guarantee_reservations"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    guarantee_id: Mapped[str] = mapped_column(String(32), ForeignKey("payment_guarantees.id"), index=True)
    reference: Mapped[str] = mapped_column(String(60), unique=True)  # e.g. transit:TR0123456789
    amount: Mapped[Decimal]
    status: Mapped[str] = mapped_column(String(10), default="reserved")  # reserved | released
    reserved_at: Mapped[datetime]
    released_at: Mapped[datetime | None] = mapped_column(nullable=True)
    released_because: Mapped[str] = mapped_column(String(60), default="")
