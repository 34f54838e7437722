"""The replicated read model of child nodes' records (decision 0038): one row per declaration, manifest,
transit or enforcement case that began at a node below, kept from its events as they are ingested."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from haiquan.kit.db import Base, JSONType


class ReplicatedRecord(Base):
    """A child node's record as its events tell it: its status, a small summary (no personal data), its last
    events (`history`, at most HISTORY_MAX, oldest first), when it last changed at its node (`updated_at`:
    the last event's occurred_at) and when that reached this node (`received_at`). Read-only here: the
    record lives at its origin node."""

    __tablename__ = "replicated_records"
    record_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), index=True)
    unit: Mapped[str] = mapped_column(String(16))
    origin: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(40))
    summary: Mapped[dict[str, Any]] = mapped_column(JSONType)
    history: Mapped[list[Any]] = mapped_column(JSONType)
    events: Mapped[int] = mapped_column(Integer)  # how many events have told it (history keeps the last)
    last_event_id: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime]
    received_at: Mapped[datetime]


Index("ix_replicated_records_unit_updated", ReplicatedRecord.unit, ReplicatedRecord.updated_at)
