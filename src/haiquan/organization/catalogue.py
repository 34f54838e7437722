"""The organisation's events: the unit hierarchy loaded and restructured, officers' accounts and rosters,
enterprises' standing, and representations between enterprises. Past tense; producers and consumers import
these members (kit/catalogue.py)."""

from __future__ import annotations

from enum import StrEnum

from typing_extensions import TypedDict


class OrganizationEvent(StrEnum):
    UNITS_REPLACED = "organization.units_replaced"
    UNIT_MERGED = "organization.unit_merged"
    UNIT_DISSOLVED = "organization.unit_dissolved"
    OFFICER_ADDED = "organization.officer_added"
    OFFICER_DEACTIVATED = "organization.officer_deactivated"
    OFFICER_REACTIVATED = "organization.officer_reactivated"
    OFFICER_ROLE_CHANGED = "organization.officer_role_changed"
    OFFICER_MOVED = "organization.officer_moved"
    OFFICER_LEFT_ROSTER = "organization.officer_left_roster"
    OFFICER_RETURNED_TO_ROSTER = "organization.officer_returned_to_roster"
    ENTERPRISE_SUSPENDED = "organization.enterprise_suspended"
    ENTERPRISE_REINSTATED = "organization.enterprise_reinstated"
    ENTERPRISE_DISSOLVED = "organization.enterprise_dissolved"
    REPRESENTATION_GRANTED = "organization.representation_granted"
    REPRESENTATION_REVOKED = "organization.representation_revoked"
    SESSION_STARTED = "organization.session_started"
    SESSION_REVOKED = "organization.session_revoked"
    API_KEY_ISSUED = "organization.api_key_issued"
    API_KEY_REVOKED = "organization.api_key_revoked"
    WEBHOOK_CHANGED = "organization.webhook_changed"
    WEBHOOK_SECRET_ROTATED = "organization.webhook_secret_rotated"  # noqa: S105  (an event type)
    OFFICER_EXPERT_FIELDS_SET = "organization.officer_expert_fields_set"
    DIRECTORY_APPLIED = "organization.directory_applied"


class UnitsReplaced(TypedDict):
    """The unit hierarchy loaded from a file: how many units it `added` and `changed`, and how many it
    `merged` into a successor or `dissolved`, of its `total`."""

    added: int
    changed: int
    merged: int
    dissolved: int
    total: int


class UnitMerged(TypedDict):
    """A unit merged into its `successor`: its records now belong to `records_to` (the active unit at the
    end of its successors), where its officers moved; its open checks reassigned."""

    unit: str
    records_to: str | None
    open_checks_reassigned: int
    successor: str | None
    officers_moved: list[str]


class UnitDissolved(TypedDict):
    """A unit dissolved without a successor: its records held by `records_to` (the unit above it), its
    officers refused access, its open checks reassigned."""

    unit: str
    records_to: str | None
    open_checks_reassigned: int
    officers_refused: list[str]


_OfficerMove = TypedDict("_OfficerMove", {"from": str | bool, "to": str | bool})  # keywords: functional form


class OfficerChanged(_OfficerMove):
    """An administrator changed one `field` of an officer's account (`active`, `role`, `unit`,
    `on_roster`) `from` one value `to` another; the officer as it stands after."""

    officer_id: str
    username: str
    unit: str
    role: str
    field: str


class OfficerAdded(TypedDict):
    """An officer's account was created (by an administrator, the command line or the demo)."""

    officer_id: str
    username: str
    full_name: str
    unit: str
    role: str


_StatusMove = TypedDict("_StatusMove", {"from": str, "to": str})


class EnterpriseStanding(_StatusMove):
    """An enterprise's standing changed (`active`, `suspended`, `dissolved`), for the `reason` given."""

    enterprise_id: str
    tax_code: str
    reason: str


class Representation(TypedDict):
    """An importer or exporter (the principal) let a declarant (its representative) lodge in its name,
    directly or indirectly (`kind`), from `valid_from` until `valid_until`; or took that back (`revoked_at`)."""

    id: str
    principal_tax_code: str
    representative_tax_code: str
    kind: str
    valid_from: str
    valid_until: str | None
    revoked_at: str | None


class SessionStarted(TypedDict):
    """An officer logged in: a server-side session until `expires_at` (or its idle timeout)."""

    session_id: str
    officer_id: str
    username: str
    expires_at: str


class SessionRevoked(TypedDict):
    """A session ended before its time: `reason` logout, officer_deactivated or revoked."""

    session_id: str
    officer_id: str
    username: str
    reason: str


class ApiKeyIssued(TypedDict):
    """An enterprise got an API key (named by its id, never its secret) with its scopes and expiry."""

    enterprise_id: str
    tax_code: str
    key_id: str
    label: str
    scopes: list[str]
    expires_at: str | None


class ApiKeyRevoked(TypedDict):
    """An enterprise's API key was revoked."""

    enterprise_id: str
    tax_code: str
    key_id: str


class WebhookChanged(TypedDict):
    """An enterprise set its webhook (its `host`; None: turned off)."""

    enterprise_id: str
    tax_code: str
    host: str | None


class WebhookSecretRotated(TypedDict):
    """An enterprise's webhook secret was replaced; the previous one signs too until `previous_valid_until`."""

    enterprise_id: str
    tax_code: str
    previous_valid_until: str | None


class OfficerExpertFieldsSet(TypedDict):
    """An officer's expert fields (tax, supervision, audit, it, risk, inspection, customs_control), which
    route work to them (the audit team's queue goes to officers with `audit`)."""

    officer_id: str
    username: str
    unit: str
    fields: list[str]
    previous: list[str]


class DirectoryApplied(TypedDict):
    """Officers and enterprises as published at the top and flowing down (reference data `organization`,
    `version`), upserted at this node: how many of each (credentials arrive as hashes only)."""

    version: int
    officers: int
    enterprises: int


E = OrganizationEvent
PAYLOADS: dict[OrganizationEvent, type] = {
    E.UNITS_REPLACED: UnitsReplaced,
    E.UNIT_MERGED: UnitMerged,
    E.UNIT_DISSOLVED: UnitDissolved,
    E.OFFICER_ADDED: OfficerAdded,
    **dict.fromkeys(
        (
            E.OFFICER_DEACTIVATED,
            E.OFFICER_REACTIVATED,
            E.OFFICER_ROLE_CHANGED,
            E.OFFICER_MOVED,
            E.OFFICER_LEFT_ROSTER,
            E.OFFICER_RETURNED_TO_ROSTER,
        ),
        OfficerChanged,
    ),
    **dict.fromkeys(
        (E.ENTERPRISE_SUSPENDED, E.ENTERPRISE_REINSTATED, E.ENTERPRISE_DISSOLVED), EnterpriseStanding
    ),
    E.REPRESENTATION_GRANTED: Representation,
    E.REPRESENTATION_REVOKED: Representation,
    OrganizationEvent.SESSION_STARTED: SessionStarted,
    OrganizationEvent.SESSION_REVOKED: SessionRevoked,
    OrganizationEvent.API_KEY_ISSUED: ApiKeyIssued,
    OrganizationEvent.API_KEY_REVOKED: ApiKeyRevoked,
    OrganizationEvent.WEBHOOK_CHANGED: WebhookChanged,
    OrganizationEvent.WEBHOOK_SECRET_ROTATED: WebhookSecretRotated,
    OrganizationEvent.OFFICER_EXPERT_FIELDS_SET: OfficerExpertFieldsSet,
    OrganizationEvent.DIRECTORY_APPLIED: DirectoryApplied,
}
