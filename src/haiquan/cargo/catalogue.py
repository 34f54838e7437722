"""The cargo module's events: a carrier's manifest received, amended, and written off. Past tense; producers and
consumers import these members (kit/catalogue.py)."""

from __future__ import annotations

from enum import StrEnum

from typing_extensions import TypedDict


class CargoEvent(StrEnum):
    MANIFEST_RECEIVED = "cargo.manifest_received"
    MANIFEST_AMENDED = "cargo.manifest_amended"
    MANIFEST_WRITTEN_OFF = "cargo.manifest_written_off"


class Screened(TypedDict):
    goods_id: str
    risk_score: float
    scan_required: bool


class ManifestSaved(TypedDict):
    """A manifest as received or amended (`version`): the voyage or flight, `late_by_seconds` past its
    deadline, and each bill's pre-arrival screening."""

    manifest_id: str
    reference: str
    mode: str
    vessel: str
    voyage: str
    location_code: str
    expected_arrival: str
    late_by_seconds: int
    version: int
    consignments: list[Screened]


class ManifestWrittenOff(TypedDict):
    """A manifest's write-off closed after the legal period (cargo.writeoff): its bills, how many are
    undischarged or over-discharged, and those bills' numbers (`discrepancies`, at most 1,000)."""

    manifest_id: str
    reference: str
    carrier_id: str
    vessel: str
    voyage: str
    bills: int
    undischarged: int
    over_discharged: int
    discrepancies: list[str]


PAYLOADS: dict[CargoEvent, type] = {
    CargoEvent.MANIFEST_RECEIVED: ManifestSaved,
    CargoEvent.MANIFEST_AMENDED: ManifestSaved,
    CargoEvent.MANIFEST_WRITTEN_OFF: ManifestWrittenOff,
}
