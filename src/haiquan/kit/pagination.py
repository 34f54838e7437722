"""Opaque cursors for pull feeds and lists."""

from __future__ import annotations

import base64
import json
from typing import Any

from haiquan.kit.errors import ValidationFailed


def encode_cursor(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, field: str = "cursor") -> dict[str, Any]:
    if not cursor:
        return {}
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed("cursor is not one this server issued", field=field) from exc
    if not isinstance(value, dict):
        raise ValidationFailed("cursor is not one this server issued", field=field)
    return value


def clamp_limit(limit: int, *, maximum: int = 500) -> int:
    if limit < 1 or limit > maximum:
        raise ValidationFailed(f"limit must be between 1 and {maximum}", field="limit")
    return limit


MAX_SEQ = 2**63 - 1


def cursor_int(cursor: str | None, key: str, *, field: str = "cursor") -> int:
    """An integer position from a cursor (0 when absent), refused unless it is one a database can hold."""
    raw = decode_cursor(cursor, field).get(key, 0)
    if not isinstance(raw, int) or isinstance(raw, bool) or not 0 <= raw <= MAX_SEQ:
        raise ValidationFailed("cursor is not one this server issued", field=field)
    return raw
