"""Request and response models of enforcement (requests forbid unknown fields)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from haiquan.enforcement.domain import CaseStatus, Route
from haiquan.enforcement.domain import Field as CaseField
from haiquan.kit.money import Dec
from haiquan.reference import validators

Agency = Literal["border_guard", "police", "coast_guard", "market_surveillance", "other"]
LinkKind = Literal["declaration", "consignment", "container", "enterprise", "consignee"]


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CaseIn(In):
    unit: str = Field(min_length=2, max_length=16, description="Unit that detected the case, e.g. 01AB")
    detected_on: date = Field(description="Day of detection (Vietnam time); not in the future")
    field: CaseField
    route: Route
    place: str | None = Field(default=None, max_length=10, description="UN/LOCODE of the place, e.g. VNHAN")
    province: str | None = Field(
        default=None,
        max_length=100,
        description="ISO 3166-2 code (VN-09) or name; default: the unit's department's province",
    )
    summary: str = Field(default="", max_length=4000)
    coordinated_with: list[Agency] = Field(default_factory=list, max_length=10)


class CasePatch(In):
    summary: str | None = Field(default=None, max_length=4000)
    place: str | None = Field(default=None, max_length=10)
    province: str | None = Field(default=None, max_length=100)
    coordinated_with: list[Agency] | None = Field(default=None, max_length=10)


class TransitionIn(In):
    to: CaseStatus
    decided_on: date | None = Field(default=None, description="Day of the decision; default today")
    outcome: Literal["violation", "no_violation"] | None = None
    note: str = Field(default="", max_length=2000)


class SeizureItemIn(In):
    category: str = Field(min_length=1, max_length=40, description="mdma, heroin, ketamine, cigarettes, ...")
    quantity: Decimal = Field(max_digits=20, decimal_places=3)
    unit: str = Field(min_length=1, max_length=10, description="g, kg, tablet, piece or litre")
    count: Decimal | None = Field(default=None, max_digits=17, decimal_places=0)
    count_unit: str | None = Field(
        default=None, max_length=20, description="tablet or piece, counted as recorded"
    )
    value_vnd: Decimal | None = Field(default=None, ge=0, max_digits=18, decimal_places=0)
    seized_on: date | None = Field(default=None, description="Default: the case's day of detection")
    description: str = Field(default="", max_length=2000)


class SeizuresIn(In):
    items: list[SeizureItemIn] = Field(min_length=1, max_length=200)


class LinkIn(In):
    kind: LinkKind
    value: str = Field(min_length=1, max_length=200)
    note: str = Field(default="", max_length=1000)


class PersonIn(In):
    full_name: str = Field(min_length=1, max_length=200)
    id_number: str | None = Field(default=None, min_length=6, max_length=20, pattern=r"^[A-Z0-9]+$")
    nationality: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2")
    birth_year: int | None = Field(default=None, ge=1900, le=2100)
    role: Literal["suspect", "detained", "witness", "owner"] = "suspect"
    detained: bool = False


class WatchIn(In):
    kind: Literal["enterprise", "consignee", "route", "hs_code", "country"]
    value: str | None = Field(default=None, max_length=200, description="Default for route: the case's route")
    reason: str = Field(min_length=1, max_length=1000)
    valid_until: validators.Instant | None = None


class StatusOut(BaseModel):
    from_status: str | None
    to_status: str
    decided_on: date
    outcome: str | None
    note: str
    actor: str
    recorded_at: datetime


class SeizureItemOut(BaseModel):
    id: str
    seized_on: date
    category: str
    kind: str
    quantity: Dec
    unit: str
    count: Dec | None
    count_unit: str | None
    value_vnd: Dec | None
    description: str


class LinkOut(BaseModel):
    id: str
    kind: str
    value: str
    note: str
    added_by: str
    added_at: datetime


class PersonOut(BaseModel):
    id: str
    full_name: str
    id_number: str | None
    nationality: str
    birth_year: int | None
    role: str
    detained: bool


class CaseOut(BaseModel):
    id: str
    number: str
    unit: str
    detected_on: date
    field: str
    route: str
    place: str | None
    province: str
    province_name: str
    region: str
    summary: str
    status: str
    outcome: str | None
    confirmed: bool
    coordinated_with: list[str]
    created_by: str
    created_at: datetime
    persons_count: int
    items: list[SeizureItemOut] = []
    links: list[LinkOut] = []
    history: list[StatusOut] = []


class CaseListOut(BaseModel):
    items: list[CaseOut]
    next_cursor: str | None


class WatchOut(BaseModel):
    id: str
    kind: str
    value: str
    reason: str
    source: str
    added_by: str
    added_at: datetime
    valid_until: datetime | None


class CaseCountsOut(BaseModel):
    smuggling_detected: int
    prosecuted: int
    transferred: int
    drug_cases: int
    drug_cases_coordinated: int
    persons_detained: int


class SeizedOut(BaseModel):
    """What was seized of one category: quantities by unit, declared value, number of items."""

    category: str
    name_vi: str
    name_en: str
    grams: Decimal
    tablets: Decimal
    pieces: Decimal
    litres: Decimal
    value_vnd: Decimal
    items: int


class SummaryOut(BaseModel):
    """The articles' figures for a unit subtree and period, and the sentence that states them."""

    model_config = ConfigDict(populate_by_name=True)
    unit: str
    unit_name: str
    date_from: date = Field(alias="from")
    date_to: date = Field(alias="to")
    counts: CaseCountsOut
    substances: list[SeizedOut]
    goods: list[SeizedOut]
    text_vi: str
    text_en: str


class PeriodRowOut(BaseModel):
    """One province, route or region: its figure in each period and in all."""

    key: str
    name_vi: str
    name_en: str
    values: list[Decimal]
    total: Decimal


class ShiftOut(BaseModel):
    """A row's share of the first and of the last period, and the change in percentage points."""

    key: str
    share_first: Decimal
    share_last: Decimal
    change_pp: Decimal


class DisplacementOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    unit: str
    date_from: date = Field(alias="from")
    date_to: date = Field(alias="to")
    period: str
    metric: str
    case_field: str | None = Field(alias="field")
    periods: list[str]
    province: list[PeriodRowOut]
    route: list[PeriodRowOut]
    region: list[PeriodRowOut]
    shift: dict[str, list[ShiftOut]]
