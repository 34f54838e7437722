"""The portal's events: staff accounts added and changed, staff sessions started. Past tense; producers
and consumers import these members (kit/catalogue.py)."""

from __future__ import annotations

from enum import StrEnum

from typing_extensions import TypedDict


class PortalEvent(StrEnum):
    STAFF_ADDED = "portal.staff_added"
    STAFF_CHANGED = "portal.staff_changed"
    STAFF_SIGNED_IN = "portal.staff_signed_in"


class StaffAdded(TypedDict):
    """An account for a person of the enterprise, with its role, made by the enterprise's admin (or a customs
    administrator, the command line, the demo: `by`)."""

    staff_id: str
    enterprise_id: str
    tax_code: str
    username: str
    role: str
    by: str


class StaffChanged(TypedDict):
    """A staff account's role or state changed (`active` false: deactivated, its sessions ended)."""

    staff_id: str
    enterprise_id: str
    tax_code: str
    username: str
    role: str
    active: bool
    by: str


class StaffSignedIn(TypedDict):
    """A staff member signed in: a session opened, ending at `expires_at` at the latest."""

    session_id: str
    staff_id: str
    enterprise_id: str
    username: str
    expires_at: str


PAYLOADS: dict[PortalEvent, type] = {
    PortalEvent.STAFF_ADDED: StaffAdded,
    PortalEvent.STAFF_CHANGED: StaffChanged,
    PortalEvent.STAFF_SIGNED_IN: StaffSignedIn,
}
