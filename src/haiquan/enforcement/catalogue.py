"""The enforcement module's events: cases opened, updated, moved along, linked; seizures and persons
recorded. No personal data in any payload (a person added is counted, not named). Past tense; producers and
consumers import these members (kit/catalogue.py)."""

from __future__ import annotations

from enum import StrEnum

from typing_extensions import TypedDict


class EnforcementEvent(StrEnum):
    CASE_OPENED = "enforcement.case_opened"
    CASE_UPDATED = "enforcement.case_updated"
    CASE_STATUS_CHANGED = "enforcement.case_status_changed"
    SEIZURE_RECORDED = "enforcement.seizure_recorded"
    CASE_LINKED = "enforcement.case_linked"
    PERSON_ADDED = "enforcement.person_added"


class CaseFacts(TypedDict):
    """What every enforcement event carries: the case, its unit, field, route and province (region)."""

    case_id: str
    number: str
    unit: str
    field: str
    route: str
    province: str
    region: str


class CaseOpened(CaseFacts):
    """A case opened on the day its facts were detected, with the agencies it is coordinated with."""

    detected_on: str
    coordinated_with: list[str]


class CaseUpdated(CaseFacts):
    """A case's summary, place, province or coordination changed (`fields` names which)."""

    fields: list[str]
    coordinated_with: list[str]


_Move = TypedDict("_Move", {"from": str, "to": str})  # keywords: the functional form


class CaseStatusChanged(CaseFacts, _Move):
    """A case moved from one status to another on `decided_on` (closing it names an `outcome`)."""

    decided_on: str
    outcome: str | None


class SeizureRecorded(CaseFacts):
    """One item seized: its category and kind (`substance` for drugs), quantity and count (decimal
    strings) and value in VND."""

    item_id: str
    seized_on: str
    category: str
    kind: str
    substance: str | None
    quantity: str | None
    unit_of_measure: str
    count: str | None
    count_unit: str | None
    value_vnd: str | None


class CaseLinked(CaseFacts):
    """A declaration, container, enterprise or consignee linked to the case."""

    link_kind: str
    value: str


class PersonAdded(CaseFacts):
    """A person recorded on the case (named only in the case itself, never in an event)."""

    persons_added: int
    detained: bool


PAYLOADS: dict[EnforcementEvent, type] = {
    EnforcementEvent.CASE_OPENED: CaseOpened,
    EnforcementEvent.CASE_UPDATED: CaseUpdated,
    EnforcementEvent.CASE_STATUS_CHANGED: CaseStatusChanged,
    EnforcementEvent.SEIZURE_RECORDED: SeizureRecorded,
    EnforcementEvent.CASE_LINKED: CaseLinked,
    EnforcementEvent.PERSON_ADDED: PersonAdded,
}
