"""The cargo module's events: a carrier's manifest received, and amended. Past tense; producers and
consumers import these members (kit/catalogue.py)."""

from __future__ import annotations

from enum import StrEnum

from typing_extensions import TypedDict


class CargoEvent(StrEnum):
    MANIFEST_RECEIVED = "cargo.manifest_received"
    MANIFEST_AMENDED = "cargo.manifest_amended"


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


PAYLOADS: dict[CargoEvent, type] = {
    CargoEvent.MANIFEST_RECEIVED: ManifestSaved,
    CargoEvent.MANIFEST_AMENDED: ManifestSaved,
}
