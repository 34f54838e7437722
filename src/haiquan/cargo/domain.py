"""Manifests: legal deadlines for e-manifests and the checks on bills and containers. Pure Python."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Mode(StrEnum):
    SEA = "sea"
    AIR = "air"


class CargoType(StrEnum):
    CONTAINER = "container"
    PACKAGE = "package"
    BULK = "bulk"
    LIQUID = "liquid"


class Purpose(StrEnum):
    IMPORT = "import"
    EXPORT = "export"
    TRANSIT = "transit"
    TRANSSHIPMENT = "transshipment"


# Legal lead times of the e-manifest before arrival (BRIEF §5)
SEA_LEAD = timedelta(hours=24)
SHORT_VOYAGE_LEAD = timedelta(hours=12)
AIR_LEAD = timedelta(minutes=60)


def lead_time(mode: Mode, *, short_voyage: bool) -> timedelta:
    if mode is Mode.AIR:
        return AIR_LEAD
    return SHORT_VOYAGE_LEAD if short_voyage else SEA_LEAD


def deadline(mode: Mode, *, expected_arrival: datetime, short_voyage: bool) -> datetime:
    """The latest instant the e-manifest may reach customs."""
    return expected_arrival - lead_time(mode, short_voyage=short_voyage)


@dataclass(frozen=True)
class Lateness:
    deadline: datetime
    late_by: timedelta

    @property
    def is_late(self) -> bool:
        return self.late_by > timedelta(0)

    def message(self) -> str:
        minutes = int(self.late_by.total_seconds() // 60)
        return f"manifest received {minutes} min after the legal deadline {self.deadline.isoformat()}"


def lateness(
    mode: Mode, *, expected_arrival: datetime, short_voyage: bool, received_at: datetime
) -> Lateness:
    limit = deadline(mode, expected_arrival=expected_arrival, short_voyage=short_voyage)
    return Lateness(limit, max(received_at - limit, timedelta(0)))


def duplicates(values: list[str]) -> list[str]:
    seen: set[str] = set()
    dup: list[str] = []
    for v in values:
        if v in seen and v not in dup:
            dup.append(v)
        seen.add(v)
    return dup
