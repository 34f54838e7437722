"""Each request's outcome, told apart the way the criteria need it: an answer (its status), a connection
refused (nothing listening: the server was down), a connection cut without an answer (the process holding
it was killed), or an accepted connection with no answer within the timeout (unanswered: must be 0)."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

ANSWERED, REFUSED, CUT, UNANSWERED = "answered", "refused while down", "cut by a kill", "unanswered"


@dataclass
class Outcome:
    kind: str
    status: int = 0
    seconds: float = 0.0
    body: Any = None
    retry_after: str | None = None


@dataclass
class Tally:
    kinds: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)

    def add(self, o: Outcome) -> None:
        self.kinds[o.kind] += 1
        if o.kind == ANSWERED:
            self.statuses[o.status] += 1
            self.latencies.append(o.seconds)

    def fivexx(self) -> int:
        return sum(n for s, n in self.statuses.items() if s >= 500 and s != 503)

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcomes": dict(self.kinds),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
        }


def client(base: str, timeout: float, connections: int = 100) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    t = httpx.Timeout(timeout, connect=min(10.0, timeout), pool=None)
    return httpx.AsyncClient(base_url=base, timeout=t, limits=limits)


async def call(c: httpx.AsyncClient, method: str, url: str, **kw: Any) -> Outcome:
    t0 = time.perf_counter()
    try:
        r = await c.request(method, url, **kw)
    except httpx.ConnectError:
        return Outcome(REFUSED, seconds=time.perf_counter() - t0)
    except httpx.TimeoutException as exc:
        if isinstance(exc, httpx.ConnectTimeout):
            return Outcome(REFUSED, seconds=time.perf_counter() - t0)
        return Outcome(UNANSWERED, seconds=time.perf_counter() - t0)
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
        return Outcome(CUT, seconds=time.perf_counter() - t0)
    body: Any = None
    if r.headers.get("content-type", "").startswith(("application/json", "application/problem+json")):
        body = r.json()
    return Outcome(ANSWERED, r.status_code, time.perf_counter() - t0, body, r.headers.get("retry-after"))


def pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(p / 100 * len(s)))]
