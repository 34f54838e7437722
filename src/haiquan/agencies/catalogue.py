"""The agencies module's events: requirements loaded, permits and inspections requested, referenced,
started, decided, and fallen overdue. Past tense; producers and consumers import these members
(kit/catalogue.py)."""

from __future__ import annotations

from enum import StrEnum

from typing_extensions import TypedDict


class AgencyEvent(StrEnum):
    REQUIREMENTS_LOADED = "agencies.requirements_loaded"
    PERMIT_REQUESTED = "agencies.permit_requested"
    PERMIT_REFERENCED = "agencies.permit_referenced"
    INSPECTION_STARTED = "agencies.inspection_started"
    PERMIT_DECIDED = "agencies.permit_decided"
    PERMIT_OVERDUE = "agencies.permit_deadline_passed"


class RequirementsLoaded(TypedDict):
    """The requirements table replaced from a file: how many rows, and the legal source(s) it names."""

    total: int
    sources: list[str]


class PermitFacts(TypedDict):
    """What every permit event carries: the permit, the declaration line it belongs to, the agency, the
    declarant (notifications), the status before and after, and the deadline."""

    permit_id: str
    number: str
    line_no: int
    hs_code: str
    origin_country: str
    office: str
    agency: str
    requirement: str
    requirement_id: str
    declarant_id: str
    status: str
    previous_status: str | None
    requested_at: str
    deadline: str


class PermitRequested(PermitFacts):
    """A declaration line needs the agency's permit or inspection: requested at registration."""


class PermitReferenced(PermitFacts):
    """The declarant named a permit the agency already issued (`reference_no`); the agency confirms it."""

    reference_no: str


class InspectionStarted(PermitFacts):
    """The agency took samples or began the inspection."""

    note: str


class PermitDecided(PermitFacts):
    """The agency decided: approved, conditional (with conditions) or refused; an inspection's laboratory
    reference; how many hours after the request."""

    outcome: str
    reason: str
    conditions: str
    lab_reference: str
    hours_taken: float


class PermitOverdue(PermitFacts):
    """The agency's deadline passed with the permit still undecided."""

    hours_late: float


PAYLOADS: dict[AgencyEvent, type] = {
    AgencyEvent.REQUIREMENTS_LOADED: RequirementsLoaded,
    AgencyEvent.PERMIT_REQUESTED: PermitRequested,
    AgencyEvent.PERMIT_REFERENCED: PermitReferenced,
    AgencyEvent.INSPECTION_STARTED: InspectionStarted,
    AgencyEvent.PERMIT_DECIDED: PermitDecided,
    AgencyEvent.PERMIT_OVERDUE: PermitOverdue,
}
# the changes a declarant is told about (notifications and webhook)
NOTIFIED = frozenset(
    {
        AgencyEvent.PERMIT_REQUESTED,
        AgencyEvent.PERMIT_REFERENCED,
        AgencyEvent.INSPECTION_STARTED,
        AgencyEvent.PERMIT_DECIDED,
        AgencyEvent.PERMIT_OVERDUE,
    }
)
