"""A short-lived, in-process memory of authenticated callers, so that a terminal polling a status every few
milliseconds does not cost a database round trip for its API key each time; and of what every declaration
reads from the registers: enterprises' names by tax code.

An entry lives `TTL` seconds. Any change to an enterprise, its API keys or an officer made in this process
forgets every entry at once (mapper events); a change made by another process (another worker, the CLI)
is seen within `TTL` seconds. Officers are not remembered: their token is verified and their row (active,
unit, role) read on every request, so that deactivating an officer or changing their role holds at once in
every process. Offices' rosters are read from the officers' rows at every assignment
(declarations.assignment.rosters)."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from sqlalchemy import event

from haiquan.kit.auth import Principal
from haiquan.organization.tables import ApiKeyRow, EnterpriseRow, OfficerRow

TTL = 5.0
MAX_ENTRIES = 10_000
V = TypeVar("V")
_lock = threading.Lock()


class Memory(Generic[V]):
    """Values by key, each kept TTL seconds; `load()` fills a miss (and may raise: nothing is kept then)."""

    def __init__(self) -> None:
        self.entries: dict[str, tuple[V, float]] = {}

    def peek(self, key: str) -> V | None:
        hit = self.entries.get(key)
        return hit[0] if hit is not None and hit[1] > time.monotonic() else None

    def get(self, key: str, load: Callable[[], V]) -> V:
        now = time.monotonic()
        hit = self.entries.get(key)
        if hit is not None and hit[1] > now:
            return hit[0]
        value = load()
        with _lock:
            if len(self.entries) >= MAX_ENTRIES:
                self.entries.clear()
            self.entries[key] = (value, now + TTL)
        return value


_callers: Memory[Principal] = Memory()
_names: Memory[str] = Memory()


def _slot(kind: str, credential: str) -> str:
    return kind + ":" + hashlib.sha256(credential.encode()).hexdigest()


def remembered(kind: str, credential: str, load: Callable[[], Principal]) -> Principal:
    """The principal for a credential: from memory while fresh, else `load()` (which raises if invalid;
    refusals are never remembered)."""
    return _callers.get(_slot(kind, credential), load)


def peek(kind: str, credential: str) -> Principal | None:
    """The principal for a credential if remembered and fresh, without loading anything."""
    return _callers.peek(_slot(kind, credential))


def remembered_name(tax_code: str, load: Callable[[], str]) -> str:
    """An enterprise's registered name by tax code ("" when not registered): a declaration names its
    importer and exporter from the register on every lodging."""
    return _names.get(tax_code, load)


def forget_all() -> None:
    with _lock:
        for memory in (_callers, _names):
            memory.entries.clear()


def _forget(*_: Any) -> None:
    forget_all()


for _cls in (EnterpriseRow, ApiKeyRow, OfficerRow):
    for _name in ("after_insert", "after_update", "after_delete"):
        event.listen(_cls, _name, _forget)
