"""The conveyances module's events: an arrival or departure reported and amended, its people screened
before arrival, a person put on the watch list, people's data purged after the retention period. Past
tense; producers and consumers import these members (kit/catalogue.py). No event carries a person's name,
date of birth or document: people's data stays in the targeting officers' tables."""

from __future__ import annotations

from enum import StrEnum

from typing_extensions import TypedDict


class ConveyanceEvent(StrEnum):
    REPORT_RECEIVED = "conveyances.report_received"
    REPORT_AMENDED = "conveyances.report_amended"
    PERSONS_SCREENED = "conveyances.persons_screened"
    PERSON_WATCH_ADDED = "conveyances.person_watch_added"
    PERSONS_PURGED = "conveyances.persons_purged"


class ReportSaved(TypedDict):
    """An arrival or departure as received or amended (`version`): the craft, voyage or flight, ports
    (UN/LOCODE), the scheduled time, the counts, and the linked cargo manifest's reference if any."""

    conveyance_id: str
    reference: str
    direction: str
    mode: str
    craft_id: str
    voyage: str
    departure_port: str
    arrival_port: str
    scheduled_at: str
    crew_count: int
    passenger_count: int
    manifest_reference: str | None
    source: str
    version: int


class PersonsScreened(TypedDict):
    """The people of a version screened against the watch list: how many, how many flagged (no names)."""

    conveyance_id: str
    version: int
    screened: int
    flagged: int
    exact: int


class PersonWatchAdded(TypedDict):
    """A person put on the watch list (the entry's id and source only)."""

    id: str
    source: str


class PersonsPurged(TypedDict):
    """People's data of reports older than the retention period anonymised."""

    reports: int
    persons: int
    retention_days: int


PAYLOADS: dict[ConveyanceEvent, type] = {
    ConveyanceEvent.REPORT_RECEIVED: ReportSaved,
    ConveyanceEvent.REPORT_AMENDED: ReportSaved,
    ConveyanceEvent.PERSONS_SCREENED: PersonsScreened,
    ConveyanceEvent.PERSON_WATCH_ADDED: PersonWatchAdded,
    ConveyanceEvent.PERSONS_PURGED: PersonsPurged,
}
