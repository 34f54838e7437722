"""Request and response models of the agencies' API (requests forbid unknown fields)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from haiquan.agencies.domain import Outcome, Status


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AgencyOut(BaseModel):
    code: str
    name_vi: str
    name_en: str
    field: str
    deadline_hours: float = Field(description="Working hours from the request to the decision")


class RequirementOut(BaseModel):
    id: str
    agency: str
    requirement: str = Field(description="permit | inspection")
    hs_prefix: str
    title_vi: str
    title_en: str
    legal_source: str


class PermitOut(BaseModel):
    id: str
    number: str = Field(description="The declaration")
    line_no: int
    hs_code: str
    origin_country: str
    office: str
    agency: str
    agency_name_vi: str
    requirement: str = Field(description="permit | inspection")
    requirement_id: str
    title_vi: str
    title_en: str
    status: Status
    requested_at: datetime
    deadline: datetime
    overdue: bool
    reference_no: str
    decided_at: datetime | None
    decided_by: str
    reason: str
    conditions: str
    lab_reference: str
    case_number: str | None = Field(description="The enforcement case a refusal opened")


class HistoryOut(BaseModel):
    at: datetime
    actor: str
    status_from: str | None
    status_to: str
    detail: dict[str, object]


class PermitDetailOut(PermitOut):
    history: list[HistoryOut]


class DecisionIn(In):
    outcome: Outcome
    reason: str = Field(default="", max_length=2000, description="Required for a refusal")
    conditions: str = Field(default="", max_length=2000, description="Required for a conditional approval")
    lab_reference: str = Field(
        default="", max_length=80, description="The laboratory result's reference: required for an inspection"
    )


class InspectionIn(In):
    note: str = Field(default="", max_length=2000, description="Samples taken, place, inspector")


class ReferenceIn(In):
    reference_no: str = Field(min_length=1, max_length=60, description="The permit number the agency issued")


StatusFilter = Literal["requested", "under_inspection", "approved", "conditional", "refused"]
