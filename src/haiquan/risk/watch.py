"""Adapter to the watch lists (haiquan.risk.watchlist, owned by enforcement): imported lazily, treated
as empty when the module is not installed."""

from __future__ import annotations

import importlib
from typing import Any

from sqlalchemy.orm import Session

KINDS = ("enterprise", "consignee", "route", "hs_code", "country")


def _module() -> Any | None:
    try:
        return importlib.import_module("haiquan.risk.watchlist")
    except ImportError:
        return None


def available() -> bool:
    return _module() is not None


def load_sets(session: Session) -> dict[str, frozenset[str]]:
    """Every active watch-list value by kind (the engine keeps them in memory between refreshes)."""
    mod = _module()
    if mod is None:
        return {}
    out: dict[str, set[str]] = {k: set() for k in KINDS}
    for entry in mod.active_entries(session):
        out.setdefault(str(entry.kind), set()).add(str(entry.value).upper())
    return {k: frozenset(v) for k, v in out.items()}


def route_of(partner_country: str, office: str) -> str:
    """A route as the engine names it: the partner country and the office, e.g. 'CN>01AB'."""
    return f"{partner_country}>{office}".upper()


def hs_watched(values: frozenset[str], hs_code: str) -> bool:
    """An HS code is covered by a watched 4-, 6- or 8-digit code."""
    return any(hs_code[:n] in values for n in (4, 6, 8) if len(hs_code) >= n)
