"""Conveyance tables: each arrival or departure a carrier reports (with its versions), the people on board,
the watch list of persons, and the screening hits that targeting officers read."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from haiquan.kit.db import Base, JSONType


class ConveyanceRow(Base):
    """One arrival or departure of a vessel or an aircraft, as last reported (`version`)."""

    __tablename__ = "conveyance_reports"
    __table_args__ = (UniqueConstraint("carrier_id", "reference", name="uq_conveyance_report_ref"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    carrier_id: Mapped[str] = mapped_column(String(32), ForeignKey("enterprises.id"), index=True)
    reference: Mapped[str] = mapped_column(String(60))
    direction: Mapped[str] = mapped_column(String(10))
    mode: Mapped[str] = mapped_column(String(4))
    craft_id: Mapped[str] = mapped_column(String(20))  # IMO number, or the aircraft's registration
    craft_name: Mapped[str] = mapped_column(String(120), default="")
    voyage: Mapped[str] = mapped_column(String(40), index=True)  # voyage or flight number
    departure_port: Mapped[str] = mapped_column(String(5))
    arrival_port: Mapped[str] = mapped_column(String(5))
    unit: Mapped[str] = mapped_column(String(16), ForeignKey("units.code"), index=True)
    scheduled_at: Mapped[datetime] = mapped_column(index=True)
    actual_at: Mapped[datetime | None] = mapped_column(nullable=True)
    crew_count: Mapped[int] = mapped_column(Integer, default=0)
    passenger_count: Mapped[int] = mapped_column(Integer, default=0)
    stores: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    manifest_reference: Mapped[str | None] = mapped_column(String(60), nullable=True)
    source: Mapped[str] = mapped_column(String(10), default="json")
    version: Mapped[int] = mapped_column(Integer, default=1)
    received_at: Mapped[datetime]
    amended_at: Mapped[datetime | None] = mapped_column(nullable=True)
    persons_purged_at: Mapped[datetime | None] = mapped_column(nullable=True)


class ConveyanceVersionRow(Base):
    """Each version as received: the report without its people (kept after the people are purged)."""

    __tablename__ = "conveyance_report_versions"
    conveyance_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("conveyance_reports.id"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    received_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    body: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class PersonRow(Base):
    """A passenger or crew member of the current version. Personal fields are blanked on purge."""

    __tablename__ = "conveyance_persons"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    conveyance_id: Mapped[str] = mapped_column(String(32), ForeignKey("conveyance_reports.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(10))
    family_name: Mapped[str] = mapped_column(String(100))
    given_names: Mapped[str] = mapped_column(String(100), default="")
    date_of_birth: Mapped[date | None] = mapped_column(nullable=True)
    sex: Mapped[str] = mapped_column(String(1), default="X")
    nationality: Mapped[str] = mapped_column(String(3), default="")
    document_type: Mapped[str] = mapped_column(String(3), default="")
    document_number: Mapped[str] = mapped_column(String(35), default="")
    document_country: Mapped[str] = mapped_column(String(3), default="")
    document_expiry: Mapped[date | None] = mapped_column(nullable=True)
    seat: Mapped[str] = mapped_column(String(10), default="")
    embarkation_port: Mapped[str] = mapped_column(String(5), default="")
    disembarkation_port: Mapped[str] = mapped_column(String(5), default="")
    anonymised: Mapped[bool] = mapped_column(Boolean, default=False)


class PersonWatchRow(Base):
    """A person to watch for: name, and what else is known (date of birth, nationality, document)."""

    __tablename__ = "conveyance_person_watch"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[date | None] = mapped_column(nullable=True)
    nationality: Mapped[str | None] = mapped_column(String(3), nullable=True)
    document_number: Mapped[str | None] = mapped_column(String(35), nullable=True, index=True)
    reason: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(16))
    added_by: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[datetime]
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ScreeningHitRow(Base):
    """A person of a report matched a watched person: score, exact or fuzzy, and why."""

    __tablename__ = "conveyance_screening_hits"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    conveyance_id: Mapped[str] = mapped_column(String(32), ForeignKey("conveyance_reports.id"), index=True)
    person_id: Mapped[str] = mapped_column(String(32), ForeignKey("conveyance_persons.id"), index=True)
    watch_id: Mapped[str] = mapped_column(String(32))
    watch_source: Mapped[str] = mapped_column(String(120))
    watch_reason: Mapped[str] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(6))
    reasons: Mapped[list[str]] = mapped_column(JSONType, default=list)
    unit: Mapped[str] = mapped_column(String(16), index=True)
    screened_at: Mapped[datetime]


Index("ix_conveyance_reports_unit_scheduled", ConveyanceRow.unit, ConveyanceRow.scheduled_at)
