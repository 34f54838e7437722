"""The low-value module's events: a manifest received, a bulk of declarations lodged, a parcel held,
released or turned red. Per bulk, not per parcel, for the lodging itself (a bulk holds up to 5,000); the
parcels that did not clear on lodging are named. Past tense; producers and consumers import these members
(kit/catalogue.py)."""

from __future__ import annotations

from enum import StrEnum

from typing_extensions import TypedDict


class LowValueEvent(StrEnum):
    MANIFEST_RECEIVED = "lowvalue.manifest_received"
    DECLARATIONS_LODGED = "lowvalue.declarations_lodged"
    PARCEL_HELD = "lowvalue.parcel_held"
    PARCEL_RELEASED = "lowvalue.parcel_released"
    PARCEL_TURNED_RED = "lowvalue.parcel_turned_red"


class ManifestReceived(TypedDict):
    """An express master air waybill (`express`) or a postal dispatch (`postal`) seen for the first time."""

    manifest_id: str
    channel: str
    reference: str
    transport: str
    office: str
    direction: str
    carrier_tax_code: str


class DeclarationsLodged(TypedDict):
    """New low-value declarations of one bulk: how many per lane, and the numbers held on lodging (yellow
    and red). Items answered again (a retried bulk) and items rejected are not counted."""

    manifest_id: str
    office: str
    declaration_type: str
    lodged: int
    green: int
    yellow: int
    red: int
    held: list[str]


class ParcelChanged(TypedDict):
    """What every parcel event carries: the declaration number, its office, lane and status after."""

    number: str
    office: str
    lane: str
    status: str
    reason: str


class ParcelHeld(ParcelChanged):
    """A parcel held (an officer, or a scanner flagging it: `source` says which)."""

    source: str


class ParcelReleased(ParcelChanged):
    """A held parcel released by an officer."""


class ParcelTurnedRed(ParcelChanged):
    """A parcel sent to physical inspection (red lane), and held until it is released."""


PAYLOADS: dict[LowValueEvent, type] = {
    LowValueEvent.MANIFEST_RECEIVED: ManifestReceived,
    LowValueEvent.DECLARATIONS_LODGED: DeclarationsLodged,
    LowValueEvent.PARCEL_HELD: ParcelHeld,
    LowValueEvent.PARCEL_RELEASED: ParcelReleased,
    LowValueEvent.PARCEL_TURNED_RED: ParcelTurnedRed,
}
