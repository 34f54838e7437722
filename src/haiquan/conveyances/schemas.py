"""Conveyance requests and answers: carriers' reports of arrivals and departures with their crew and
passenger lists; targeting officers' watch list and screening hits."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Annotated

import pycountry
from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from haiquan.cargo.schemas import Inbound, Instant, Locode
from haiquan.conveyances.domain import Direction, DocumentType, Mode, PersonRole, Sex


@lru_cache(maxsize=1)
def _alpha3() -> dict[str, str]:
    out = {c.alpha_3: c.alpha_3 for c in pycountry.countries}
    out |= {c.alpha_2: c.alpha_3 for c in pycountry.countries}
    out["D"] = "DEU"  # ICAO 9303: Germany's documents say D
    return out


def country3(value: str) -> str:
    """A country as ICAO travel documents and PAXLST write it: ISO 3166-1 alpha-3 (alpha-2 accepted)."""
    raw = value.strip().upper()
    found = _alpha3().get(raw)
    if found is None:
        raise ValueError(f"{value!r} is not an ISO 3166-1 country code (alpha-3 like VNM, or alpha-2)")
    return found


Country3 = Annotated[str, StringConstraints(max_length=3), AfterValidator(country3)]
Text35 = Annotated[str, StringConstraints(max_length=35)]


class PersonIn(Inbound):
    family_name: str = Field(min_length=1, max_length=100, description="Surname as on the travel document")
    given_names: str = Field("", max_length=100)
    date_of_birth: date | None = None
    sex: Sex = Sex.UNSPECIFIED
    nationality: Country3 = Field(description="ISO 3166-1 alpha-3 (alpha-2 accepted)")
    document_type: DocumentType = DocumentType.PASSPORT
    document_number: str = Field(min_length=1, max_length=35, pattern=r"^[A-Z0-9<]+$")
    document_country: Country3 = Field(description="Issuing state, ISO 3166-1 alpha-3")
    document_expiry: date | None = None
    seat: str = Field("", max_length=10, description="Seat (aircraft) or berth / cabin (vessel)")
    embarkation_port: Locode | None = None
    disembarkation_port: Locode | None = None


class StoresIn(Inbound):
    description: str = Field(min_length=1, max_length=200, description="Ship's or aircraft's stores item")
    quantity: Decimal = Field(ge=0, max_digits=14, decimal_places=3)
    unit: str = Field(min_length=1, max_length=10, description="UN/ECE Rec. 20 unit, e.g. LTR, KGM, PCE")


class ConveyanceIn(Inbound):
    reference: str = Field(min_length=1, max_length=60, description="The carrier's own reference")
    direction: Direction
    mode: Mode
    craft_id: str = Field(
        min_length=2, max_length=20, description="Vessel: IMO number (check digit). Aircraft: registration"
    )
    craft_name: str = Field("", max_length=120, description="Vessel name or aircraft type")
    voyage: str = Field(min_length=1, max_length=40, description="Voyage number, or flight (VN123 / HVN123)")
    departure_port: Locode
    arrival_port: Locode
    scheduled_at: Instant = Field(description="Scheduled arrival (arrival) or departure (departure)")
    actual_at: Instant | None = Field(None, description="Actual time, once known")
    crew_count: int = Field(ge=0, le=10_000)
    passenger_count: int = Field(ge=0, le=10_000)
    stores: list[StoresIn] = Field(default_factory=list, max_length=500)
    crew: list[PersonIn] = Field(default_factory=list, max_length=10_000)
    passengers: list[PersonIn] = Field(default_factory=list, max_length=10_000)
    manifest_reference: Text35 | None = Field(None, description="The cargo manifest of this voyage or flight")

    @property
    def vietnamese_port(self) -> str:
        return self.arrival_port if self.direction is Direction.ARRIVAL else self.departure_port


class StoresOut(BaseModel):
    description: str
    quantity: Decimal
    unit: str


class ConveyanceOut(BaseModel):
    id: str
    reference: str
    direction: str
    mode: str
    craft_id: str
    craft_name: str
    voyage: str
    departure_port: str
    arrival_port: str
    unit: str
    scheduled_at: datetime
    actual_at: datetime | None
    crew_count: int
    passenger_count: int
    stores: list[StoresOut]
    manifest_reference: str | None
    manifest_id: str | None = Field(None, description="The cargo manifest found for this voyage or flight")
    source: str
    version: int
    received_at: datetime
    amended_at: datetime | None
    persons_purged: bool
    flagged: int | None = Field(None, description="People flagged by screening: targeting officers only")


class PersonOut(BaseModel):
    id: str
    role: PersonRole
    family_name: str
    given_names: str
    date_of_birth: date | None
    sex: str
    nationality: str
    document_type: str
    document_number: str
    document_country: str
    document_expiry: date | None
    seat: str
    embarkation_port: str
    disembarkation_port: str
    anonymised: bool


class HitOut(BaseModel):
    person_id: str
    conveyance_id: str
    voyage: str
    scheduled_at: datetime
    family_name: str
    given_names: str
    date_of_birth: date | None
    nationality: str
    document_number: str
    score: float = Field(description="1 for an exact match; fuzzy matches from 0.88")
    kind: str = Field(description="exact | fuzzy")
    reasons: list[str] = Field(description="Why the person matched")
    watch_id: str
    watch_source: str
    watch_reason: str


class PersonWatchIn(Inbound):
    name: str = Field(min_length=2, max_length=200)
    date_of_birth: date | None = None
    nationality: Country3 | None = None
    document_number: str | None = Field(None, min_length=1, max_length=35, pattern=r"^[A-Z0-9<]+$")
    reason: str = Field(min_length=1, max_length=1000)
    source: str = Field(min_length=1, max_length=120, description="Who asked: a case, an alert, an agency")


class PersonWatchOut(BaseModel):
    id: str
    name: str
    date_of_birth: date | None
    nationality: str | None
    document_number: str | None
    reason: str
    source: str
    added_by: str
    added_at: datetime
