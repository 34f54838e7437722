"""Idempotent writes: a replay of the same key and body returns the first answer; the same key with
another body is a 422. The record is written in the same transaction as the change."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from haiquan.kit import clock
from haiquan.kit.errors import ValidationFailed
from haiquan.kit.tables import IdempotencyRecord

MAX_KEY = 200


def request_hash(method: str, path: str, body: Any) -> str:
    raw = json.dumps({"m": method, "p": path, "b": body}, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class Stored:
    status_code: int
    body: Any


def check_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY:
        raise ValidationFailed(
            f"Idempotency-Key must be 1 to {MAX_KEY} characters",
            field="Idempotency-Key",
            code="bad_idempotency_key",
        )
    return key


def lookup(session: Session, *, principal: str, key: str, req_hash: str) -> Stored | None:
    rec = session.get(IdempotencyRecord, (principal, key))
    if rec is None:
        return None
    if rec.request_hash != req_hash:
        raise ValidationFailed(
            "this Idempotency-Key was already used with another request body",
            field="Idempotency-Key",
            code="idempotency_key_reused",
        )
    return Stored(rec.status_code, json.loads(rec.body))


def remember(
    session: Session, *, principal: str, key: str, req_hash: str, status_code: int, body: Any
) -> None:
    session.add(
        IdempotencyRecord(
            principal=principal,
            key=key,
            request_hash=req_hash,
            status_code=status_code,
            body=json.dumps(body, default=str),
            created_at=clock.now(),
        )
    )
