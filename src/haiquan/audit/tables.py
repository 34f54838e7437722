"""Post-clearance audit tables: the queue of declarations selected for audit, the plans per period and
unit, and the audit cases with their findings and assessment."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Float, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from haiquan.kit.db import Base, JSONType


class AuditCandidateRow(Base):
    """A cleared declaration selected for audit by one source (once per declaration and source)."""

    __tablename__ = "audit_candidates"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    number: Mapped[str] = mapped_column(String(12), index=True)
    unit: Mapped[str] = mapped_column(String(16))
    declarant_tax_code: Mapped[str] = mapped_column(String(14))
    source: Mapped[str] = mapped_column(String(20))  # blue_lane | score | watchlist | finalisation | query
    reason: Mapped[str] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    status: Mapped[str] = mapped_column(String(12), default="queued")  # queued | opened | dismissed
    queued_at: Mapped[datetime]
    queued_by: Mapped[str] = mapped_column(String(120))
    case_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    __table_args__ = (UniqueConstraint("number", "source", name="uq_audit_candidates_number_source"),)


Index("ix_audit_candidates_unit_status", AuditCandidateRow.unit, AuditCandidateRow.status)


class AuditPlanRow(Base):
    """The audit plan of a unit for a period (2027-Q1, 2027): how many cases, on which themes."""

    __tablename__ = "audit_plans"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    unit: Mapped[str] = mapped_column(String(16), index=True)
    period: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(300))
    planned_cases: Mapped[int]
    themes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    adopted_at: Mapped[datetime]
    adopted_by: Mapped[str] = mapped_column(String(120))
    __table_args__ = (UniqueConstraint("unit", "period", "title", name="uq_audit_plans_unit_period_title"),)


class AuditCaseRow(Base):
    """An audit of one declaration: desk or on site, its scope, findings and documents, and the
    assessment that closes it (additional duty booked as an amendment, late interest, penalty)."""

    __tablename__ = "audit_cases"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    number: Mapped[str] = mapped_column(String(12), index=True)
    unit: Mapped[str] = mapped_column(String(16), index=True)
    declarant_tax_code: Mapped[str] = mapped_column(String(14))
    kind: Mapped[str] = mapped_column(String(10))  # desk | on_site
    scope: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))  # opened | findings_recorded | closed
    officer: Mapped[str | None] = mapped_column(String(60), nullable=True)
    plan_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    candidate_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    opened_at: Mapped[datetime]
    opened_by: Mapped[str] = mapped_column(String(120))
    outcome: Mapped[str | None] = mapped_column(String(10), nullable=True)  # fraud | no_fraud | critical
    findings: Mapped[list[str]] = mapped_column(JSONType, default=list)
    documents: Mapped[list[str]] = mapped_column(JSONType, default=list)
    additional_duty: Mapped[Decimal] = mapped_column(default=Decimal(0))
    late_interest: Mapped[Decimal] = mapped_column(default=Decimal(0))
    penalty: Mapped[Decimal] = mapped_column(default=Decimal(0))
    penalty_basis: Mapped[str] = mapped_column(String(300), default="")
    amendment_no: Mapped[int | None] = mapped_column(nullable=True)
    booked: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
