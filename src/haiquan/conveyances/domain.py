"""Conveyances, pure: the identifiers of a vessel (IMO number with its check digit) and of a flight
(ICAO or IATA airline designator + number), the counts that must match the lists, the retention cutoff."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Direction(StrEnum):
    ARRIVAL = "arrival"
    DEPARTURE = "departure"


class Mode(StrEnum):
    SEA = "sea"
    AIR = "air"


class PersonRole(StrEnum):
    PASSENGER = "passenger"
    CREW = "crew"


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"
    UNSPECIFIED = "X"


class DocumentType(StrEnum):
    """ICAO 9303 / PAXLST DOC codes: passport, identity card, crew member certificate, seafarer's book."""

    PASSPORT = "P"
    IDENTITY_CARD = "I"
    CREW_CERTIFICATE = "AC"
    SEAFARER = "S"
    OTHER = "F"


_IMO = re.compile(r"^(?:IMO)?\s?(\d{7})$")
_FLIGHT = re.compile(r"^([A-Z]{3}|[A-Z0-9]{2})(\d{1,4})([A-Z]?)$")


def imo_number(value: str) -> str:
    """An IMO ship identification number: 7 digits, the last a check digit (digits 1..6 weighted 7..2,
    sum mod 10). Returned as the 7 digits."""
    m = _IMO.match(value.strip().upper())
    if not m:
        raise ValueError(f"{value!r} is not an IMO number (IMO followed by 7 digits)")
    digits = m.group(1)
    check = sum(int(d) * w for d, w in zip(digits[:6], range(7, 1, -1), strict=True)) % 10
    if check != int(digits[6]):
        raise ValueError(f"{value!r}: the IMO check digit should be {check}")
    return digits


def flight_number(value: str) -> str:
    """A flight: the airline's IATA (2 characters) or ICAO (3 letters) designator, 1 to 4 digits and an
    optional suffix letter, e.g. VN0123, VN123, HVN123. Returned in capitals without spaces."""
    raw = value.strip().upper().replace(" ", "")
    m = _FLIGHT.match(raw)
    if not m or m.group(1).isdigit():
        raise ValueError(f"{value!r} is not a flight number (airline designator + 1 to 4 digits, e.g. VN123)")
    return raw


@dataclass(frozen=True)
class CountMismatch:
    field: str
    declared: int
    listed: int

    @property
    def message(self) -> str:
        return f"{self.field} is {self.declared} but the list holds {self.listed}"


def count_mismatch(
    *, passenger_count: int, crew_count: int, passengers: int, crew: int
) -> CountMismatch | None:
    """The first count that differs from its list, if any (passengers first)."""
    if passenger_count != passengers:
        return CountMismatch("passenger_count", passenger_count, passengers)
    if crew_count != crew:
        return CountMismatch("crew_count", crew_count, crew)
    return None


def retention_cutoff(now: datetime, days: int) -> datetime:
    """Reports whose movement (actual, else scheduled) is older than this lose their people's data."""
    return now - timedelta(days=days)
