"""The inspection module's events: centralised inspection locations and express warehouses applied for,
checked, returned, approved, refused, withdrawn; approval delegations granted and revoked; scanners
registered; scanner results recorded. Past tense; producers and consumers import these members
(kit/catalogue.py). No image is ever in a payload: its reference and SHA-256 only."""

from __future__ import annotations

from enum import StrEnum

from typing_extensions import TypedDict


class InspectionEvent(StrEnum):
    LOCATION_APPLIED = "inspection.location_applied"
    LOCATION_RESUBMITTED = "inspection.location_resubmitted"
    LOCATION_CHECKED = "inspection.location_checked"
    LOCATION_RETURNED = "inspection.location_returned"
    LOCATION_APPROVED = "inspection.location_approved"
    LOCATION_REFUSED = "inspection.location_refused"
    LOCATION_WITHDRAWN = "inspection.location_withdrawn"
    APPROVAL_DELEGATED = "inspection.approval_delegated"
    DELEGATION_REVOKED = "inspection.delegation_revoked"
    SCANNER_REGISTERED = "inspection.scanner_registered"
    SCANNER_REVOKED = "inspection.scanner_revoked"
    SCAN_RECORDED = "inspection.scan_recorded"


_Move = TypedDict("_Move", {"from": str | None, "to": str})  # keywords: the functional form


class LocationMoved(_Move):
    """A location's application moved along its workflow (`code` once approved; `approved_as`: director
    or delegate, on approval only)."""

    location_id: str
    kind: str
    unit: str
    department: str
    operator_tax_code: str
    code: str | None
    note: str
    approved_as: str | None


class ApprovalDelegated(TypedDict):
    """A department director let an officer approve locations of the department from `valid_from` until
    `valid_until`."""

    delegation_id: str
    department: str
    delegator: str
    delegate: str
    valid_from: str
    valid_until: str


class DelegationRevoked(TypedDict):
    """A director ended a delegation before its term."""

    delegation_id: str
    department: str
    delegator: str
    delegate: str
    revoked_by: str


class ScannerRegistered(TypedDict):
    """A scanner of an approved location, with its device key's id (never the key)."""

    scanner_id: str
    location_id: str
    location_code: str
    serial: str
    key_id: str


class ScannerRevoked(TypedDict):
    """A scanner taken out of service: its device key no longer works."""

    scanner_id: str
    location_id: str
    serial: str
    key_id: str
    revoked_by: str


class ScanRecorded(TypedDict):
    """A scanner's image of a package or container and its operator's verdict; `effect` says what
    followed (turned_red, already_red, held, recorded)."""

    scan_id: str
    location_code: str
    scanner_serial: str
    declaration_number: str | None
    house_bill: str | None
    container: str | None
    image_reference: str
    sha256: str
    size_bytes: int
    content_type: str
    verdict: str
    effect: str


PAYLOADS: dict[InspectionEvent, type] = {
    InspectionEvent.LOCATION_APPLIED: LocationMoved,
    InspectionEvent.LOCATION_RESUBMITTED: LocationMoved,
    InspectionEvent.LOCATION_CHECKED: LocationMoved,
    InspectionEvent.LOCATION_RETURNED: LocationMoved,
    InspectionEvent.LOCATION_APPROVED: LocationMoved,
    InspectionEvent.LOCATION_REFUSED: LocationMoved,
    InspectionEvent.LOCATION_WITHDRAWN: LocationMoved,
    InspectionEvent.APPROVAL_DELEGATED: ApprovalDelegated,
    InspectionEvent.DELEGATION_REVOKED: DelegationRevoked,
    InspectionEvent.SCANNER_REGISTERED: ScannerRegistered,
    InspectionEvent.SCANNER_REVOKED: ScannerRevoked,
    InspectionEvent.SCAN_RECORDED: ScanRecorded,
}
