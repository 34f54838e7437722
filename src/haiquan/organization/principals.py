"""A short-lived, in-process memory of authenticated callers, so that a terminal polling a status every few
milliseconds does not cost a database round trip for its API key each time; and of enterprises' names by
tax code, which every declaration fills in.

An entry lives `TTL` seconds. Any change to an enterprise, its API keys or an officer made in this process
forgets every entry at once (mapper events); a change made by another process (another worker, the CLI)
is seen within `TTL` seconds. Officer tokens are still verified on every request; only the officer's row
(active, unit, role) is remembered."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event

from haiquan.kit.auth import Principal
from haiquan.organization.tables import ApiKeyRow, EnterpriseRow, OfficerRow

TTL = 5.0
MAX_ENTRIES = 10_000

_entries: dict[str, tuple[Principal, float]] = {}
_lock = threading.Lock()


def _slot(kind: str, credential: str) -> str:
    return kind + ":" + hashlib.sha256(credential.encode()).hexdigest()


def remembered(kind: str, credential: str, load: Callable[[], Principal]) -> Principal:
    """The principal for a credential: from memory while fresh, else `load()` (which raises if invalid;
    refusals are never remembered)."""
    slot = _slot(kind, credential)
    now = time.monotonic()
    hit = _entries.get(slot)
    if hit is not None and hit[1] > now:
        return hit[0]
    principal = load()
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[slot] = (principal, now + TTL)
    return principal


_names: dict[str, tuple[str, float]] = {}


def remembered_name(tax_code: str, load: Callable[[], str]) -> str:
    """An enterprise's registered name by tax code ("" when not registered), remembered like callers: a
    declaration names its importer and exporter from the register on every lodging."""
    now = time.monotonic()
    hit = _names.get(tax_code)
    if hit is not None and hit[1] > now:
        return hit[0]
    name = load()
    with _lock:
        if len(_names) >= MAX_ENTRIES:
            _names.clear()
        _names[tax_code] = (name, now + TTL)
    return name


_rosters: dict[str, tuple[list[tuple[str, str]], float]] = {}


def remembered_roster(office: str, load: Callable[[], list[tuple[str, str]]]) -> list[tuple[str, str]]:
    """The (id, username) of the officers on an office's roster, remembered like callers (any officer
    change in this process forgets it; elsewhere within TTL): every yellow or red registration reads it."""
    now = time.monotonic()
    hit = _rosters.get(office)
    if hit is not None and hit[1] > now:
        return hit[0]
    officers = load()
    with _lock:
        _rosters[office] = (officers, now + TTL)
    return officers


def peek(kind: str, credential: str) -> Principal | None:
    """The principal for a credential if remembered and fresh, without loading anything."""
    hit = _entries.get(_slot(kind, credential))
    return hit[0] if hit is not None and hit[1] > time.monotonic() else None


def forget_all() -> None:
    with _lock:
        _entries.clear()
        _names.clear()
        _rosters.clear()


def _forget(*_: Any) -> None:
    forget_all()


for _cls in (EnterpriseRow, ApiKeyRow, OfficerRow):
    for _name in ("after_insert", "after_update", "after_delete"):
        event.listen(_cls, _name, _forget)
