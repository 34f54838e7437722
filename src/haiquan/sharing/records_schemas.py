"""Response models of the replicated records (decision 0038)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class HistoryEntryOut(BaseModel):
    type: str = Field(description="The event type, from its domain's catalogue")
    at: str = Field(description="When it occurred at the origin node (ISO 8601, UTC)")


class RecordOut(BaseModel):
    kind: str = Field(examples=["declaration"])
    record_id: str
    reference: str = Field(description="The record's number (declaration, transit, case) or reference")
    unit: str
    origin: str = Field(description="The child node the record's events came through", examples=["01AB"])
    status: str
    summary: dict[str, Any] = Field(description="Fields of its events: tax codes, amounts, lane; no person")
    events: int = Field(description="How many events have told it (the history keeps the last 50)")
    updated_at: datetime = Field(description="When it last changed at its node (its last event's time)")
    received_at: datetime = Field(description="When that change reached this node")
    read_only: bool = Field(default=True, description="A replicated copy: the record is changed at its node")


class RecordDetailOut(RecordOut):
    history: list[HistoryEntryOut]


class RecordPage(BaseModel):
    items: list[RecordOut]
    total: int
    limit: int
    offset: int
