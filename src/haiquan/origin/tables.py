"""Origin tables: the issuing countries' signing certificates, the e-Form D certificates received (and
issued for exports), the declaration lines' ATIGA claims judged against them, verification requests."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from haiquan.kit.db import Base, JSONType


class CountryKeyRow(Base):
    """A country's X.509 certificate that verifies the e-Form D it signs (customs registers, revokes)."""

    __tablename__ = "origin_country_keys"
    __table_args__ = (UniqueConstraint("country", "key_name", name="uq_origin_country_key"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    country: Mapped[str] = mapped_column(String(2), index=True)
    key_name: Mapped[str] = mapped_column(String(100))
    certificate_pem: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))
    endpoint: Mapped[str | None] = mapped_column(String(500), nullable=True)  # where we send to it
    created_at: Mapped[datetime]
    not_before: Mapped[datetime]
    not_after: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)


class CertificateRow(Base):
    """An e-Form D: received from a partner (`direction` in) or issued for one of our exports (out). The
    signed XML is kept as received or sent; its fields are kept for matching."""

    __tablename__ = "origin_certificates"
    number: Mapped[str] = mapped_column(String(40), primary_key=True)
    direction: Mapped[str] = mapped_column(String(3))  # in | out
    issuing_country: Mapped[str] = mapped_column(String(2))
    importing_country: Mapped[str] = mapped_column(String(2))
    issue_date: Mapped[date] = mapped_column(Date)
    exporter_name: Mapped[str] = mapped_column(String(300))
    consignee_name: Mapped[str] = mapped_column(String(300))
    consignee_tax_id: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    flags: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="valid")  # valid | not_confirmed
    key_name: Mapped[str] = mapped_column(String(100))
    declaration_number: Mapped[str | None] = mapped_column(String(12), nullable=True)  # out: the export
    delivery: Mapped[str | None] = mapped_column(String(12), nullable=True)  # out: pending|sent|failed
    xml: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime]


class ClaimRow(Base):
    """A declaration line's ATIGA claim and where it stands against the certificate it names."""

    __tablename__ = "origin_claims"
    declaration_number: Mapped[str] = mapped_column(String(12), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    office: Mapped[str] = mapped_column(String(16))
    certificate_no: Mapped[str] = mapped_column(String(40), index=True)
    criterion: Mapped[str | None] = mapped_column(String(4), nullable=True)
    status: Mapped[str] = mapped_column(String(10))  # matched | mismatch | pending | expired
    mismatches: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    item_no: Mapped[int | None] = mapped_column(Integer, nullable=True)
    pending_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    decided_at: Mapped[datetime]


Index("ix_origin_claims_pending", ClaimRow.status, ClaimRow.pending_until)


class VerificationRow(Base):
    """Customs' request to an issuing country to verify a certificate, and its answer."""

    __tablename__ = "origin_verifications"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    certificate_no: Mapped[str] = mapped_column(String(40), index=True)
    country: Mapped[str] = mapped_column(String(2))
    office: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(120))
    requested_at: Mapped[datetime]
    result: Mapped[str | None] = mapped_column(String(16), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(nullable=True)
