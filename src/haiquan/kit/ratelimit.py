"""Per-caller rate limits: a token bucket per (class, caller) in the worker's memory, 429 with Retry-After
when it is empty, every refusal audited per source and minute (kit.refusals).

The caller is the principal (an enterprise's API key, an officer's token or page session) once a request
with that credential has been authenticated, and the source address before that (anonymous callers and
credentials not yet seen, wrong ones included: a made-up key never gets a fresh bucket). Classes:
`read` (GET, HEAD, OPTIONS) and `write` (the others) per principal, `anonymous` per address; each has a
rate per second and a burst (kit.settings, docs/api.md#rate-limits). Login attempts are throttled on
their own (kit.logins).

Per worker: with W workers a caller gets up to W times its rate. Memory is bounded: at most `cap` buckets
and `cap` remembered credentials, the least recently used forgotten first (a forgotten bucket starts full
again)."""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from prometheus_client import Counter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from haiquan.kit.admission import unlimited
from haiquan.kit.errors import TooManyRequests, domain_problem
from haiquan.kit.refusals import Refusals
from haiquan.kit.sources import Network, client_address

LIMITED = Counter("haiquan_rate_limited_total", "Requests refused with 429 (rate limits)", ["kind"])
READS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_COOKIE = b"hq_session="
PORTAL_COOKIE = b"hq_portal="  # the trader portal's session (portal.session)


@dataclass(frozen=True)
class Rate:
    per_second: float
    burst: int


@dataclass(frozen=True)
class Limits:
    read: Rate
    write: Rate
    anonymous: Rate
    cap: int = 20_000

    @classmethod
    def of(cls, s: Any) -> Limits:
        return cls(
            read=Rate(s.rate_read_per_second, s.rate_read_burst),
            write=Rate(s.rate_write_per_second, s.rate_write_burst),
            anonymous=Rate(s.rate_anonymous_per_second, s.rate_anonymous_burst),
            cap=s.rate_tracked_keys,
        )


class Bounded(OrderedDict[Any, Any]):
    """A dict that forgets its least recently used entries beyond `cap`."""

    def __init__(self, cap: int) -> None:
        super().__init__()
        self.cap = cap

    def touch(self, key: Any, default: Callable[[], Any]) -> Any:
        """The entry (now the most recently used), made with `default` when missing."""
        value = self.get(key)
        if value is None:
            value = self.put(key, default())
        else:
            self.move_to_end(key)
        return value

    def put(self, key: Any, value: Any) -> Any:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.cap:
            self.popitem(last=False)
        return value


class Buckets:
    """Token buckets: `take` spends one token, or says how many seconds until one is there."""

    def __init__(self, cap: int, now: Callable[[], float] = time.monotonic) -> None:
        self._b = Bounded(cap)
        self.now = now

    def take(self, key: Any, rate: Rate) -> float:
        t = self.now()
        bucket = self._b.touch(key, lambda: [float(rate.burst), t])
        tokens = min(float(rate.burst), bucket[0] + (t - bucket[1]) * rate.per_second)
        bucket[1] = t
        if tokens >= 1.0:
            bucket[0] = tokens - 1.0
            return 0.0
        bucket[0] = tokens
        return (1.0 - tokens) / rate.per_second


def credential(scope: Scope) -> bytes | None:
    """The bearer credential or the page session cookie, as sent."""
    cookie = None
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, rest = value.partition(b" ")
            if scheme.lower() == b"bearer" and rest.strip():
                return rest.strip()
        elif name == b"cookie" and (SESSION_COOKIE in value or PORTAL_COOKIE in value):
            for part in value.split(b";"):
                part = part.strip()
                for prefix in (SESSION_COOKIE, PORTAL_COOKIE):
                    if part.startswith(prefix) and len(part) > len(prefix):
                        cookie = part[len(prefix) :]
    return cookie


class RateLimit:
    """Plain ASGI middleware, in front of admission: a refused caller never takes a place."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limits: Limits,
        refusals: Refusals | None = None,
        proxies: tuple[Network, ...] = (),
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app, self.limits, self.refusals, self.proxies = app, limits, refusals, proxies
        self.buckets = Buckets(limits.cap, now)
        self.known = Bounded(limits.cap)  # credential digest -> (principal key, principal label)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or unlimited(scope["path"]):
            await self.app(scope, receive, send)
            return
        token = credential(scope)
        tag = hashlib.blake2b(token, digest_size=16).digest() if token else None
        who = self.known.get(tag) if tag else None
        source = client_address(scope, self.proxies)
        if who is not None:
            kind = "read" if scope["method"] in READS else "write"
            wait = self.buckets.take((kind, who[0]), getattr(self.limits, kind))
        else:
            kind = "anonymous"
            wait = self.buckets.take((kind, source), self.limits.anonymous)
        if wait > 0:
            await self._refuse(scope, receive, send, kind, who[1] if who else "anonymous", source, wait)
            return
        status = [0]

        async def send_watching(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        state = scope.setdefault("state", {})
        try:
            await self.app(scope, receive, send_watching)
        finally:
            if tag is not None:
                self._learn(tag, status[0], state.get("principal"))

    def _learn(self, tag: bytes, status: int, principal: Any) -> None:
        if status == 401:
            self.known.pop(tag, None)  # logged out, revoked, expired: anonymous again
        elif principal is not None:
            self.known.touch(tag, lambda: (principal.key, principal.label))

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, kind: str, actor: str, source: str, wait: float
    ) -> None:
        LIMITED.labels(kind).inc()
        if self.refusals is not None:
            self.refusals.later(
                actor=actor,
                action="access.throttled",
                source=source,
                target=f"{scope['method']} {scope['path']}"[:200],
                reason=f"rate limit ({kind})",
            )
        exc = TooManyRequests(
            f"too many requests ({kind}): send again after Retry-After seconds", retry_after=wait,
            code="rate_limited",
        )  # fmt: skip
        await domain_problem(exc)(scope, receive, send)
