"""Login throttling (decision 0019), in the worker's memory, so that a password cannot be guessed and an
officer cannot be shut out by someone else:

- per (username, source address): the first `free_failures` wrong passwords cost nothing; after that each
  further attempt must wait 1, 2, 4 ... seconds (at most `max_delay`) after the last failure, and after
  `lockout_failures` failures the pair is locked for `lockout_seconds`. Only that address is locked: the
  officer at their own workstation logs in as usual. The lock expires; a quiet pair is forgotten.
- per source address, any username (password spraying): after `source_failures` failures within
  `lockout_seconds` the address may only try usernames it has logged in as before.
- per username, any source (a distributed attack on one account): after `account_failures` failures
  within `lockout_seconds` only the sources that have logged in as that officer before, and addresses in
  `trusted` (the customs network, HAIQUAN_LOGIN_TRUSTED_NETWORKS), may try.

The failure counts are in the worker's memory (with W workers an attacker gets up to W times the limits);
the sources an officer logged in from are shared by every worker through the database (kit.login_sources:
one upsert per successful login, one read by primary key only when an attempt would be refused for its
address or account), so that the worker which did not see the officer's earlier login lets them in too.

A refused attempt is answered 429 with Retry-After before any password is checked (no argon2 work, no
database, unless the address or account is blocked: then one look-up of the pair) and audited per source
and minute (kit.refusals). Memory is bounded by `cap` entries per table."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog

from haiquan.kit.errors import TooManyRequests
from haiquan.kit.login_sources import REMEMBER_GOOD, KnownSources
from haiquan.kit.ratelimit import Bounded
from haiquan.kit.sources import Network, client_address, within

log = structlog.get_logger(__name__)

GUARDED = ("source_blocked", "account_guarded")  # refusals a known (username, source) passes


@dataclass(frozen=True)
class LoginPolicy:
    free_failures: int = 3
    max_delay: float = 60.0
    lockout_failures: int = 10
    lockout_seconds: float = 900.0
    source_failures: int = 30
    account_failures: int = 50
    trusted: tuple[Network, ...] = ()
    cap: int = 20_000

    @classmethod
    def of(cls, s: Any) -> LoginPolicy:
        from haiquan.kit.sources import networks

        return cls(
            free_failures=s.login_free_failures,
            max_delay=s.login_max_delay_seconds,
            lockout_failures=s.login_lockout_failures,
            lockout_seconds=s.login_lockout_seconds,
            source_failures=s.login_source_failures,
            account_failures=s.login_account_failures,
            trusted=networks(s.login_trusted_networks),
            cap=s.rate_tracked_keys,
        )


@dataclass
class Pair:
    failures: int = 0
    last: float = 0.0
    locked_until: float = 0.0


@dataclass
class Window:
    """Failures counted from `since` for `lockout_seconds`."""

    since: float
    failures: int = 0


class LoginThrottle:
    def __init__(
        self,
        policy: LoginPolicy,
        now: Callable[[], float] = time.monotonic,
        known: KnownSources | None = None,
    ) -> None:
        self.policy, self.now, self.known = policy, now, known
        self._pairs = Bounded(policy.cap)
        self._sources = Bounded(policy.cap)
        self._accounts = Bounded(policy.cap)
        self._good = Bounded(policy.cap)
        self._lock = threading.Lock()  # the login routes run in worker threads

    def wait(self, username: str, source: str) -> tuple[float, str] | None:
        """(seconds to wait, why) when an attempt now is refused, else None."""
        with self._lock:
            refused = self._wait(username, source)
        if refused is None or refused[1] not in GUARDED:
            return refused
        age = self._shared_age(username, source)  # outside the lock: a database read
        if age is None:
            return refused
        with self._lock:  # known on another worker: remembered here too, as old as it is
            self._good.put((username, source), self.now() - age)
        return None

    def _wait(self, username: str, source: str) -> tuple[float, str] | None:
        t, p = self.now(), self.policy
        pair = self._pair(username, source, t)
        if pair is not None:
            if pair.locked_until > t:
                return pair.locked_until - t, "locked"
            if pair.failures >= p.free_failures:
                ready = pair.last + min(2.0 ** (pair.failures - p.free_failures), p.max_delay)
                if ready > t:
                    return ready - t, "slow_down"
        if self._known_good(username, source, t) or within(source, p.trusted):
            return None
        for table, key, limit, why in (
            (self._sources, source, p.source_failures, "source_blocked"),
            (self._accounts, username, p.account_failures, "account_guarded"),
        ):
            w = self._window(table, key, t)
            if w is not None and w.failures >= limit:
                return w.since + p.lockout_seconds - t, why
        return None

    def failed(self, username: str, source: str) -> None:
        with self._lock:
            t, p = self.now(), self.policy
            pair = self._pair(username, source, t) or self._pairs.touch((username, source), Pair)
            pair.failures += 1
            pair.last = t
            if pair.failures >= p.lockout_failures:
                pair.locked_until = t + p.lockout_seconds
            for table, key in ((self._sources, source), (self._accounts, username)):
                w = self._window(table, key, t) or table.touch(key, lambda: Window(t))
                w.failures += 1

    def succeeded(self, username: str, source: str) -> None:
        with self._lock:
            self._pairs.pop((username, source), None)
            self._good.put((username, source), self.now())
        if self.known is not None:
            try:
                self.known.remember(username, source)
            except Exception:  # the login itself is done: it stands, this worker remembers the source
                log.exception("login_source_not_remembered", username=username)

    def _shared_age(self, username: str, source: str) -> float | None:
        if self.known is None:
            return None
        try:
            return self.known.age(username, source)
        except Exception:  # the database does not answer: refused as an unknown source (the login would fail)
            log.exception("login_sources_unreadable", username=username)
            return None

    def _pair(self, username: str, source: str, t: float) -> Pair | None:
        pair: Pair | None = self._pairs.get((username, source))
        if pair is not None and pair.locked_until <= t and t - pair.last > self.policy.lockout_seconds:
            del self._pairs[(username, source)]  # quiet long enough: a clean slate
            return None
        return pair

    def _window(self, table: Bounded, key: str, t: float) -> Window | None:
        w: Window | None = table.get(key)
        if w is not None and t - w.since > self.policy.lockout_seconds:
            del table[key]
            return None
        return w

    def _known_good(self, username: str, source: str, t: float) -> bool:
        at = self._good.get((username, source))
        return at is not None and t - at < REMEMBER_GOOD


def _throttle(request: Any) -> LoginThrottle | None:
    return getattr(request.app.state, "logins", None)


def source_of(request: Any) -> str:
    return client_address(request.scope, getattr(request.app.state, "trusted_proxies", ()))


def check(request: Any, username: str) -> None:
    """Raise 429 (audited per source and minute) when this attempt must wait; else return."""
    throttle = _throttle(request)
    if throttle is None:
        return
    source = source_of(request)
    refused = throttle.wait(username, source)
    if refused is None:
        return
    seconds, why = refused
    refusals = getattr(request.app.state, "refusals", None)
    if refusals is not None and refusals.count(
        actor=f"officer:{username}", action="auth.login", source=source, target="auth", reason=why
    ):
        refusals.write(actor=f"officer:{username}", action="auth.login", source=source, target="auth",
                       reason=why)  # fmt: skip
    raise TooManyRequests(
        "too many wrong passwords: try again after Retry-After seconds", retry_after=seconds,
        code="login_throttled",
    )  # fmt: skip


def record(request: Any, username: str, *, ok: bool) -> None:
    """The outcome of a password check that was made."""
    throttle = _throttle(request)
    if throttle is not None:
        source = source_of(request)
        (throttle.succeeded if ok else throttle.failed)(username, source)
