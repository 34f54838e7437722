"""Request and response models of the special regimes' API (requests forbid unknown fields)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegimeRuleOut(BaseModel):
    code: str = Field(description="VNACCS type code (mã loại hình)")
    kind: str = Field(description="import | export")
    regime: str | None = Field(description="processing, export_production, epe, temporary, ...; null: any")
    movement: str
    from_regime: str | None
    deadline_kind: str
    deadline_days: int | None
    warn_days: int
    duty_at_entry: str = Field(description="suspended | exempt | due")
    duty_when: str = Field(description="deadline_passed | domestic_sale | never")
    required: list[str]
    name_vi: str
    name_en: str
    legal_source: str


class LedgerEntryOut(BaseModel):
    id: int
    event_id: str = Field(description="The event that booked it (a declaration's, a gate message's)")
    tax_code: str
    unit: str
    regime: str
    item_code: str
    item_unit: str
    kind: str = Field(
        description="in, out, produced, reexport, domestic_sale, transfer, scrap, correction..."
    )
    quantity: Decimal = Field(description="As the stock saw it: + in, - out")
    value_vnd: Decimal
    duty_vnd: Decimal
    declaration_number: str | None
    line_no: int | None
    procedure_code: str
    at: datetime


class BalanceOut(BaseModel):
    tax_code: str
    regime: str
    item_code: str
    item_unit: str
    quantity_in: Decimal
    quantity_out: Decimal
    held: Decimal = Field(description="in - out, never negative")


class PeriodLineOut(BaseModel):
    regime: str
    item_code: str
    item_unit: str
    opening: Decimal
    by_kind: dict[str, Decimal] = Field(description="The period's movements by entry kind, signed")
    closing: Decimal


class DeadlineOut(BaseModel):
    id: str
    tax_code: str
    unit: str
    regime: str
    kind: str = Field(description="reexport | storage | contract")
    declaration_number: str
    line_no: int
    procedure_code: str
    item_code: str
    item_unit: str
    quantity: Decimal
    quantity_left: Decimal
    duty_at_stake: Decimal
    duty_booked: Decimal = Field(description="Assessed in payments when the deadline passed with goods left")
    starts_on: date
    due_on: date
    state: str = Field(description="open | due_soon | overdue | discharged")
    discharged_at: datetime | None


class DiscrepancyOut(BaseModel):
    id: str
    unit: str
    tax_code: str
    regime: str
    kind: str
    item_code: str
    item_unit: str
    quantity: Decimal
    duty_at_stake: Decimal
    declaration_number: str | None
    location: str | None
    status: str
    raised_at: datetime


class RegimeAlertOut(BaseModel):
    id: int
    unit: str
    tax_code: str
    kind: str = Field(description="deadline_near | deadline_passed | discrepancy")
    declaration_number: str | None
    message_vi: str
    message_en: str
    status: str
    raised_at: datetime


class EpeIn(In):
    status: Literal["active", "suspended", "revoked"]
    unit: str = Field(min_length=2, max_length=16, description="The customs unit that manages the EPE")
    zone: str = Field("", max_length=200, description="The export-processing or industrial zone")
    since: date | None = None


class EpeOut(BaseModel):
    tax_code: str
    enterprise_id: str | None
    unit: str
    zone: str
    status: str
    since: date


class GuaranteeReserveIn(In):
    bank: str = Field(max_length=12, description="The bank's code")
    guarantee_no: str = Field(min_length=1, max_length=64)
    declaration_number: str = Field(min_length=12, max_length=12)
    amount: Decimal = Field(gt=0, max_digits=18, decimal_places=0)
    valid_until: date


class GuaranteeReserveOut(BaseModel):
    id: str
    bank: str
    guarantee_no: str
    declaration_number: str
    amount: Decimal
    valid_until: date
    status: str = Field(description="reserved | released | called")
