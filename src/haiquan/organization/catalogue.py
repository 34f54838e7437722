"""The organisation's event catalogue: credentials (officers' sessions, enterprises' API keys and webhook).
Producers pass the member to `outbox.record(type=...)`; consumers compare with the same members. No payload
carries a secret: an API key is named by its id, a webhook by its host."""

from __future__ import annotations

from enum import StrEnum
from typing import TypedDict


class OrganizationEvent(StrEnum):
    SESSION_STARTED = "organization.session_started"
    SESSION_REVOKED = "organization.session_revoked"
    API_KEY_ISSUED = "organization.api_key_issued"
    API_KEY_REVOKED = "organization.api_key_revoked"
    WEBHOOK_CHANGED = "organization.webhook_changed"
    WEBHOOK_SECRET_ROTATED = "organization.webhook_secret_rotated"  # noqa: S105  (an event type)


class SessionStarted(TypedDict):
    session_id: str
    officer_id: str
    username: str
    expires_at: str


class SessionRevoked(TypedDict):
    session_id: str
    officer_id: str
    username: str
    reason: str  # logout | officer_deactivated | revoked


class ApiKeyIssued(TypedDict):
    enterprise_id: str
    tax_code: str
    key_id: str
    label: str
    scopes: list[str]
    expires_at: str | None


class ApiKeyRevoked(TypedDict):
    enterprise_id: str
    tax_code: str
    key_id: str


class WebhookChanged(TypedDict):
    enterprise_id: str
    tax_code: str
    host: str | None  # None: webhooks turned off


class WebhookSecretRotated(TypedDict):
    enterprise_id: str
    tax_code: str
    previous_valid_until: str | None


PAYLOADS: dict[OrganizationEvent, type] = {
    OrganizationEvent.SESSION_STARTED: SessionStarted,
    OrganizationEvent.SESSION_REVOKED: SessionRevoked,
    OrganizationEvent.API_KEY_ISSUED: ApiKeyIssued,
    OrganizationEvent.API_KEY_REVOKED: ApiKeyRevoked,
    OrganizationEvent.WEBHOOK_CHANGED: WebhookChanged,
    OrganizationEvent.WEBHOOK_SECRET_ROTATED: WebhookSecretRotated,
}
