"""The supervision domain's event catalogue (the part this branch records through it: terminal operators'
signing certificates). Producers pass the member to `outbox.record(type=...)`; consumers compare with the
same members."""

from __future__ import annotations

from enum import StrEnum
from typing import TypedDict


class SupervisionEvent(StrEnum):
    OPERATOR_KEY_ADDED = "supervision.operator_key_added"
    OPERATOR_KEY_REVOKED = "supervision.operator_key_revoked"


class OperatorKeyAdded(TypedDict):
    operator_id: str
    tax_code: str
    key_name: str
    fingerprint: str
    not_before: str
    not_after: str


class OperatorKeyRevoked(TypedDict):
    operator_id: str
    tax_code: str
    key_name: str
    fingerprint: str
    reason: str


PAYLOADS: dict[SupervisionEvent, type] = {
    SupervisionEvent.OPERATOR_KEY_ADDED: OperatorKeyAdded,
    SupervisionEvent.OPERATOR_KEY_REVOKED: OperatorKeyRevoked,
}
