"""Origin request and response models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ASEAN = ("BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN")
Country = Literal["BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CountryKeyIn(Strict):
    country: Country = Field(description="ASEAN member whose e-Form D this certificate verifies")
    key_name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._\-]+$",
                          description="The signatures' ds:KeyName")  # fmt: skip
    certificate_pem: str = Field(
        min_length=1, max_length=20_000, description="X.509, RSA of 2048 bits or more"
    )
    endpoint: str | None = Field(None, max_length=500, description="Where our outgoing e-Form D are sent")


class CountryKeyOut(BaseModel):
    country: str
    key_name: str
    fingerprint: str
    endpoint: str | None
    created_at: datetime
    not_before: datetime
    not_after: datetime
    revoked_at: datetime | None


class RevokeIn(Strict):
    reason: str = Field(min_length=1, max_length=500)


class ReceivedOut(BaseModel):
    received: int
    certificates: list[str]
    claims_decided: int = Field(description="Pending claims on these certificates decided now")


class ItemOut(BaseModel):
    item_no: int
    hs_code: str
    criterion: str
    description: str
    quantity: str
    unit: str
    is_gross_weight: bool
    fob_value: str
    currency: str
    invoice_no: str
    invoice_date: str


class CertificateOut(BaseModel):
    number: str
    direction: str
    issuing_country: str
    importing_country: str
    issue_date: date
    exporter_name: str
    consignee_name: str
    consignee_tax_id: str | None
    items: list[ItemOut]
    flags: dict[str, Any]
    status: str
    declaration_number: str | None
    delivery: str | None
    received_at: datetime


class MismatchOut(BaseModel):
    field: str
    declared: str
    certificate: str


class ClaimOut(BaseModel):
    line_no: int
    certificate_no: str
    status: str = Field(description="matched | mismatch | pending | expired")
    pending_until: date | None
    explanation: str = Field(description="Neutral for traders; the mismatching fields for officers")
    mismatches: list[MismatchOut] = Field(description="Officers only (empty for traders)")


class VerificationIn(Strict):
    reason: str = Field(min_length=1, max_length=1000)


class VerificationAnswerIn(Strict):
    result: Literal["confirmed", "not_confirmed"]
    note: str = Field("", max_length=2000)


class VerificationOut(BaseModel):
    id: str
    certificate_no: str
    country: str
    reason: str
    requested_at: datetime
    result: str | None
    note: str
    answered_at: datetime | None


class OutgoingItemIn(Strict):
    line_no: int = Field(ge=1, le=999)
    criterion: Literal["WO", "PE", "RVC", "CTH", "CTSH", "CC", "PSR", "ACU", "PC", "DMI"]
    marks: str = Field("N/M", min_length=1, max_length=300)


class OutgoingIn(Strict):
    declaration_number: str = Field(pattern=r"^[0-9]{12}$")
    certificate_no: str = Field(pattern=r"^VN[A-Z0-9/\-]{2,38}$")
    importing_country: Country
    items: list[OutgoingItemIn] = Field(min_length=1, max_length=99)
