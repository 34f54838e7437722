"""The sharing module's events: a link check's test events (`haiquan sharing test-events`), which travel up
and are counted in the per-unit summary like any other, and which no other consumer acts on. Past tense;
producers and consumers import these members (kit/catalogue.py)."""

from __future__ import annotations

from enum import StrEnum

from typing_extensions import TypedDict


class SharingEvent(StrEnum):
    LINK_TESTED = "sharing.link_tested"
    REFERENCE_APPLIED = "sharing.reference_applied"
    REFERENCE_REFUSED = "sharing.reference_refused"


class LinkTested(TypedDict):
    """One of `count` test events an operator recorded at a unit to check its link (`n`: 1 to count), with an
    `amount` (VND) the summary adds up."""

    n: int
    count: int
    amount: str


class ReferenceApplied(TypedDict):
    """A node (`node`, its unit) applied `version` of a kind of reference data flowing down."""

    kind: str
    version: int
    node: str


class ReferenceRefused(TypedDict):
    """A node refused `version` of a kind: `why` older (a version at least as new is held) or bad (its
    document did not pass the kind's schema: `field`, `reason`)."""

    kind: str
    version: int
    node: str
    why: str
    field: str
    reason: str


PAYLOADS: dict[SharingEvent, type] = {
    SharingEvent.LINK_TESTED: LinkTested,
    SharingEvent.REFERENCE_APPLIED: ReferenceApplied,
    SharingEvent.REFERENCE_REFUSED: ReferenceRefused,
}
