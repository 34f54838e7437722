"""Risk watch lists: enterprises, consignees, routes, HS codes and countries to watch, each entry with its
reason, source and validity. Written by enforcement (confirmed cases) and by analysts; read by risk."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from haiquan.kit.db import Base


class WatchListEntry(Base):
    __tablename__ = "risk_watch_list"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(16))
    added_by: Mapped[str] = mapped_column(String(120))
    added_at: Mapped[datetime]
    valid_until: Mapped[datetime | None] = mapped_column(nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


Index("ix_risk_watch_list_kind_value", WatchListEntry.kind, WatchListEntry.value)
