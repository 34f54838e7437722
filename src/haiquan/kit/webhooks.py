"""One signed webhook attempt and its bookkeeping, shared by every delivery table (declarants'
notifications, terminals' status pushes): HMAC-SHA256 over "<timestamp>.<body>" (and, for a while after the
secret was rotated, a second signature with the previous one), 2xx = delivered, else back off and retry
until the attempts run out. The target is checked at every attempt and the connection made to the address
checked (kit.outbound); a refused target is a failed attempt that names why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import httpx

from haiquan.kit import clock, outbound
from haiquan.kit.auth import sign_payload
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


@dataclass(frozen=True)
class Signing:
    """The enterprise's webhook secret, and the previous one while it still signs (after a rotation)."""

    secret: str
    previous: str | None = None


def _headers(signing: Signing, body: bytes, delivery_id: str) -> dict[str, str]:
    ts = str(int(clock.now().timestamp()))
    headers = {
        "Content-Type": "application/json",
        "X-Haiquan-Timestamp": ts,
        "X-Haiquan-Signature": "sha256=" + sign_payload(signing.secret, body, ts),
        "X-Haiquan-Delivery": delivery_id,
    }
    if signing.previous:
        headers["X-Haiquan-Signature-Previous"] = "sha256=" + sign_payload(signing.previous, body, ts)
    return headers


def _post(
    http: httpx.Client, url: str, body: bytes, headers: dict[str, str], development: bool
) -> str | None:
    """None when the receiver answered 2xx, else what went wrong."""
    try:
        goal = outbound.target(url, development=development)
    except outbound.Refused as exc:
        return f"refused: {exc}"[:300]
    try:  # the answer's body is never read: a receiver cannot make us read megabytes
        with http.stream(
            "POST", goal.url, content=body, headers=headers | goal.headers, extensions=goal.extensions
        ) as r:
            status = r.status_code
    except httpx.HTTPError as exc:
        return type(exc).__name__
    return None if 200 <= status < 300 else f"HTTP {status}"


def attempt(
    http: httpx.Client,
    d: Delivery,
    *,
    url: str,
    signing: Signing,
    body: bytes,
    delivery_id: str,
    max_attempts: int,
    development: bool = False,
) -> int:
    """POST the body once and record the outcome on the delivery row; 1 when delivered."""
    d.attempts += 1
    error = _post(http, url, body, _headers(signing, body, delivery_id), development)
    if error is None:
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


def signing_of(ent: Any) -> Signing:
    """An enterprise's signing secrets now (an EnterpriseRow)."""
    until = ent.webhook_previous_until
    previous = ent.webhook_secret_previous if until is not None and until > clock.now() else None
    return Signing(ent.webhook_secret or "", previous)


def client(timeout: float, development: bool = False) -> httpx.Client:
    """The HTTP client of one receiver's deliveries (kit.receivers): `timeout` seconds for each read and
    write, at most 3 s to connect, redirects not followed. Outside development no connection is kept and no
    proxy from the environment is used: every request goes to the address just checked (kit.outbound)."""
    limits = httpx.Limits(max_keepalive_connections=20 if development else 0)
    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)),
        follow_redirects=False,
        limits=limits,
        trust_env=development,
    )
