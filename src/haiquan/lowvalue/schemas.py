"""Requests and answers of the low-value routes. A bulk's items are checked one by one (service.prepare), so
that one wrong item is rejected alone, naming its field (`items[17].value`), and the others go on."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema

from haiquan.kit.money import Dec
from haiquan.lowvalue.domain import MAX_ITEMS, Direction, Lane, Status
from haiquan.reference import validators

Country = Annotated[str, Field(min_length=2, max_length=2), AfterValidator(validators.country)]
Currency = Annotated[str, Field(min_length=3, max_length=3), AfterValidator(validators.currency)]
Office = Annotated[str, Field(pattern=r"^[0-9A-Z]{2,4}$", description="Customs office code, e.g. 01AB")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ParcelFields(Strict):
    """What every parcel declares; the consignee is the receiver (import) or the sender (export)."""

    consignee_name: str = Field(min_length=1, max_length=200)
    consignee_address: str = Field(min_length=1, max_length=300)
    consignee_id: str | None = Field(None, max_length=20, description="Tax code or ID number, when known")
    description: str = Field(min_length=1, max_length=500, description="Goods, in plain words")
    hs_code: str | None = Field(
        None, pattern=r"^\d{4}(\d{2}){0,2}$", description="HS code (4, 6 or 8 digits)"
    )
    country: Country = Field(description="Origin (import) or destination (export), ISO 3166-1 alpha-2")
    value: Dec = Field(gt=0, max_digits=18, decimal_places=2, description="Customs value in `currency`")
    currency: Currency = "VND"
    weight_kg: Dec = Field(gt=0, le=Decimal(1000), max_digits=12, decimal_places=3)


class ExpressItemIn(ParcelFields):
    house_awb: str = Field(
        pattern=r"^[0-9A-Z-]{4,35}$",
        description="House air waybill: the parcel's key for this express company",
    )


class PostalItemIn(ParcelFields):
    item_id: str = Field(
        pattern=r"^[A-Z]{2}\d{9}[A-Z]{2}$", description="UPU S10 item id, e.g. EE123456785VN"
    )
    bag: str = Field(pattern=r"^[0-9A-Z]{1,29}$", description="Receptacle (bag) id")


def _items(model: type[BaseModel]) -> Any:
    """The items' schema as documented; the route takes them as they come and checks each on its own."""
    return WithJsonSchema({"type": "array", "maxItems": MAX_ITEMS, "items": model.model_json_schema()})


class ExpressManifestIn(Strict):
    master_awb: str = Field(pattern=r"^\d{3}-?\d{8}$", description="Master air waybill (IATA: 3 + 8 digits)")
    flight: str = Field(pattern=r"^[0-9A-Z]{2}\d{1,4}[A-Z]?$", description="Flight number, e.g. VN311")
    flight_date: date
    office: Office
    direction: Direction
    items: Annotated[list[Any], _items(ExpressItemIn)] = Field(
        min_length=1, description=f"House air waybills, at most {MAX_ITEMS:,} a request"
    )


class PostalDispatchIn(Strict):
    dispatch: str = Field(pattern=r"^[0-9A-Z]{4,29}$", description="UPU dispatch id")
    transport: str = Field(pattern=r"^[0-9A-Z-]{2,20}$", description="Flight or vehicle")
    dispatch_date: date
    office: Office
    direction: Direction
    items: Annotated[list[Any], _items(PostalItemIn)] = Field(
        min_length=1, description=f"Postal items, with their bag, at most {MAX_ITEMS:,} a request"
    )


class ItemResult(BaseModel):
    """One item's answer, in the order sent: accepted with its declaration number and lane, or rejected
    naming the field (`items[17].value`). A retried item gets the same answer again."""

    index: int
    key: str | None
    outcome: str = Field(description="accepted | rejected")
    number: str | None = None
    declaration_type: str | None = None
    lane: Lane | None = None
    field: str | None = None
    code: str | None = None
    message: str | None = None


class BulkOut(BaseModel):
    manifest_id: str | None
    accepted: int
    rejected: int
    new: int = Field(description="Accepted for the first time by this request (the rest: answered again)")
    items: list[ItemResult]


class ParcelOut(BaseModel):
    number: str
    declaration_type: str
    manifest_id: str
    key: str
    bag: str | None
    office: str
    consignee_name: str
    description: str
    hs_code: str | None
    country: str
    value: Dec
    currency: str
    value_vnd: Dec
    weight_kg: Dec
    lane: Lane
    status: Status
    reasons: list[str]
    lodged_at: datetime
    updated_at: datetime


class ParcelPage(BaseModel):
    items: list[ParcelOut]
    next_cursor: str | None


class ReasonIn(Strict):
    reason: str = Field(min_length=1, max_length=500)
