"""The rules of a transit the trader declares, as plain functions: the time allowed from the distance and the
route, bounded when the trader gives it; the statuses and what moves between them; the seals found on
arrival against the seals declared."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from haiquan.kit.domain_errors import Conflict, ValidationFailed

KM_PER_HOUR = 30  # a sealed road move with its rests, as the transit rules assume
HOURS_PER_STOP = 2  # each office or border gate passed on the route
MIN_HOURS = 4
MAX_HOURS = 24 * 15  # the longest move under customs control the platform accepts
SLACK = 1.5  # a trader may ask for up to half as much again as the rule computes


class TransitStatus(StrEnum):
    DECLARED = "declared"
    ACCEPTED = "accepted"  # the departure office accepted it: the goods left, the deadline runs
    REFUSED = "refused"
    CANCELLED = "cancelled"
    ARRIVED = "arrived"  # the destination office closed it (outcome intact or discrepancy)


class TransitAct(StrEnum):
    ACCEPT = "accept"
    REFUSE = "refuse"
    CANCEL = "cancel"
    CLOSE = "close"


S, A = TransitStatus, TransitAct
MOVES: dict[tuple[TransitAct, TransitStatus], TransitStatus] = {
    (A.ACCEPT, S.DECLARED): S.ACCEPTED,
    (A.REFUSE, S.DECLARED): S.REFUSED,
    (A.CANCEL, S.DECLARED): S.CANCELLED,
    (A.CLOSE, S.ACCEPTED): S.ARRIVED,
}
OPEN = frozenset({S.DECLARED, S.ACCEPTED})


def transition(status: str, act: TransitAct) -> TransitStatus:
    """The status after `act`, or a 409 naming the status."""
    after = MOVES.get((act, TransitStatus(status)))
    if after is None:
        raise Conflict(
            f"a {status} transit cannot be {act.value}ed", field="status", code="invalid_transition"
        )
    return after


def hours_by_rule(distance_km: int, stops: int) -> int:
    """Hours allowed for `distance_km` with `stops` offices or gates on the way (at least MIN_HOURS)."""
    return max(MIN_HOURS, math.ceil(distance_km / KM_PER_HOUR) + HOURS_PER_STOP * stops)


def hours_allowed(*, given: int | None, distance_km: int | None, stops: int) -> int:
    """The trader's hours, bounded by the rule when a distance is known, else the rule's; 422 naming the
    field otherwise."""
    if distance_km is None and given is None:
        raise ValidationFailed("give the distance or the hours allowed", field="distance_km")
    ceiling = MAX_HOURS
    if distance_km is not None:
        ceiling = min(MAX_HOURS, math.ceil(hours_by_rule(distance_km, stops) * SLACK))
        if given is None:
            return min(hours_by_rule(distance_km, stops), MAX_HOURS)
    assert given is not None
    if not 1 <= given <= ceiling:
        raise ValidationFailed(f"hours allowed must be between 1 and {ceiling}", field="hours_allowed")
    return given


def route_of(departure: str, destination: str, via: Sequence[str]) -> list[str]:
    """The offices and gates in order, from departure to destination; 422 on a loop or a move in place."""
    if departure == destination:
        raise ValidationFailed("the destination office is the departure office", field="destination_office")
    route = [departure, *via, destination]
    if len(set(route)) != len(route):
        raise ValidationFailed("an office appears twice on the route", field="route")
    return route


@dataclass(frozen=True)
class SealCheck:
    outcome: str  # intact | discrepancy
    missing: list[str]
    unexpected: list[str]


def check_seals(declared: Sequence[str], found: Sequence[str], *, reported_discrepancy: bool) -> SealCheck:
    """Seals found on arrival against those declared: any missing or foreign seal, or a discrepancy the
    officer reports (count, damage), is a discrepancy."""
    missing = sorted(set(declared) - set(found))
    unexpected = sorted(set(found) - set(declared))
    broken = bool(missing or unexpected) or reported_discrepancy
    return SealCheck("discrepancy" if broken else "intact", missing, unexpected)
