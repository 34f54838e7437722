"""Request and response models of the risk API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from haiquan.kit.money import Dec
from haiquan.reference import validators

Lane = Literal["green", "yellow", "red"]


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


class LaneRatesOut(BaseModel):
    office: str
    green: Dec
    yellow: Dec
    red: Dec
    random_share: Dec
    configured: bool


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
