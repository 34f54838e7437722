"""Bounds on password hashing (argon2): how many checks run at once in a worker, and the same work for
a username that does not exist.

argon2's memory cost is what makes guessing expensive, and it is paid per check: with the library's
defaults (64 MiB, 4 lanes) each login holds 64 MiB for its duration, and the 40 worker threads that serve
synchronous routes checked 40 passwords at once: 40 wrong logins sent together grew a worker by 1.3 GB
(issue #25). At most `concurrency` checks now run at once per worker (memory: concurrency x memory cost);
the others wait their turn, at most `WAIT` seconds, then answer 503 with Retry-After. Logins are few and
each check takes tens of milliseconds, so the line is short; a flood of them is throttled before it gets
here (kit.logins).

An unknown or deactivated username is checked against a dummy hash made with the same parameters, so the
answer takes as long as for a real officer's wrong password: the time does not say which usernames exist."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from haiquan.kit.errors import Busy

T = TypeVar("T")
WAIT = 10.0

_slots = threading.BoundedSemaphore(2)
_dummy: dict[tuple[object, ...], str] = {}  # the hasher's parameters -> a hash made with them


def configure(concurrency: int) -> None:
    global _slots
    _slots = threading.BoundedSemaphore(concurrency)


@contextmanager
def slot() -> Iterator[None]:
    """One of the worker's password-hashing places, or 503 after WAIT seconds."""
    slots = _slots
    if not slots.acquire(timeout=WAIT):
        raise Busy("too many logins at once: try again in a moment", code="login_busy")
    try:
        yield
    finally:
        slots.release()


def dummy_hash(hasher: object, make: Callable[[str], str]) -> str:
    """A hash made by `hasher` (so checking against it costs what checking a real one does)."""
    names = ("time_cost", "memory_cost", "parallelism", "hash_len", "salt_len", "type")
    key = (type(hasher).__name__, *(getattr(hasher, n, None) for n in names))
    found = _dummy.get(key)
    if found is None:
        found = _dummy[key] = make("not a password: a dummy for unknown usernames")
    return found
