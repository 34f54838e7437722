"""Risk profiles with the lane rates, and the watch list, as reference data flowing down (kinds
`risk_profiles` and `watch_list`, sharing/reference.py): published at the General Department from its tables,
replaced at every node below in bulk inside the transaction that records the version. The channel engine
reads them at its next snapshot. Of the watch list only the entries that came down are replaced: a node's
own entries (enforcement's confirmed cases, its analysts') stay."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from haiquan.kit import clock, outbox
from haiquan.risk import criteria, repository
from haiquan.risk.catalogue import RiskEvent
from haiquan.risk.watchlist import KINDS
from haiquan.sharing.reference import BadDocument, applying, register_applier

CAME_DOWN = "reference:"  # added_by of the watch list entries that came down
Share = Field(ge=0, le=100, max_digits=6, decimal_places=3)


class ProfileDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=40)
    name: str = Field(max_length=200)
    criteria: str = Field(min_length=1, max_length=4000)
    units: list[str] = Field(default_factory=list, max_length=500)
    valid_from: date | None = None
    valid_to: date | None = None
    active: bool = True
    reason_vi: str = Field("", max_length=300)
    reason_en: str = Field("", max_length=300)
    version: int = Field(1, ge=1)

    @field_validator("criteria")
    @classmethod
    def _parses(cls, v: str) -> str:
        try:
            criteria.parse(v)
        except criteria.CriteriaError as exc:
            raise ValueError(f"criteria do not parse: {exc}") from exc
        return v


class LaneRateDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    office: str = Field(min_length=1, max_length=16)
    green: Decimal = Share
    yellow: Decimal = Share
    red: Decimal = Share
    random_share: Decimal = Share
    blue: Decimal | None = Field(None, ge=0, le=100, max_digits=6, decimal_places=3)


class RiskProfilesDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    profiles: list[ProfileDoc] = Field(max_length=100_000)
    lane_rates: list[LaneRateDoc] = Field(default_factory=list, max_length=5_000)


class WatchEntryDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=32)
    kind: str = Field(max_length=20)
    value: str = Field(min_length=1, max_length=200)
    reason: str = Field(max_length=2000)
    source: str = Field(max_length=120)
    unit: str = Field(max_length=16)
    added_by: str = Field(max_length=120)
    valid_until: datetime | None = None

    @field_validator("kind")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in KINDS:
            raise ValueError(f"kind must be one of: {', '.join(KINDS)}")
        return v


class WatchListDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entries: list[WatchEntryDoc] = Field(max_length=500_000)


def _unique(values: list[str], field: str) -> None:
    seen: set[str] = set()
    for i, v in enumerate(values):
        if v in seen:
            raise BadDocument(f"{v} appears twice", f"{field}.{i}")
        seen.add(v)


def apply_profiles(session: Session, doc: RiskProfilesDoc, actor: str) -> None:
    _unique([p.id for p in doc.profiles], "profiles")
    _unique([r.office for r in doc.lane_rates], "lane_rates")
    now = clock.now()
    profiles = [p.model_dump() | {"updated_at": now, "updated_by": actor[:120]} for p in doc.profiles]
    lanes = [r.model_dump() | {"updated_at": now, "updated_by": actor[:120]} for r in doc.lane_rates]
    repository.unscoped_replace_profiles(session, profiles, lanes)
    payload = {"version": applying().version, "profiles": len(profiles), "lane_rates": len(lanes)}
    outbox.record(
        session, type=RiskEvent.PROFILES_REPLACED, unit=applying().node, actor=actor, payload=payload
    )


def apply_watch_list(session: Session, doc: WatchListDoc, actor: str) -> None:
    _unique([e.id for e in doc.entries], "entries")
    now = clock.now()
    rows = [
        e.model_dump() | {"added_by": (CAME_DOWN + e.added_by)[:120], "added_at": now, "active": True}
        for e in doc.entries
    ]
    repository.unscoped_replace_watch_list(session, rows, marker=CAME_DOWN)
    payload = {"version": applying().version, "total": len(rows)}
    outbox.record(
        session, type=RiskEvent.WATCH_LIST_REPLACED, unit=applying().node, actor=actor, payload=payload
    )


def export_profiles(session: Session) -> dict[str, Any]:
    profiles, lanes, _ = repository.unscoped_reference_tables(session)
    return {
        "profiles": [
            ProfileDoc.model_validate(p, from_attributes=True).model_dump(mode="json") for p in profiles
        ],
        "lane_rates": [
            LaneRateDoc.model_validate(r, from_attributes=True).model_dump(mode="json") for r in lanes
        ],
    }


def export_watch_list(session: Session) -> dict[str, Any]:
    _, _, entries = repository.unscoped_reference_tables(session)
    return {
        "entries": [
            WatchEntryDoc.model_validate(e, from_attributes=True).model_dump(mode="json") for e in entries
        ]
    }


register_applier("risk_profiles", apply_profiles, schema=RiskProfilesDoc, export=export_profiles)
register_applier("watch_list", apply_watch_list, schema=WatchListDoc, export=export_watch_list)
