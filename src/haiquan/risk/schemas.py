"""Request and response models of the risk API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from haiquan.kit.money import Dec
from haiquan.reference import validators

Lane = Literal["green", "blue", "yellow", "red"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ProfileIn(Strict):
    id: str = Field(pattern=r"^[A-Z0-9][A-Z0-9_-]{2,39}$", examples=["P-CARS-JPKR"])
    name: str = Field(min_length=3, max_length=200)
    criteria: str = Field(
        min_length=3,
        max_length=4000,
        examples=["hs starts 8703 and origin in (JP, KR) and unit_value < 2000 USD/unit -> red"],
    )
    units: list[Annotated[str, StringConstraints(max_length=16)]] = Field(
        default_factory=list, max_length=500, description="Offices (and their subtrees); empty = all"
    )
    valid_from: date | None = None
    valid_to: date | None = None
    active: bool = True
    reason_vi: str = Field("", max_length=300)
    reason_en: str = Field("", max_length=300)
    why: str = Field(
        min_length=3, max_length=2000, description="Why the profile is added (kept in its history)"
    )


class ProfileChange(Strict):
    name: str | None = Field(None, min_length=3, max_length=200)
    criteria: str | None = Field(None, min_length=3, max_length=4000)
    units: list[Annotated[str, StringConstraints(max_length=16)]] | None = Field(None, max_length=500)
    valid_from: date | None = None
    valid_to: date | None = None
    active: bool | None = None
    reason_vi: str | None = Field(None, max_length=300)
    reason_en: str | None = Field(None, max_length=300)
    why: str = Field(min_length=3, max_length=2000)


class ProfileOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    name: str
    criteria: str
    units: list[str]
    valid_from: date | None
    valid_to: date | None
    active: bool
    reason_vi: str
    reason_en: str
    version: int
    updated_at: datetime
    updated_by: str


class ProfileVersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    profile_id: str
    version: int
    snapshot: dict[str, Any]
    changed_at: datetime
    changed_by: str
    why: str


class ProfileTestIn(Strict):
    criteria: str = Field(min_length=3, max_length=4000)
    date_from: date
    date_to: date


class ValueControlIn(Strict):
    min_unit_value: Decimal = Field(ge=0)
    max_unit_value: Decimal = Field(gt=0)
    why: str = Field(min_length=3, max_length=2000)


class ValueControlOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    hs_code: str
    origin: str
    min_unit_value: Dec
    max_unit_value: Dec
    median_unit_value: Dec
    sample_size: int
    source: str
    updated_at: datetime
    updated_by: str


class RecomputeIn(Strict):
    days: int = Field(365, ge=7, le=3650, description="History window in days")
    min_samples: int = Field(5, ge=5, le=10000)


class LaneRatesIn(Strict):
    green: Decimal = Field(ge=0, le=100)
    yellow: Decimal = Field(ge=0, le=100)
    red: Decimal = Field(ge=0, le=100)
    random_share: Decimal = Field(Decimal("2"), ge=0, le=100)
    blue: Decimal = Field(Decimal(0), ge=0, le=100, description="Released at once, audited later")


class LaneRatesOut(BaseModel):
    office: str
    green: Dec
    yellow: Dec
    red: Dec
    random_share: Dec
    configured: bool
    blue: Dec = Decimal(0)


class OverrideIn(Strict):
    subject: Literal["declarant", "importer", "declaration"]
    value: str = Field(min_length=3, max_length=20)
    channel: Lane
    reason: str = Field(min_length=3, max_length=2000)
    office: str | None = Field(None, max_length=16)
    expires_at: validators.Instant


class OverrideOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    subject: str
    value: str
    channel: str
    reason: str
    office: str | None
    expires_at: datetime
    active: bool
    created_at: datetime
    created_by: str


class ModelIn(Strict):
    path: str = Field(
        min_length=1, max_length=500, description="Model file on the server (haiquan risk train)"
    )


class ModelOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    version: str
    path: str
    feature_version: str
    metrics: dict[str, Any]
    data_window: dict[str, Any]
    created_at: datetime
    promoted_at: datetime | None
    promoted_by: str | None
    serving: bool


class RecomputedOut(BaseModel):
    """Value-control bounds learned from history: groups seen, rows written, groups skipped."""

    groups: int
    written: int
    skipped: int


class ComplianceClassesOut(BaseModel):
    """Declarants per compliance class after recomputing."""

    high: int
    normal: int
    low: int


class ProfileTestOut(BaseModel):
    criteria: str
    date_from: date
    date_to: date
    declarations: int
    hits: int
    hit_share: float
    hits_by_lane_then: dict[Lane, int]
    frauds_found_among_hits: int
    sample: list[str] = Field(description="The first hits' declaration numbers")
    truncated: bool = Field(description="More declarations than one test reads")


class RiskDecisionOut(BaseModel):
    number: str
    office: str
    decided_at: datetime
    channel: str
    score: float
    score_source: str
    random_pick: bool
    forced: bool
    reasons: list[dict[str, Any]]
    inspected: bool
    fraud_found: bool | None


class PerLane(BaseModel):
    green: int
    yellow: int
    red: int
    blue: int = 0


class RatePerLane(BaseModel):
    green: float | None
    yellow: float | None
    red: float | None
    blue: float | None = None


class RandomPicks(BaseModel):
    picked: int
    inspected: int
    frauds: int


class RedByScore(BaseModel):
    inspected: int
    frauds: int


class Targeting(BaseModel):
    """How the engine targeted: lanes, inspections and frauds per lane, random picks, revenue found."""

    declarations: int
    lanes: PerLane
    inspected: PerLane
    frauds: PerLane
    random: RandomPicks
    red_by_score: RedByScore
    revenue_found: str
    lane_shares: RatePerLane
    hit_rate: RatePerLane
    precision_at_red_budget: float | None
    random_hit_rate: float | None
    score_mean: float | None
    score_psi_vs_previous_month: float | None


class TargetingMonth(Targeting):
    office: str
    month: str = Field(description="YYYY-MM, Vietnam time")


class PerformanceOut(BaseModel):
    date_from: date
    date_to: date
    office: str | None
    total: Targeting
    rows: list[TargetingMonth]
