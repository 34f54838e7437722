"""Request and response models of federation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from haiquan.kit.money import Dec


class AgreementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agency: str = Field(min_length=2, max_length=30, examples=["BDBP"])
    title: str = Field(default="", max_length=200)
    types: list[Annotated[str, StringConstraints(max_length=80)]] = Field(
        min_length=1, max_length=50, examples=[["enforcement.*"]]
    )
    units: list[Annotated[str, StringConstraints(max_length=16)]] = Field(
        min_length=1, max_length=500, examples=[["01AB"]]
    )
    fields: list[Annotated[str, StringConstraints(max_length=80)]] = Field(
        default_factory=list, max_length=100
    )


class AgreementOut(BaseModel):
    id: str
    agency: str
    title: str
    types: list[str]
    units: list[str]
    fields: list[str]
    active: bool
    created_by: str
    created_at: datetime
    revoked_at: datetime | None


class ChildStatusOut(BaseModel):
    node: str
    received: int
    last_received_at: datetime | None
    last_occurred_at: datetime | None
    last_lag_s: float | None
    silent_s: float | None
    pending: int | None


class ReferenceVersionOut(BaseModel):
    """A node's version of a kind of reference data (this node's own, or one below it, from its events)."""

    node: str
    kind: str
    version: int | None
    applied_at: datetime | None
    refused: int
    last_refused_version: int | None
    last_refused_why: str | None


class LinkHolderOut(BaseModel):
    """The process holding the node's link (relay and consumers) when several serve its database."""

    host: str
    pid: int
    taken_at: datetime
    seen_at: datetime = Field(description="Last written by the holder (every 5 s while it holds the link)")
    silent_s: float
    here: bool = Field(description="The process that answered holds it")


class StatusOut(BaseModel):
    unit: str
    federated: bool
    relay_pending: int
    children: list[ChildStatusOut]
    references: list[ReferenceVersionOut] = []
    link_holder: LinkHolderOut | None = None


class TotalOut(BaseModel):
    unit: str
    type: str
    dim: str
    count: int
    amount: Dec
