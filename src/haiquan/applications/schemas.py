"""Request and response models of the applications' API (requests forbid unknown fields)."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from haiquan.applications.documents import ALLOWED, MAX_BYTES
from haiquan.applications.domain import Kind, Outcome, RefundMode, Status
from haiquan.kit.domain_errors import ValidationFailed
from haiquan.kit.money import Dec
from haiquan.reference import validators

Whole = Annotated[Dec, Field(gt=0, max_digits=18, decimal_places=0, description="Whole dong")]
HS8 = Annotated[str, Field(max_length=12), AfterValidator(validators.hs_code)]
Country = Annotated[str, Field(max_length=3), AfterValidator(validators.country)]
ReasonCode = Literal["over_payment", "re_export", "re_import", "not_imported", "processing_export", "other"]


class In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class FilingIn(In):
    kind: Kind
    office: str | None = Field(
        default=None, max_length=16, description="The office addressed; default: the declaration's office"
    )
    subject: str = Field(min_length=3, max_length=300)
    details: str = Field(
        default="", max_length=4000, description="Grounds, facts, the method of a value ruling"
    )
    reason_code: ReasonCode = Field(default="other", description="A refund's or exemption's ground")
    refund_mode: RefundMode | None = Field(
        default=None,
        description="A refund: refund_then_check (6 working days) or check_then_refund (40 days)",
    )
    declaration_number: str | None = Field(default=None, pattern=r"^\d{12}$")
    amount: Whole | None = Field(default=None, description="Refunds, exemptions, extensions: VND asked for")
    requested_due_date: date | None = Field(default=None, description="An extension: the due date asked for")
    goods_code: str = Field(default="", max_length=40, pattern=r"^[A-Za-z0-9._/-]*$",
                            description="A ruling: the trader's product reference its declaration lines name")  # fmt: skip
    goods_description: str = Field(default="", max_length=2000)
    hs_code: HS8 | None = Field(default=None, description="A classification ruling: the code proposed")
    origin_country: Country | None = Field(default=None, description="An origin ruling: the origin asked for")


class DocumentIn(In):
    filename: str = Field(min_length=1, max_length=120, description="e.g. hoa-don.pdf (no path)")
    content_type: str = Field(max_length=60, description=f"one of {', '.join(ALLOWED)}")
    data: str = Field(
        min_length=4, max_length=(MAX_BYTES + 2) // 3 * 4 + 8, description="The file, base64 (10 MiB at most)"
    )

    def decoded(self) -> bytes:
        try:
            return base64.b64decode(self.data, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValidationFailed("data is not base64", field="data") from exc


class NoteIn(In):
    note: str = Field(default="", max_length=4000)


class InfoRequestIn(In):
    request: str = Field(min_length=5, max_length=4000, description="What the trader must provide")


class DecisionIn(In):
    outcome: Outcome
    reasons: str = Field(min_length=1, max_length=4000, description="The decision's reasons (stated always)")
    amount: Whole | None = Field(default=None, description="The amount granted (default: as asked)")
    hs_code: str = Field(default="", max_length=8, description="A classification ruling: the code decided")
    valid_to: date | None = Field(default=None, description="A ruling: valid until (at most 3 years)")
    new_due_date: date | None = Field(default=None, description="An extension: the new due date")


class RefundPaymentIn(In):
    amount: Whole | None = Field(default=None, description="Default: what remains to pay back")


class DocumentOut(BaseModel):
    id: str
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_at: datetime
    uploaded_by: str


class ApplicationOut(BaseModel):
    id: str
    kind: Kind
    status: Status
    office: str
    tax_code: str
    subject: str
    details: str
    reason_code: str
    refund_mode: str | None
    declaration_number: str | None
    amount_requested: Decimal | None
    requested_due_date: date | None
    goods_code: str
    goods_description: str
    hs_code: str
    origin_country: str
    filed_at: datetime
    deadline: datetime
    deadline_source: str
    overdue: bool
    info_request: str
    decided_at: datetime | None
    decided_by: str
    reasons: str
    amount_granted: Decimal | None
    decided_hs_code: str
    valid_from: date | None
    valid_to: date | None
    new_due_date: date | None
    amount_paid_back: Decimal
    on_time: bool | None = Field(description="Decided within the legal deadline (None while open)")


class HistoryOut(BaseModel):
    at: datetime
    actor: str
    status_from: str | None
    status_to: str
    detail: dict[str, object]


class ApplicationDetailOut(ApplicationOut):
    history: list[HistoryOut]
    documents: list[DocumentOut]


class RulingOut(BaseModel):
    id: str = Field(description="The application that issued it")
    kind: Kind
    holder_tax_code: str
    goods_code: str
    goods_description: str
    hs_code: str
    origin_country: str
    value_note: str
    office: str
    valid_from: date
    valid_to: date


class ExtensionOut(BaseModel):
    application_id: str
    declaration_number: str
    tax_code: str
    office: str
    amount: Decimal
    new_due_date: date
    granted_at: datetime


class DeadlineOut(BaseModel):
    kind: Kind
    refund_mode: RefundMode | None
    amount: int
    unit: str = Field(description="days | working_days")
    source: str


StatusFilter = Literal[
    "filed", "under_review", "info_requested", "approved", "partly_approved", "refused", "withdrawn"
]
