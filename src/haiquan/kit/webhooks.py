"""One signed webhook attempt and its bookkeeping, shared by every delivery table (declarants'
notifications, terminals' status pushes): HMAC-SHA256 over "<timestamp>.<body>", 2xx = delivered, else
back off and retry until the attempts run out."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

import httpx

from haiquan.kit import clock
from haiquan.kit.auth import sign_payload
from haiquan.kit.metrics import WEBHOOKS

BACKOFF_SECONDS = (5, 30, 120, 600, 1800, 3600, 7200, 14400)


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
        "X-Haiquan-Timestamp": ts,
        "X-Haiquan-Signature": "sha256=" + sign_payload(secret, body, ts),
        "X-Haiquan-Delivery": delivery_id,
    }
    d.attempts += 1
    try:
        with http.stream("POST", url, content=body, headers=headers) as r:  # the answer's body is not read
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


def client(timeout: float) -> httpx.Client:
    """The HTTP client of one receiver's deliveries (kit.receivers): `timeout` seconds for each read and
    write, at most 3 s to connect, redirects not followed."""
    return httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)), follow_redirects=False)
