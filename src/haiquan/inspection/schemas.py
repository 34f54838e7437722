"""Request and response models of inspection (requests forbid unknown fields). The scanner result's image
fields are checked by the service (inspection.scanning), so that each refusal names its field."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from haiquan.inspection.domain import InspectionLocationKind
from haiquan.inspection.scanning import ScanVerdict
from haiquan.kit.errors import ValidationFailed
from haiquan.kit.money import Dec
from haiquan.reference import validators

ContainerNo = Annotated[str, StringConstraints(max_length=20), AfterValidator(validators.container_number)]


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LocationConditions(In):
    area_m2: Decimal = Field(gt=0, max_digits=12, decimal_places=2, description="Area in square metres")
    scanners: int = Field(ge=0, le=1000, description="Scanners (X-ray) installed")
    cameras: int = Field(ge=0, le=10000, description="Surveillance cameras connected to customs")
    address: str = Field(min_length=5, max_length=500)


class LocationApplicationIn(LocationConditions):
    kind: InspectionLocationKind
    name: str = Field(min_length=3, max_length=200)
    unit: str = Field(min_length=2, max_length=16, description="The customs unit that will supervise it")


class LocationCheckIn(In):
    passed: bool = Field(description="true: the conditions hold on site; false: returned to the operator")
    note: str = Field(default="", max_length=2000)


class ApprovalDecisionIn(In):
    decision: Literal["approve", "refuse"]
    note: str = Field(default="", max_length=2000)


class WithdrawalIn(In):
    note: str = Field(default="", max_length=2000)


class LocationHistoryOut(BaseModel):
    command: str
    from_status: str | None
    to_status: str
    actor: str
    note: str
    at: datetime


class LocationOut(BaseModel):
    id: str
    code: str | None
    kind: str
    name: str
    address: str
    unit: str
    department: str
    operator_tax_code: str
    area_m2: Dec
    scanners: int
    cameras: int
    status: str
    applied_at: datetime
    approved_at: datetime | None
    approved_by: str | None
    approved_as: str | None
    history: list[LocationHistoryOut] = []


class DelegationIn(In):
    delegate: str = Field(min_length=1, max_length=60, description="The officer's username")
    valid_from: validators.Instant
    valid_until: validators.Instant
    reason: str = Field(default="", max_length=1000)


class DelegationOut(BaseModel):
    id: str
    department: str
    delegator: str
    delegate: str
    valid_from: datetime
    valid_until: datetime
    reason: str
    created_at: datetime
    revoked_at: datetime | None
    revoked_by: str | None


class ScannerIn(In):
    serial: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9._\-]+$")
    model: str = Field(default="", max_length=120)


class ScannerOut(BaseModel):
    id: str
    location_id: str
    serial: str
    model: str
    key_id: str
    registered_at: datetime
    revoked_at: datetime | None
    device_key: str | None = Field(default=None, description="Shown once, when the scanner is registered")


class ScanImageIn(In):
    reference: str = Field(
        min_length=1,
        max_length=2000,
        description="An https URL, a key in customs' image store, or dicos:<UID>",
    )
    sha256: str = Field(max_length=128, description="SHA-256 of the image, 64 hexadecimal digits")
    size_bytes: int = Field(ge=1, le=64 * 1024 * 1024)
    content_type: str = Field(max_length=40, description="image/jpeg, image/png or application/dicos")


class ScanIn(In):
    location_code: str = Field(
        min_length=12, max_length=12, description="The approved location, e.g. 01-KCPN-0001"
    )
    scanner_serial: str | None = Field(
        default=None,
        max_length=60,
        description="Needed with an enterprise API key; a device key names its scanner",
    )
    declaration_number: str | None = Field(default=None, pattern=r"^\d{12}$", description="A declaration, or")

    house_bill: str | None = Field(
        default=None,
        min_length=1,
        max_length=60,
        pattern=r"^[A-Za-z0-9\-]+$",
        description="a parcel's house air waybill (exactly one)",
    )
    container: ContainerNo | None = None
    image: ScanImageIn
    verdict: ScanVerdict
    note: str = Field(default="", max_length=2000, description="What was seen; required when suspicious")
    scanned_at: validators.Instant


class ScanOut(BaseModel):
    id: str
    location_code: str
    scanner_serial: str
    declaration_number: str | None
    house_bill: str | None
    container: str | None
    image_reference: str
    reference_kind: str
    sha256: str
    size_bytes: int
    content_type: str
    verdict: str
    note: str
    effect: str
    scanned_at: datetime
    recorded_at: datetime


MAX_UPLOAD = 16 * 1024 * 1024


class ImageUploadIn(In):
    content_type: Literal["image/jpeg", "image/png", "application/dicos"]
    data: str = Field(
        min_length=4, max_length=(MAX_UPLOAD + 2) // 3 * 4, description="The image, base64 (16 MiB at most)"
    )

    def decoded(self) -> bytes:
        try:
            return base64.b64decode(self.data, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValidationFailed("data is not base64", field="data") from exc


class StoredImageOut(BaseModel):
    reference: str = Field(description="The storage key to give as image.reference")
    sha256: str
    size_bytes: int
    content_type: str
