"""Request and response models of the tax accounts' API (requests forbid unknown fields). Amounts are
whole dong as decimal strings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from haiquan.kit.money import Dec


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StageOut(BaseModel):
    stage: str = Field(
        description="none | reminder | public_notice | account_freeze | invoice_stop | asset_seizure"
    )
    title_vi: str
    title_en: str
    source: str
    blocks_customs: bool = Field(
        description="Whether registration of the enterprise's declarations is refused"
    )


class DebtOut(BaseModel):
    key: str = Field(description="The declaration's number, or the penalty's / fee's number")
    regime: str
    title: str
    incurred: date
    due_date: date
    amount: Dec
    days_overdue: int
    bucket: str


class AgingOut(BaseModel):
    not_due: Dec
    d1_30: Dec
    d31_60: Dec
    d61_90: Dec
    over_90: Dec


class AccountOut(BaseModel):
    tax_code: str
    on: date
    outstanding: Dec
    overdue: Dec
    late_interest: Dec = Field(description="Accrued at the legal daily rate, whole dong (docs/taxes.md)")
    oldest_due: date | None
    blocking: Dec = Field(description="Owed more than 90 days past its due date: refuses registration")
    blocking_since: date | None
    aging: AgingOut
    stage: StageOut
    debts: list[DebtOut]


class InterestOut(BaseModel):
    tax_code: str
    on: date
    late_interest: Dec = Field(description="Accrued through `on` on every debt paid late or still unpaid")
    rate_per_day: Decimal = Field(description="The legal daily rate applied, e.g. 0.0003 (0.03 %)")


class PositionOut(BaseModel):
    tax_code: str
    outstanding: Dec
    overdue: Dec
    interest: Dec
    aging: AgingOut
    oldest_due: date | None
    stage: str
    computed_on: date


class PenaltyIn(In):
    enterprise_id: str = Field(min_length=1, max_length=32)
    declaration_number: str | None = Field(default=None, pattern=r"^\d{12}$")
    violation: str = Field(min_length=3, max_length=500)
    legal_basis: str = Field(min_length=3, max_length=300, examples=["Nghị định 128/2020/NĐ-CP Điều 8(1)(a)"])
    amount: Decimal = Field(gt=0, max_digits=13, decimal_places=0)


class FeeIn(In):
    enterprise_id: str = Field(min_length=1, max_length=32)
    fee: str = Field(min_length=1, max_length=40, examples=["customs_procedure"])
    quantity: int = Field(default=1, ge=1, le=10_000)
    declaration_number: str | None = Field(default=None, pattern=r"^\d{12}$")


class ChargeOut(BaseModel):
    number: str
    kind: str = Field(description="penalty | interest | fee")
    tax_code: str
    office: str
    declaration_number: str | None
    code: str
    title: str
    legal_basis: str
    amount: Dec
    reference: str = Field(description="The payment reference the bank gateway is paid with")
    due_date: date
    decided_by: str
    decided_at: datetime


class FeeOut(BaseModel):
    code: str
    per: str
    amount: Dec
    title_vi: str
    title_en: str
    source: str


class ReceiptOut(BaseModel):
    number: str
    payer_tax_code: str
    payer_name: str
    amount: Dec
    reference: str
    paid_for: str
    bank: str
    transaction_id: str
    paid_at: datetime
    sha256: str = Field(description="SHA-256 of the receipt's content (docs/taxes.md)")
