"""Idempotent writes: a replay of the same key and body returns the first answer; the same key with
another body is a 422. The record is written in the same transaction as the change."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from haiquan.kit import clock, pending
from haiquan.kit.db import among
from haiquan.kit.errors import ValidationFailed
from haiquan.kit.tables import IdempotencyRecord

MAX_KEY = 200


def request_hash(method: str, path: str, body: Any) -> str:
    raw = json.dumps({"m": method, "p": path, "b": body}, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class Stored:
    status_code: int
    raw: bytes  # the answer's JSON as first sent
    request_hash: str = ""

    @property
    def body(self) -> Any:
        return json.loads(self.raw)


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
    return Stored(rec.status_code, rec.body.encode(), rec.request_hash)


def lookup_many(session: Session, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Stored]:
    """The stored answers of many (principal, key) pairs in one query (group commit)."""
    if not keys:
        return {}
    wanted = set(keys)
    rows = session.execute(
        select(
            RECORDS.c.principal, RECORDS.c.key, RECORDS.c.status_code, RECORDS.c.body, RECORDS.c.request_hash
        ).where(
            among(session, RECORDS.c.principal, {p for p, _ in wanted}),
            among(session, RECORDS.c.key, {k for _, k in wanted}),
        )
    ).all()
    return {(p, k): Stored(code, body.encode(), h) for p, k, code, body, h in rows if (p, k) in wanted}


def remember(
    session: Session, *, principal: str, key: str, req_hash: str, status_code: int, body: Any
) -> None:
    remember_raw(
        session,
        principal=principal,
        key=key,
        req_hash=req_hash,
        status_code=status_code,
        body=json.dumps(body, default=str),
    )


def remember_raw(
    session: Session, *, principal: str, key: str, req_hash: str, status_code: int, body: str
) -> None:
    """Keep the answer (already JSON) with the change, written at commit (kit.pending)."""
    pending.add(
        session,
        RECORDS,
        {
            "principal": principal,
            "key": key,
            "request_hash": req_hash,
            "status_code": status_code,
            "body": body,
            "created_at": clock.now(),
        },
    )


RECORDS = cast(Table, IdempotencyRecord.__table__)
