"""Agencies' tables: the requirements table, who speaks for which agency, permits and their history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from haiquan.kit.db import Base, JSONType
from haiquan.kit.tables import SeqInt


class RequirementRow(Base):
    """One row of the requirements table (agencies.requirements.Rule), replaced as a whole by a load."""

    __tablename__ = "agency_requirements"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    hs_prefix: Mapped[str] = mapped_column(String(8))
    agency: Mapped[str] = mapped_column(String(12))
    requirement: Mapped[str] = mapped_column(String(12))
    kinds: Mapped[list[str]] = mapped_column(JSONType, default=list)
    origins: Mapped[list[str]] = mapped_column(JSONType, default=list)
    except_origins: Mapped[list[str]] = mapped_column(JSONType, default=list)
    uses: Mapped[list[str]] = mapped_column(JSONType, default=list)
    title_vi: Mapped[str] = mapped_column(String(300), default="")
    title_en: Mapped[str] = mapped_column(String(300), default="")
    legal_source: Mapped[str] = mapped_column(String(300))


class AgencyMemberRow(Base):
    """An enterprise (the agency's system, by API key) or an officer account of the agency's staff, and the
    agency and offices it serves. A principal not listed here sees and decides nothing."""

    __tablename__ = "agency_members"
    principal: Mapped[str] = mapped_column(String(80), primary_key=True)  # enterprise:<id> | officer:<id>
    agency: Mapped[str] = mapped_column(String(12), index=True)
    units: Mapped[list[str]] = mapped_column(JSONType, default=list)  # ["*"]: every office


class PermitRow(Base):
    """A permit or an inspection one declaration line needs from one agency."""

    __tablename__ = "agency_permits"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    number: Mapped[str] = mapped_column(String(12), ForeignKey("declarations.number"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    hs_code: Mapped[str] = mapped_column(String(8))
    origin_country: Mapped[str] = mapped_column(String(2))
    office: Mapped[str] = mapped_column(String(16))
    declarant_id: Mapped[str] = mapped_column(String(32), index=True)
    agency: Mapped[str] = mapped_column(String(12))
    requirement: Mapped[str] = mapped_column(String(12))
    requirement_id: Mapped[str] = mapped_column(String(40))
    title_vi: Mapped[str] = mapped_column(String(300), default="")
    title_en: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(20))
    requested_at: Mapped[datetime]
    deadline: Mapped[datetime]
    reference_no: Mapped[str] = mapped_column(String(60), default="")
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)
    decided_by: Mapped[str] = mapped_column(String(120), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    conditions: Mapped[str] = mapped_column(Text, default="")
    lab_reference: Mapped[str] = mapped_column(String(80), default="")
    overdue_at: Mapped[datetime | None] = mapped_column(nullable=True)
    case_number: Mapped[str | None] = mapped_column(String(40), nullable=True)
    updated_at: Mapped[datetime]


Index("ix_agency_permits_agency_status", PermitRow.agency, PermitRow.status)


class PermitHistoryRow(Base):
    """Every step of a permit, kept for ever."""

    __tablename__ = "agency_permit_history"
    id: Mapped[int] = mapped_column(SeqInt, primary_key=True, autoincrement=True)
    permit_id: Mapped[str] = mapped_column(String(32), ForeignKey("agency_permits.id"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(120))
    status_from: Mapped[str | None] = mapped_column(String(20), nullable=True)
    status_to: Mapped[str] = mapped_column(String(20))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
