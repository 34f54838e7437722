"""Request and response models of the bank gateway."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from haiquan.kit.money import Dec
from haiquan.reference import validators


class PaymentIn(BaseModel):
    """A bank's confirmation that a payer's money reached the State Treasury account for customs."""

    model_config = ConfigDict(extra="forbid")
    bank: str = Field(min_length=2, max_length=12, examples=["VCB"])
    transaction_id: str = Field(min_length=1, max_length=64, examples=["FT26001234567"])
    references: list[Annotated[str, StringConstraints(max_length=40)]] = Field(
        min_length=1, max_length=50, examples=[["100000000013001"]]
    )
    amount: Decimal = Field(gt=0, max_digits=18, decimal_places=0, examples=["22810000"])
    payer_tax_code: str = Field(max_length=20, examples=["0101248141"])
    paid_at: validators.Instant = Field(description="With its UTC offset, e.g. 2026-03-02T02:00:00+07:00")

    @field_validator("payer_tax_code")
    @classmethod
    def _tax(cls, v: str) -> str:
        return validators.tax_code(v)


class Share(BaseModel):
    reference: str
    declaration_number: str
    amount: Dec


class PaymentOut(BaseModel):
    id: str
    bank: str
    transaction_id: str
    amount: Dec
    allocated: Dec
    excess: Dec
    status: str
    paid_at: datetime
    shares: list[Share]


class ReversalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    bank: str = Field(min_length=2, max_length=12)
    transaction_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=3, max_length=300)


class GuaranteeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    bank: str = Field(min_length=2, max_length=12)
    guarantee_no: str = Field(min_length=1, max_length=64)
    declaration_number: str = Field(pattern=r"^\d{12}$")
    amount: Decimal = Field(gt=0, max_digits=18, decimal_places=0)
    valid_until: date


class GuaranteeOut(BaseModel):
    id: str
    bank: str
    guarantee_no: str
    declaration_number: str
    amount: Dec
    valid_until: date
    status: str


class ReferenceOut(BaseModel):
    reference: str
    declaration_number: str
    amendment_no: int
    office: str
    payer_tax_code: str
    amount_due: Dec
    amount_paid: Dec
    status: str


class PaymentBatchIn(BaseModel):
    """Up to 500 confirmations in one call; each is checked and answered on its own."""

    model_config = ConfigDict(extra="forbid")
    items: list[dict[str, Any]] = Field(
        min_length=1, max_length=500, json_schema_extra={"items": {"$ref": "#/components/schemas/PaymentIn"}}
    )


class ItemProblem(BaseModel):
    status: int
    code: str
    detail: str
    field: str | None = None


class PaymentBatchItem(BaseModel):
    index: int
    status: int  # 201 booked, 200 repeat of the first booking, 403 / 409 / 422 refused
    payment: PaymentOut | None = None
    problem: ItemProblem | None = None


class PaymentBatchOut(BaseModel):
    booked: int
    repeated: int
    refused: int
    results: list[PaymentBatchItem]


class BankIn(BaseModel):
    """A bank to connect to the gateway (administrators)."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=2, max_length=12, examples=["VCB"], description="Capital letters and digits")
    name: str = Field(min_length=1, max_length=200, examples=["Ngân hàng TMCP Ngoại thương Việt Nam"])
    tax_code: str = Field(min_length=10, max_length=14, examples=["0100112437"])
    round_the_clock: bool = Field(True, description="The bank confirms payments 24/7, nights and holidays")
    certificate_pem: str | None = Field(
        None, max_length=20_000, description="PEM X.509 certificate verifying its signed XML confirmations"
    )


class BankOut(BaseModel):
    code: str
    name: str
    tax_code: str
    round_the_clock: bool
    xml: bool = Field(description="A certificate is registered: signed XML confirmations are accepted")
    active: bool


class BankAddedOut(BaseModel):
    bank: BankOut
    api_key: str | None = Field(
        description="The bank's API key, shown once (null when an Idempotency-Key replay answers)"
    )


class BankStateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=3, max_length=300, examples=["contract ended"])


class BankCertificateIn(BaseModel):
    """The certificate customs registers for a bank: it names the bank's tax code, and has not expired."""

    model_config = ConfigDict(extra="forbid")
    certificate_pem: str = Field(min_length=100, max_length=20_000, description="PEM X.509 certificate")


class BankCertificateOut(BaseModel):
    code: str
    tax_code: str
    registered: bool = Field(description="A certificate is registered")
    not_before: datetime | None = Field(description="Its validity (X.509 notBefore)")
    not_after: datetime | None = Field(description="Its end (X.509 notAfter)")
    revoked_at: datetime | None = Field(description="When customs revoked it; null: in force")
