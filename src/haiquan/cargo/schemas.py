"""Manifest requests and answers (carriers' systems)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from haiquan.cargo.domain import CargoType, Mode, Purpose
from haiquan.kit.money import Dec
from haiquan.reference import validators

ContainerNo = Annotated[str, StringConstraints(max_length=20), AfterValidator(validators.container_number)]
Locode = Annotated[str, StringConstraints(max_length=10), AfterValidator(validators.locode)]
TaxCode = Annotated[str, StringConstraints(max_length=20), AfterValidator(validators.tax_code)]
Instant = Annotated[datetime, AfterValidator(validators.instant)]


def _hs_prefix(value: str) -> str:
    raw = value.strip().replace(".", "")
    if not raw.isdigit() or len(raw) not in (4, 6, 8):
        raise ValueError(f"{value!r}: an HS code here has 4, 6 or 8 digits")
    return raw


HsCode = Annotated[str, StringConstraints(max_length=12), AfterValidator(_hs_prefix)]


class Inbound(BaseModel):
    """A request body from outside: unknown fields refused, no NUL character in any text."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        field = validators.nul_field(data)
        if field is not None:
            raise validators.FieldProblem(field, f"{field} contains a NUL character")
        return data


class ContainerIn(Inbound):
    number: ContainerNo = Field(description="ISO 6346 container number with its check digit")
    seal: str = Field(min_length=1, max_length=40, description="Seal number fixed at loading")
    iso_type: str = Field("", max_length=4, description="ISO size-type code, e.g. 22G1")


class BillIn(Inbound):
    number: str = Field(
        min_length=3,
        max_length=60,
        pattern=r"^[A-Z0-9][A-Z0-9\-/]*$",
        description="Bill of lading or air waybill number: the goods identification number",
    )
    master_bill: str | None = Field(None, max_length=60, description="For a house bill, its master bill")
    cargo_type: CargoType = CargoType.CONTAINER
    purpose: Purpose = Purpose.IMPORT
    consignee_tax_code: TaxCode | None = None
    consignee_name: str = Field("", max_length=300)
    description: str = Field(min_length=1, max_length=2000, description="Goods description")
    hs_codes: list[HsCode] = Field(default_factory=list, max_length=50)
    package_count: int = Field(ge=0, le=10_000_000)
    gross_mass_kg: Decimal = Field(gt=0, max_digits=14, decimal_places=3)
    containers: list[ContainerIn] = Field(default_factory=list, max_length=500)

    @model_validator(mode="after")
    def _containers_match_type(self) -> BillIn:
        if self.cargo_type is CargoType.CONTAINER and not self.containers:
            raise ValueError("a containerised bill lists its containers")
        if self.cargo_type is not CargoType.CONTAINER and self.containers:
            raise ValueError(f"a {self.cargo_type.value} bill has no containers")
        return self


class ManifestIn(Inbound):
    reference: str = Field(min_length=1, max_length=60, description="The carrier's own manifest reference")
    mode: Mode
    vessel: str = Field(min_length=1, max_length=120, description="Vessel name or aircraft registration")
    voyage: str = Field(min_length=1, max_length=40, description="Voyage or flight number")
    loading_port: Locode
    discharge_port: Locode
    location_code: str = Field(
        min_length=2, max_length=20, description="Customs location code where the goods are discharged"
    )
    short_voyage: bool = Field(False, description="Sea voyages of short duration (12 h lead time)")
    expected_arrival: Instant = Field(description="With its UTC offset")
    bills: list[BillIn] = Field(min_length=1, max_length=5000)


class ContainerOut(BaseModel):
    number: str
    seal: str
    iso_type: str


class ConsignmentOut(BaseModel):
    id: str
    goods_id: str
    master_bill: str | None
    cargo_type: str
    purpose: str
    consignee_tax_code: str | None
    consignee_name: str
    description: str
    hs_codes: list[str]
    package_count: int
    gross_mass_kg: Dec
    location_code: str
    risk_score: float | None = Field(
        None, description="Pre-arrival risk score: officers only (null for carriers)"
    )
    risk_reasons: list[str] = Field(
        default_factory=list, description="Why it was scored so (risk profiles...): officers only"
    )
    scan_required: bool
    containers: list[ContainerOut]


class ManifestOut(BaseModel):
    id: str
    reference: str
    mode: str
    vessel: str
    voyage: str
    loading_port: str
    discharge_port: str
    location_code: str
    unit: str
    expected_arrival: datetime
    deadline: datetime
    received_at: datetime
    late: bool
    late_by_minutes: int
    lateness_message: str | None
    version: int
    consignments: list[ConsignmentOut]


class ScreeningItem(BaseModel):
    goods_id: str
    manifest_reference: str
    vessel: str
    voyage: str
    expected_arrival: datetime
    consignee_tax_code: str | None
    description: str
    risk_score: float
    risk_reasons: list[str]
    scan_required: bool
