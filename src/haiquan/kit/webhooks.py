"""One signed webhook attempt and its bookkeeping, shared by every delivery table (declarants'
notifications, terminals' status pushes): HMAC-SHA256 over "<timestamp>.<body>", 2xx = delivered, else
back off and retry until the attempts run out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

import httpx
from sqlalchemy import select

from haiquan.kit import clock
from haiquan.kit.auth import sign_payload
from haiquan.kit.db import Database, UnitOfWork
from haiquan.kit.metrics import WEBHOOKS

BACKOFF_SECONDS = (5, 30, 120, 600, 1800, 3600, 7200, 14400)
# The headers of every delivery (documented for receivers in the OpenAPI's webhooks, kit.openapi)
TIMESTAMP, SIGNATURE, DELIVERY = "X-Haiquan-Timestamp", "X-Haiquan-Signature", "X-Haiquan-Delivery"


class Delivery(Protocol):
    attempts: int
    state: str
    delivered_at: datetime | None
    last_error: str
    next_attempt_at: datetime


def attempt(
    http: httpx.Client,
    d: Delivery,
    *,
    url: str,
    secret: str,
    body: bytes,
    delivery_id: str,
    max_attempts: int,
) -> int:
    """POST the body once and record the outcome on the delivery row; 1 when delivered."""
    ts = str(int(clock.now().timestamp()))
    headers = {
        "Content-Type": "application/json",
        TIMESTAMP: ts,
        SIGNATURE: "sha256=" + sign_payload(secret, body, ts),
        DELIVERY: delivery_id,
    }
    d.attempts += 1
    try:
        r = http.post(url, content=body, headers=headers)
        ok, error = 200 <= r.status_code < 300, f"HTTP {r.status_code}"
    except httpx.HTTPError as exc:
        ok, error = False, type(exc).__name__
    if ok:
        d.state, d.delivered_at = "delivered", clock.now()
        WEBHOOKS.labels("delivered").inc()
        return 1
    d.last_error = error
    WEBHOOKS.labels("failed").inc()
    if d.attempts >= max_attempts:
        d.state = "failed"
    else:
        d.next_attempt_at = clock.now() + timedelta(
            seconds=BACKOFF_SECONDS[min(d.attempts - 1, len(BACKOFF_SECONDS) - 1)]
        )
    return 0


def deliver_due(
    db: Database,
    table: Any,
    send: Callable[[UnitOfWork, httpx.Client, Any], int],
    *,
    timeout: float,
    limit: int = 100,
) -> int:
    """Attempt the pending deliveries of `table` whose time has come, oldest first, in one transaction;
    `send` makes one attempt and returns 1 when delivered. No HTTP client (and TLS context) when none is due."""
    with db.unit_of_work() as uow:
        due = uow.session.scalars(
            select(table)
            .where(table.state == "pending", table.next_attempt_at <= clock.now())
            .order_by(table.id)
            .limit(limit)
        ).all()
        done = 0
        if due:
            with httpx.Client(timeout=timeout) as http:
                for d in due:
                    done += send(uow, http, d)
        uow.commit()
    return done
