"""The portal's rules, plain Python: the staff roles and what each may see and do."""

from __future__ import annotations

from enum import StrEnum

from haiquan.kit.errors import Forbidden, ValidationFailed


class StaffRole(StrEnum):
    ADMIN = "admin"  # everything, and the enterprise's staff, API keys and webhook
    DECLARANT = "declarant"  # declarations, payments, notifications
    ACCOUNTANT = "accountant"  # payments, declarations, notifications
    VIEWER = "viewer"  # reads only


class Area(StrEnum):
    DECLARATIONS = "declarations"
    PAYMENTS = "payments"
    NOTIFICATIONS = "notifications"
    KEYS = "keys"
    WEBHOOK = "webhook"
    STAFF = "staff"
    FILING = "filing"  # applications: file, attach, answer, withdraw


_EVERYONE = frozenset(StaffRole)
ALLOWED: dict[Area, frozenset[StaffRole]] = {
    Area.DECLARATIONS: _EVERYONE,
    Area.PAYMENTS: _EVERYONE,
    Area.NOTIFICATIONS: _EVERYONE,
    Area.KEYS: frozenset({StaffRole.ADMIN}),
    Area.WEBHOOK: frozenset({StaffRole.ADMIN}),
    Area.STAFF: frozenset({StaffRole.ADMIN}),
    Area.FILING: frozenset({StaffRole.ADMIN, StaffRole.DECLARANT, StaffRole.ACCOUNTANT}),
}
MIN_PASSWORD = 10


def may(role: str | None, area: Area) -> bool:
    return role in ALLOWED[area]


def require(role: str | None, area: Area) -> None:
    """403 naming the area unless the staff role may use it."""
    if not may(role, area):
        raise Forbidden(f"the staff role {role!r} may not use {area.value}", code="staff_role_required")


def check_role(role: str) -> StaffRole:
    try:
        return StaffRole(role)
    except ValueError as exc:
        raise ValidationFailed(
            f"unknown role {role!r}; one of: {', '.join(r.value for r in StaffRole)}", field="role"
        ) from exc


def check_username(username: str) -> str:
    name = username.strip().lower()
    if not (3 <= len(name) <= 60) or not all(c.isalnum() or c in "._-" for c in name) or not name.isascii():
        raise ValidationFailed(
            "a username has 3 to 60 letters, digits, '.', '_' or '-'", field="username", code="bad_username"
        )
    return name
