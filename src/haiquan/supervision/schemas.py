"""Supervision requests and answers: movement messages, registry, keys, transits, alerts, status."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from haiquan.cargo.domain import CargoType
from haiquan.cargo.schemas import Inbound
from haiquan.kit import clock
from haiquan.kit.bounds import INT32_MAX
from haiquan.kit.money import Dec
from haiquan.reference import validators
from haiquan.reference.validators import FieldProblem
from haiquan.supervision.domain import Connection, Destination, LocationKind


@lru_cache(maxsize=200_000)
def _container(value: str) -> str:
    return validators.container_number(value)


ContainerNo = Annotated[str, StringConstraints(max_length=20), AfterValidator(_container)]
TaxCode = Annotated[str, StringConstraints(max_length=20), AfterValidator(validators.tax_code)]
GoodsId = Annotated[str, AfterValidator(lambda v: v.strip().upper())]  # bill numbers are upper case
MAX_BATCH = 1000
MAX_PACKAGES = 10_000_000  # as on a manifest's bill
AHEAD = timedelta(days=1)  # how far ahead of customs' clock a terminal's clock may run


def _at(value: datetime) -> datetime:
    validators.instant(value)
    if value > clock.now() + AHEAD:
        raise ValueError(f"{value.isoformat()} is more than a day ahead of customs' clock")
    return value


def field_name(loc: Sequence[int | str]) -> str:
    """A pydantic location as the API names fields: messages[3].items[0].container."""
    out = ""
    for p in loc:
        out += f"[{p}]" if isinstance(p, int) else ("." if out else "") + str(p)
    return out


def errors_of(errors: Sequence[Any], whole: str = "message") -> list[dict[str, Any]]:
    """pydantic's errors as {field, code, message}, the field named by a FieldProblem where one was raised."""
    out = []
    for e in errors:
        problem = (e.get("ctx") or {}).get("error")
        field = problem.field if isinstance(problem, FieldProblem) else field_name(e.get("loc", ()))
        message = str(e.get("msg", "invalid")).removeprefix("Value error, ")
        out.append({"field": field or whole, "code": "invalid", "message": message})
    return out


class StockItem(Inbound):
    container: ContainerNo | None = None
    goods_id: GoodsId | None = Field(None, max_length=60)

    @model_validator(mode="after")
    def _one(self) -> StockItem:
        if not self.container and not self.goods_id:
            raise ValueError("a stock item names a container or a goods_id")
        return self


class MessageIn(Inbound):
    """One Get-In / Get-Out / stock message from a terminal operator's system."""

    message_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$")
    kind: Literal["gate_in", "gate_out", "stock"]
    location: str = Field(min_length=2, max_length=20, description="Customs location code")
    at: Annotated[datetime, AfterValidator(_at)] = Field(
        description="When the movement happened, with its UTC offset"
    )
    cargo_type: CargoType = CargoType.CONTAINER
    container: ContainerNo | None = None
    goods_id: GoodsId | None = Field(None, max_length=60, description="Bill of lading / air waybill number")
    seal: str | None = Field(None, max_length=40)
    package_count: int | None = Field(None, ge=0, le=MAX_PACKAGES)
    destination: Destination | None = Field(None, description="gate_out only: where the goods go")
    items: list[StockItem] = Field(default_factory=list, max_length=20000, description="stock only")

    @model_validator(mode="after")
    def _shape(self) -> MessageIn:
        if self.kind == "stock":
            return self
        if self.cargo_type is CargoType.CONTAINER and not self.container:
            raise FieldProblem("container", "a container movement names the container")
        if self.cargo_type is not CargoType.CONTAINER and not self.goods_id:
            raise FieldProblem(
                "goods_id", f"a {self.cargo_type.value} movement names the goods_id (bill number)"
            )
        if self.kind == "gate_out" and self.destination is None:
            raise FieldProblem("destination", "a gate_out names its destination")
        return self


class BatchIn(Inbound):
    messages: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_BATCH)


class MessageResult(BaseModel):
    index: int
    message_id: str | None
    status: Literal["applied", "refused", "duplicate", "error"]
    may_leave: bool | None = None
    reasons: list[dict[str, str]] = []
    errors: list[dict[str, Any]] = []


class BatchOut(BaseModel):
    received: int
    applied: int
    refused: int
    duplicates: int
    errors: int
    results: list[MessageResult]


class RejectedOut(BaseModel):
    """A message that could not be applied, kept whole for review."""

    id: int
    message_id: str | None
    format: str = Field(description="json or xml")
    errors: list[dict[str, Any]]
    raw: str
    received_at: str = Field(description="When it came (ISO 8601, UTC)")


class OperatorIn(Inbound):
    tax_code: TaxCode
    name: str = Field(min_length=1, max_length=300)
    unit: str = Field(min_length=2, max_length=16, description="Supervising sub-department")


class SurveyIn(Inbound):
    transactions_per_day: int = Field(ge=0, le=INT32_MAX)
    annual_teu: int = Field(0, ge=0, le=INT32_MAX)
    annual_tonnes: int = Field(0, ge=0, le=INT32_MAX)
    declarations_per_year: int = Field(0, ge=0, le=INT32_MAX)
    it_readiness: int = Field(ge=0, le=5, description="0 (none) to 5 (ready to connect)")
    notes: str = Field("", max_length=2000)


class ConnectionIn(Inbound):
    status: Connection
    enterprise_tax_code: TaxCode | None = Field(None, description="The operator's account (for testing/live)")


class LocationIn(Inbound):
    code: str = Field(min_length=2, max_length=20, pattern=r"^[A-Z0-9]+$")
    name: str = Field(min_length=1, max_length=300)
    kind: LocationKind
    unit: str = Field(min_length=2, max_length=16)
    locode: str | None = Field(None, max_length=5)
    capacity_teu: int = Field(0, ge=0, le=INT32_MAX)
    dwell_limit_days: int = Field(90, ge=1, le=3650)


class OperatorOut(BaseModel):
    id: str
    tax_code: str
    name: str
    unit: str
    connection_status: str
    transactions_per_day: int
    annual_teu: int
    annual_tonnes: int
    declarations_per_year: int
    it_readiness: int
    locations: list[str]
    rank: int | None = None
    score: float | None = None


class KeyIn(Inbound):
    key_name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._\-]+$")
    certificate_pem: str = Field(
        min_length=100, max_length=20000, description="X.509 certificate (PEM) of an RSA key"
    )


class KeyOut(BaseModel):
    key_name: str
    fingerprint: str = Field(description="SHA-256 of the certificate (DER), hex")
    created_at: datetime
    not_before: datetime | None = Field(description="The certificate's validity (X.509 notBefore)")
    not_after: datetime | None = Field(description="The certificate's end (X.509 notAfter)")
    revoked_at: datetime | None = Field(description="When customs revoked it; null: in force")


class KeyRevokeIn(Inbound):
    reason: str = Field(min_length=3, max_length=300, description="Why (audited)")


class TransitIn(Inbound):
    goods_id: str = Field(min_length=1, max_length=60)
    permit: str = Field(min_length=1, max_length=40, description="Transit declaration or permit number")
    from_location: str = Field(min_length=1, max_length=20)
    to_location: str = Field(min_length=1, max_length=20)
    seal: str = Field("", max_length=40)
    route: str = Field("", max_length=300)
    hours_allowed: int = Field(ge=1, le=24 * 30)


class TransitOut(BaseModel):
    id: str
    goods_id: str
    permit: str
    from_location: str
    to_location: str
    seal: str
    route: str
    status: str
    departed_at: datetime | None
    deadline: datetime | None
    arrived_at: datetime | None


class AlertOut(BaseModel):
    id: int
    kind: str
    title: str
    title_vi: str
    unit: str
    goods_id: str | None
    container: str | None
    location_code: str | None
    message: str
    message_vi: str
    detail: dict[str, Any]
    status: str
    raised_at: datetime
    acknowledged_by: str | None
    closed_by: str | None
    note: str


class AlertActionIn(Inbound):
    note: str = Field(min_length=1, max_length=2000)


class DeclarationRef(BaseModel):
    number: str
    status: str
    channel: str | None


class ItemState(BaseModel):
    container: str | None
    state: str
    location_code: str | None
    seal: str | None
    gate_in_at: datetime | None
    gate_out_at: datetime | None


class StatusOut(BaseModel):
    goods_id: str
    consignment_id: str
    cargo_type: str
    purpose: str
    package_count: int
    may_leave: bool
    reasons: list[dict[str, str]]
    declarations: list[DeclarationRef]
    items: list[ItemState]
    transit: TransitOut | None = None


class ConsignmentStatusPushed(StatusOut):
    """The body POSTed to a terminal operator's webhook (supervision.webhooks) each time a declaration
    covering goods it holds or expects changes status: the consignment's status as
    `GET /api/v1/consignments/{ident}/status` answers it, and what the push is."""

    model_config = ConfigDict(extra="forbid")
    delivery: int = Field(description="The delivery's number: the same on every retry of this push")
    event: Literal["consignment.status"]
    cause: str = Field(description="What changed the status, e.g. `declaration.cleared`")
    at: datetime


# --- transits declared by the trader (supervision.transit_declarations) -------------------------------------

OfficeCode = Annotated[str, StringConstraints(pattern=r"^[0-9A-Z]{2,16}$")]
SealNo = Annotated[str, StringConstraints(min_length=1, max_length=40, strip_whitespace=True)]


class GuaranteeRefIn(Inbound):
    bank: str = Field(min_length=2, max_length=12, description="The issuing bank's code")
    guarantee_no: str = Field(min_length=1, max_length=64)


class TransitDeclarationIn(Inbound):
    transport: Literal["transit", "independent"] = Field(
        "transit", description="transit (chuyển cửa khẩu) or independent transport (vận chuyển độc lập)"
    )
    departure_office: OfficeCode = Field(description="The customs office where the goods leave")
    destination_office: OfficeCode = Field(description="The customs office where the goods arrive")
    route: list[OfficeCode] = Field(
        default_factory=list, max_length=20, description="Offices and border gates passed, in order, between"
    )
    distance_km: int | None = Field(None, ge=1, le=5000, description="Road distance; sets the deadline")
    hours_allowed: int | None = Field(None, ge=1, le=24 * 15, description="Bounded by the distance's rule")
    goods: str = Field(min_length=1, max_length=2000, description="What moves (description, packages)")
    seals: list[SealNo] = Field(min_length=1, max_length=200)
    containers: list[ContainerNo] = Field(default_factory=list, max_length=200)
    duty_amount: Decimal = Field(
        Decimal(0), ge=0, max_digits=18, decimal_places=0, description="VND at stake"
    )
    guarantee: GuaranteeRefIn | None = Field(None, description="Reserves duty_amount; required when above 0")


class TransitDeclarationOut(BaseModel):
    id: str
    number: str
    transport: str
    tax_code: str
    departure_office: str
    destination_office: str
    route: list[str]
    distance_km: int
    hours_allowed: int
    goods: str
    seals: list[str]
    containers: list[str]
    duty_amount: Dec
    guarantee: str
    status: str
    declared_at: datetime
    accepted_at: datetime | None
    accepted_by: str | None
    deadline: datetime | None
    overdue: bool
    closed_at: datetime | None
    closed_by: str | None
    outcome: str
    seals_found: list[str]
    note: str
    origin_node: str | None = Field(
        None, description="Declared on another node (this one's work item of it): that node (decision 0039)"
    )


class TransitRefuseIn(Inbound):
    reason: str = Field(min_length=3, max_length=2000)


class TransitArrivalIn(Inbound):
    seals_found: list[SealNo] = Field(max_length=200, description="The seals found on the goods on arrival")
    discrepancy: bool = Field(False, description="The officer found another discrepancy (count, damage)")
    note: str = Field("", max_length=2000)
