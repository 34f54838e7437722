"""Declaration API models (names after the WCO Data Model where one exists)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from haiquan.declarations.domain import Category, Channel, DecisionKind, Kind
from haiquan.kit.bounds import INT32_MAX
from haiquan.kit.money import Dec
from haiquan.reference import procedures, validators
from haiquan.reference.domain import PREFERENCE_SCHEMES
from haiquan.tariff.domain import INCOTERMS

Amount = Annotated[Dec, Field(ge=0, max_digits=18, decimal_places=4)]
ContainerNo = Annotated[str, StringConstraints(max_length=20), AfterValidator(validators.container_number)]
Positive = Annotated[Dec, Field(gt=0, max_digits=18, decimal_places=4)]
# Lines in one declaration (or one AMA amendment): VNACCS takes 50 a declaration; far more are accepted
# (a consolidated shipment), with a bound so that reading one for registration stays linear and short.
MAX_LINES = 10_000


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Party(Strict):
    tax_code: str | None = Field(
        None, max_length=20, description="Vietnamese tax code (mã số thuế); required for the VN party"
    )
    name: str = Field("", max_length=300, description="Filled from the register when the tax code is known")
    country: str = Field("VN", max_length=3, description="ISO 3166-1 alpha-2")

    @field_validator("tax_code")
    @classmethod
    def _tax(cls, v: str | None) -> str | None:
        return None if v is None else validators.tax_code(v)

    @field_validator("country")
    @classmethod
    def _country(cls, v: str) -> str:
        return validators.country(v)


class Preference(Strict):
    scheme: str = Field(
        max_length=10,
        description=f"Preferential scheme: {', '.join(PREFERENCE_SCHEMES)} (ATIGA: Form D, ACFTA: Form E...)",
    )
    certificate: str | None = Field(
        None,
        min_length=1,
        max_length=40,
        description="Certificate (or statement) of origin number; without it the MFN rate applies",
    )
    criterion: str | None = Field(
        None,
        pattern=r"^(WO|PE|RVC|CTH|CTSH|CC|PSR|ACU|PC|DMI)$",
        description="Origin criterion the certificate states (ATIGA Form D box 8: WO, PE, RVC, CTH, CTSH, ...); "
        "when given, the e-Form D's must be the same",
    )

    @field_validator("scheme")
    @classmethod
    def _scheme(cls, v: str) -> str:
        v = v.upper()
        if v not in PREFERENCE_SCHEMES:
            raise ValueError(f"{v!r} is not a preference scheme ({', '.join(PREFERENCE_SCHEMES)})")
        return v


class LineIn(Strict):
    hs_code: str = Field(max_length=12, description="8-digit national tariff line")
    description: str = Field(min_length=1, max_length=500)
    origin_country: str = Field(max_length=3, description="ISO 3166-1 alpha-2 country of origin")
    quantity: Positive
    quantity_unit: str = Field(min_length=1, max_length=10, description="e.g. PCE, KGM, LTR, SET")
    net_mass_kg: Amount
    value: Positive = Field(description="Invoice value of the line in the invoice currency")
    preference: Preference | None = None
    goods_code: str | None = Field(
        default=None, max_length=40, pattern=r"^[A-Za-z0-9._/-]+$",
        description="The trader's product reference: a classification ruling it holds for this code binds "
        "the line's HS code (applications)",
    )  # fmt: skip

    @field_validator("hs_code")
    @classmethod
    def _hs(cls, v: str) -> str:
        return validators.hs_code(v)

    @field_validator("origin_country")
    @classmethod
    def _origin(cls, v: str) -> str:
        return validators.country(v)


class Invoice(Strict):
    currency: str = Field(max_length=3, description="ISO 4217")
    amount: Positive
    incoterm: str = Field(max_length=3, description="Incoterms 2020, e.g. FOB, CIF")
    freight: Amount = Decimal(0)
    insurance: Amount = Decimal(0)

    @field_validator("currency")
    @classmethod
    def _cur(cls, v: str) -> str:
        return validators.currency(v)

    @field_validator("incoterm")
    @classmethod
    def _inc(cls, v: str) -> str:
        v = v.upper()
        if v not in INCOTERMS:
            raise ValueError(f"{v!r} is not an Incoterms 2020 rule ({', '.join(sorted(INCOTERMS))})")
        return v


class DeclarationIn(Strict):
    kind: Kind
    category: Category = Category.COMMERCIAL
    procedure_code: str = Field(
        None,  # filled by _procedure: A11 for an import, B11 for an export
        max_length=3,
        validate_default=True,
        description="Mã loại hình (VNACCS procedure code) of the declaration's kind, e.g. A11, B11, E31 "
        "(GET /api/v1/reference/procedure-codes); omitted: A11 for an import, B11 for an export",
    )
    office: str = Field(min_length=2, max_length=16, description="Customs office code, e.g. 01AB")
    importer: Party | None = None
    exporter: Party | None = None
    transport_mode: str = Field(pattern=r"^(sea|air|road|rail|post|inland_waterway|pipeline|multimodal)$")
    transport_document: str | None = Field(None, max_length=60, description="Bill of lading or air waybill")
    containers: list[ContainerNo] = Field(default_factory=list, max_length=500)
    package_count: int = Field(0, ge=0, le=INT32_MAX)
    gross_mass_kg: Amount = Decimal(0)
    invoice: Invoice
    lines: list[LineIn] = Field(
        min_length=1,
        max_length=MAX_LINES,
        description=f"1 to {MAX_LINES:,} lines (VNACCS's 50-line cap does not apply)",
    )

    @field_validator("procedure_code", mode="before")
    @classmethod
    def _procedure(cls, v: object, info: ValidationInfo) -> str:
        if v is not None and not isinstance(v, str):
            raise ValueError("a procedure code is a string such as A11")
        kind = info.data.get("kind")
        return procedures.check_procedure_code(v, None if kind is None else str(kind))

    @model_validator(mode="after")
    def _parties(self) -> DeclarationIn:
        if self.kind is Kind.IMPORT and (self.importer is None or not self.importer.tax_code):
            raise ValueError("importer.tax_code is required on an import declaration")
        if self.kind is Kind.EXPORT and (self.exporter is None or not self.exporter.tax_code):
            raise ValueError("exporter.tax_code is required on an export declaration")
        return self


class AmendmentIn(Strict):
    """AMA: lines replaced after registration, with the reason (supplementary tax declaration)."""

    reason: str = Field(min_length=3, max_length=1000)
    lines: list[LineIn] = Field(min_length=1, max_length=MAX_LINES)
    invoice: Invoice | None = None


class CancelIn(Strict):
    reason: str = Field(min_length=3, max_length=1000)


class DecisionIn(Strict):
    kind: DecisionKind
    reason: str = Field(min_length=3, max_length=2000)
    fraud_found: bool | None = Field(
        None,
        validate_default=True,
        description="Inspection result: was fraud (a discrepancy) found? With inspection_result only",
    )
    findings: str = Field(
        "",
        max_length=5000,
        validate_default=True,
        description="What the physical inspection found; required with inspection_result",
    )
    full_inspection: bool = False

    @field_validator("fraud_found", mode="after")
    @classmethod
    def _fraud(cls, v: bool | None, info: ValidationInfo) -> bool | None:
        inspection = info.data.get("kind") is DecisionKind.INSPECTION_RESULT
        if inspection and v is None:
            raise ValueError("fraud_found is required with an inspection result")
        if not inspection and v is not None:
            raise ValueError("fraud_found is recorded with an inspection_result only")
        return v

    @field_validator("findings", mode="after")
    @classmethod
    def _findings(cls, v: str, info: ValidationInfo) -> str:
        if info.data.get("kind") is DecisionKind.INSPECTION_RESULT and len(v) < 3:
            raise ValueError("findings (at least 3 characters) are required with an inspection result")
        return v


class InspectionOut(BaseModel):
    """The recorded physical inspection result (officers only)."""

    findings: str
    fraud_found: bool
    full_inspection: bool
    officer: str
    at: datetime
    reason: str


class LineOut(BaseModel):
    line_no: int
    hs_code: str
    tariff_description: str = Field("", description="The tariff line's Vietnamese name, filled from the code")
    description: str
    origin_country: str
    quantity: Dec
    quantity_unit: str
    net_mass_kg: Dec
    value: Dec
    preference_scheme: str | None
    applied_scheme: str | None
    preference_refused: str | None = Field(
        None,
        description="Why the claimed scheme was not applied and the MFN rate was: origin_not_member, "
        "no_preferential_rate or certificate_missing; null when it applied or none was claimed",
    )
    customs_value_vnd: Dec
    import_rate: Dec
    import_duty: Dec
    excise_rate: Dec
    excise: Dec
    vat_rate: Dec
    vat: Dec
    export_rate: Dec
    export_duty: Dec


class Duties(BaseModel):
    customs_value_vnd: Dec
    import_duty: Dec
    excise: Dec
    vat: Dec
    export_duty: Dec
    total: Dec
    exchange_rate: Dec
    settled: bool
    settlement: str | None


class HistoryOut(BaseModel):
    at: datetime
    actor: str
    action: str
    status_from: str | None
    status_to: str
    reason: str
    detail: dict[str, Any]


class PaperOut(BaseModel):
    """The mark of a declaration captured from paper by an officer (declarations.paper)."""

    paper_number: str = Field(description="The paper declaration's own number")
    reason: str = Field(description="system_outage, declarant_outage, paper_allowed or other")
    back_captured: bool = Field(description="Captured after an outage, from a paper lodged earlier")
    paper_lodged_at: datetime
    captured_by: str
    captured_at: datetime


class DeclarationOut(BaseModel):
    number: str
    code: str = Field(description="VNACCS step code: IDA/EDA/MIC/MEC")
    kind: Kind
    category: Category
    procedure_code: str
    office: str
    office_name: str = Field("", description="Filled from the unit register")
    status: str
    channel: Channel | None
    channel_reasons: list[dict[str, Any]] = Field(
        description="Why this lane. Officers: the risk engine's full explanation (profiles, value control, "
        "overrides, scores); traders: one neutral reason for the lane, e.g. 'selected for documentary check'"
    )
    declarant_tax_code: str
    importer: Party | None
    exporter: Party | None
    transport_mode: str
    transport_document: str | None
    containers: list[str]
    package_count: int
    gross_mass_kg: Dec
    invoice: Invoice
    duties: Duties
    lines: list[LineOut]
    amendment_no: int
    check_deadline: datetime | None
    lodged_at: datetime
    expires_at: datetime
    registered_at: datetime | None
    cleared_at: datetime | None
    inspection: InspectionOut | None = Field(
        None, description="The latest physical inspection result; shown to officers only"
    )
    paper: PaperOut | None = Field(
        None,
        description="Set when the declaration was captured from paper (its number, reason, back-capture, "
        "who captured it and when); shown to officers only",
    )


class DeclarationSummary(BaseModel):
    number: str
    kind: Kind
    category: Category
    office: str
    status: str
    channel: Channel | None
    declarant_tax_code: str
    total_duties: Dec
    lodged_at: datetime
    registered_at: datetime | None
    check_deadline: datetime | None
    seconds_left: int | None = None
    assigned_officer: str | None = None
    escalated_to: str | None = Field(None, description="The team lead an overdue check was escalated to")
    escalated_at: datetime | None = None
    agency_hold: bool = Field(False, description="A line waits for another agency's permit or inspection")


class Page(BaseModel):
    items: list[DeclarationSummary]
    next_cursor: str | None


# The fields of a declaration event a notification carries (declarations.notifications), in its `payload`
NOTIFIED = (
    "number",
    "status",
    "previous_status",
    "action",
    "channel",
    "total_duties",
    "duties_settled",
    "office",
)


class NotificationOut(BaseModel):
    """A status change of a declaration: an item of the pull feed (`GET /api/v1/notifications`) and the
    body POSTed to the declarant's webhook (declarations.notifications)."""

    seq: int = Field(description="Increasing per recipient: keep the last one seen")
    declaration_number: str
    status: str
    at: datetime
    payload: dict[str, Any] = Field(description="The declaration's " + ", ".join(NOTIFIED))


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None
