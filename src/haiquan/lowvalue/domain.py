"""Low-value goods, pure rules: the declaration type and its value threshold, the lane of a parcel, and
what may happen to a parcel afterwards (a status x command table).

Thresholds (settings, stated in docs/express.md#thresholds): an import parcel whose customs value is at most
`lowvalue_mic_threshold_vnd` (1,000,000 VND by default) is declared on a low-value import declaration (MIC),
an export parcel of at most `lowvalue_mec_threshold_vnd` (5,000,000 VND) on a low-value export declaration
(MEC). Above it the goods need an ordinary declaration (IDA/EDA): the item is rejected, naming its value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from haiquan.kit.domain_errors import Conflict, ValidationFailed

MAX_ITEMS = 5_000  # per request: a flight's worth; larger manifests come in several bulks


class Direction(StrEnum):
    IMPORT = "import"
    EXPORT = "export"


class Channel(StrEnum):
    EXPRESS = "express"
    POSTAL = "postal"


class Lane(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


class Status(StrEnum):
    CLEARED = "cleared"  # green on lodging: released without an officer
    HELD = "held"  # yellow or red on lodging, or held since (an officer, a scanner)
    RELEASED = "released"  # held, then released by an officer


class Command(StrEnum):
    HOLD = "hold"
    RELEASE = "release"
    TURN_RED = "turn_red"


DECLARATION_TYPE = {Direction.IMPORT: "MIC", Direction.EXPORT: "MEC"}
# the 1-digit prefix of the 12-digit declaration number (kit.ids): 5 low-value import, 6 low-value export
NUMBER_PREFIX = {Direction.IMPORT: "5", Direction.EXPORT: "6"}

# (status, command) -> status after; a pair not here is refused (409)
TRANSITIONS: dict[tuple[Status, Command], Status] = {
    (Status.CLEARED, Command.HOLD): Status.HELD,
    (Status.RELEASED, Command.HOLD): Status.HELD,
    (Status.HELD, Command.RELEASE): Status.RELEASED,
    (Status.CLEARED, Command.TURN_RED): Status.HELD,
    (Status.HELD, Command.TURN_RED): Status.HELD,
    (Status.RELEASED, Command.TURN_RED): Status.HELD,
}


def transition(status: Status, command: Command, *, lane: Lane) -> Status:
    """The status after `command`, or a 409 naming why not. A red parcel is not turned red twice."""
    after = TRANSITIONS.get((status, command))
    if after is None or (command is Command.TURN_RED and lane is Lane.RED and status is Status.HELD):
        raise Conflict(f"a {status} parcel cannot be {command.replace('_', ' ')}ed", code="parcel_status")
    return after


@dataclass(frozen=True)
class Thresholds:
    mic_vnd: Decimal
    mec_vnd: Decimal

    def limit(self, direction: Direction) -> Decimal:
        return self.mic_vnd if direction is Direction.IMPORT else self.mec_vnd


def check_value(value_vnd: Decimal, direction: Direction, thresholds: Thresholds, *, field: str) -> None:
    """A parcel above its type's threshold is not low-value: 422 naming the field and the limit."""
    limit = thresholds.limit(direction)
    if value_vnd > limit:
        kind = DECLARATION_TYPE[direction]
        ordinary = "IDA" if direction is Direction.IMPORT else "EDA"
        raise ValidationFailed(
            f"{value_vnd:,.0f} VND is above the {kind} threshold of {limit:,.0f} VND: declare it on an {ordinary}",
            field=field,
            code="above_low_value_threshold",
        )


@dataclass(frozen=True)
class ParcelFacts:
    """What the lane is decided on."""

    consignee: str  # name, upper-cased
    consignee_id: str | None
    hs_code: str | None
    country: str  # origin (import) or destination (export)
    value_vnd: Decimal
    office: str


@dataclass(frozen=True)
class Assessment:
    lane: Lane
    reasons: tuple[str, ...]


def assess(facts: ParcelFacts, watched: Mapping[str, frozenset[str]], *, review_vnd: Decimal) -> Assessment:
    """The lane of one parcel from the watch lists (risk.watch kinds): a watched consignee is red; a
    watched HS code or country, or a value above `review_vnd` without an HS code, is yellow; else green."""
    consignees = watched.get("consignee", frozenset())
    if facts.consignee in consignees or (facts.consignee_id and facts.consignee_id.upper() in consignees):
        return Assessment(Lane.RED, ("watched_consignee",))
    reasons: list[str] = []
    if facts.hs_code and _hs_watched(watched.get("hs_code", frozenset()), facts.hs_code):
        reasons.append("watched_hs_code")
    if facts.country in watched.get("country", frozenset()):
        reasons.append("watched_country")
    if not facts.hs_code and facts.value_vnd > review_vnd:
        reasons.append("no_hs_code_above_review_value")
    return Assessment(Lane.YELLOW if reasons else Lane.GREEN, tuple(reasons))


def _hs_watched(values: frozenset[str], hs_code: str) -> bool:
    return bool(values) and any(hs_code[:n] in values for n in (4, 6, 8) if len(hs_code) >= n)


def status_on_lodging(lane: Lane) -> Status:
    return Status.CLEARED if lane is Lane.GREEN else Status.HELD
