"""The audit API's bodies and answers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from haiquan.kit.money import Dec

Theme = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Finding = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
DocumentRef = Annotated[str, StringConstraints(min_length=1, max_length=300)]

Source = Literal["score", "watchlist", "query", "finalisation"]
Outcome = Literal["no_fraud", "fraud", "critical"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SelectionIn(Strict):
    source: Source
    min_score: float = Field(0.5, ge=0, le=2, description="With source=score: the lowest score selected")
    declarant: str | None = Field(None, pattern=r"^[0-9]{10}(-?[0-9]{3})?$")
    hs_prefix: str | None = Field(None, pattern=r"^[0-9]{2,8}$")
    channel: Literal["green", "blue", "yellow", "red"] | None = None


class CandidateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    number: str
    unit: str
    declarant_tax_code: str
    source: str
    reason: str
    score: float | None
    status: str
    queued_at: datetime
    case_id: str | None


class PlanIn(Strict):
    unit: str = Field(min_length=2, max_length=16)
    period: str = Field(pattern=r"^20[0-9]{2}(-Q[1-4]|-H[12])?$", description="2027, 2027-H1 or 2027-Q1")
    title: str = Field(min_length=3, max_length=300)
    planned_cases: int = Field(ge=1, le=100000)
    themes: list[Theme] = Field(default_factory=list, max_length=20)


class PlanOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    unit: str
    period: str
    title: str
    planned_cases: int
    themes: list[str]
    adopted_at: datetime
    adopted_by: str


class CaseIn(Strict):
    number: str | None = Field(None, min_length=3, max_length=12)
    candidate_id: str | None = Field(None, max_length=32)
    kind: Literal["desk", "on_site"] = "desk"
    scope: str = Field(min_length=3, max_length=2000, description="What is audited: valuation, origin, ...")
    plan_id: str | None = Field(None, max_length=32)


class FindingsIn(Strict):
    outcome: Outcome
    additional_duty: Decimal = Field(Decimal(0), ge=0, description="Duty short-paid, VND")
    findings: list[Finding] = Field(min_length=1, max_length=50)
    documents: list[DocumentRef] = Field(default_factory=list, max_length=100)


class CaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    number: str
    unit: str
    declarant_tax_code: str
    kind: str
    scope: str
    status: str
    officer: str | None
    plan_id: str | None
    candidate_id: str | None
    opened_at: datetime
    outcome: str | None
    findings: list[str]
    documents: list[str]
    additional_duty: Dec
    late_interest: Dec
    penalty: Dec
    penalty_basis: str
    amendment_no: int | None
    closed_at: datetime | None
