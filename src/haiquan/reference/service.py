"""Use cases of reference data: load the HS nomenclature, the national tariff and exchange rates (idempotent
upserts that never commit), and the lookups that lodging uses on its hot path, served from an in-process
cache that a load invalidates."""

from __future__ import annotations

import bisect
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from haiquan.reference import domain
from haiquan.reference.domain import HSEntry, RateEntry, ReferenceFileError, TariffEntry
from haiquan.reference.tables import ExchangeRateRow, HSCodeRow, TariffLineRow

__all__ = [
    "CACHE",
    "ReferenceFileError",
    "exchange_rate",
    "exchange_rate_entry",
    "hs_exists",
    "load_exchange_rates",
    "load_hs",
    "load_tariff",
    "tariff_line",
]

Row = TypeVar("Row", HSCodeRow, TariffLineRow, ExchangeRateRow)
VND = "VND"


# ---------------------------------------------------------------- loading


def _upsert(
    session: Session,
    model: type[Row],
    entries: Sequence[Any],
    *,
    key: Callable[[Any], Any],
    values: Callable[[Any], dict[str, Any]],
) -> dict[str, int]:
    """Insert new rows, update changed ones, leave equal ones alone. Rows absent from the file stay."""
    existing: dict[Any, Row] = {key(r): r for r in session.scalars(select(model)).all()}
    added = changed = 0
    for entry in entries:
        new = values(entry)
        row = existing.get(key(entry))
        if row is None:
            session.add(model(**new))
            added += 1
        elif any(getattr(row, k) != v for k, v in new.items()):
            for k, v in new.items():
                setattr(row, k, v)
            changed += 1
    session.flush()
    CACHE.invalidate_after_commit(session)
    return {
        "added": added,
        "changed": changed,
        "unchanged": len(entries) - added - changed,
        "total": len(entries),
    }


def _hs_values(e: HSEntry) -> dict[str, Any]:
    return {
        "code": e.code,
        "level": e.level,
        "section": e.section,
        "parent": e.parent,
        "description": e.description,
    }


def _tariff_values(e: TariffEntry) -> dict[str, Any]:
    return {
        "hs8": e.hs8,
        "description_vi": e.description_vi,
        "description_en": e.description_en,
        "unit": e.unit,
        "mfn_rate": e.mfn_rate,
        "vat_rate": e.vat_rate,
        "excise_rate": e.excise_rate,
        "export_rate": e.export_rate,
        # JSON keeps decimals as strings so that 0.5 stays exactly 0.5.
        "preferential": {k: str(v) for k, v in sorted(e.preferential.items())},
    }


def _rate_values(e: RateEntry) -> dict[str, Any]:
    return {"currency": e.currency, "valid_from": e.valid_from, "vnd_per_unit": e.vnd_per_unit}


def load_hs(session: Session, *, path: Path | None = None) -> dict[str, int]:
    """Upsert the HS nomenclature (2/4/6-digit codes) from `path` or the shipped HS 2022 file."""
    entries = domain.read_hs(path or domain.HS_FILE)
    return _upsert(session, HSCodeRow, entries, key=lambda e: e.code, values=_hs_values)


def load_tariff(session: Session, *, path: Path | None = None) -> dict[str, int]:
    """Upsert national tariff lines. When an HS nomenclature is loaded, each line must fall under one of
    its 6-digit subheadings."""
    six = frozenset(session.scalars(select(HSCodeRow.code).where(HSCodeRow.level == 6)).all())
    entries = domain.read_tariff(path or domain.TARIFF_FILE, known_hs6=six or None)
    return _upsert(session, TariffLineRow, entries, key=lambda e: e.hs8, values=_tariff_values)


def load_exchange_rates(session: Session, *, path: Path | None = None) -> dict[str, int]:
    """Upsert exchange rates (currency, valid_from) → VND per unit."""
    entries = domain.read_rates(path or domain.RATES_FILE)
    return _upsert(
        session, ExchangeRateRow, entries, key=lambda e: (e.currency, e.valid_from), values=_rate_values
    )


# ---------------------------------------------------------------- cache


@dataclass
class _Snapshot:
    hs: frozenset[str]
    tariff: dict[str, TariffLineRow]
    rates: dict[str, tuple[list[date], list[Decimal]]]
    loaded_at: float = field(default_factory=time.monotonic)


class ReferenceCache:
    """One snapshot of the reference tables per database engine, read once and kept until a load in this
    process commits, `invalidate()` is called, or `ttl` seconds pass (loads run by another process)."""

    def __init__(self, ttl: float = 300.0) -> None:
        self.ttl = ttl
        self._snapshots: weakref.WeakKeyDictionary[Engine, _Snapshot] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def get(self, session: Session) -> _Snapshot:
        engine = _engine(session)
        snap = self._snapshots.get(engine)
        if snap is not None and time.monotonic() - snap.loaded_at <= self.ttl:
            return snap
        with self._lock:
            snap = self._snapshots.get(engine)
            if snap is None or time.monotonic() - snap.loaded_at > self.ttl:
                snap = _read_snapshot(session)
                self._snapshots[engine] = snap
            return snap

    def invalidate(self) -> None:
        with self._lock:
            self._snapshots.clear()

    def invalidate_after_commit(self, session: Session) -> None:
        """Drop the snapshot now and again when the loading transaction ends (commit or rollback), so that
        nobody keeps rows read from the old tables, or from the uncommitted new ones, in between."""
        self.invalidate()
        for name in ("after_commit", "after_rollback"):
            event.listen(session, name, lambda _s: self.invalidate(), once=True)


def _engine(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


_TARIFF_FIELDS = (
    "hs8",
    "description_vi",
    "description_en",
    "unit",
    "mfn_rate",
    "vat_rate",
    "excise_rate",
    "export_rate",
)


def _detached_tariff(row: TariffLineRow) -> TariffLineRow:
    """A transient copy: safe to share between threads and sessions, never flushed by accident."""
    values: dict[str, Any] = {n: getattr(row, n) for n in _TARIFF_FIELDS}
    return TariffLineRow(**values, preferential=dict(row.preferential or {}))


def _read_snapshot(session: Session) -> _Snapshot:
    from haiquan.reference import reference_data  # the procedure codes applied here, re-read with the rest

    reference_data.read_applied(session)
    hs = frozenset(session.scalars(select(HSCodeRow.code)).all())
    tariff = {r.hs8: _detached_tariff(r) for r in session.scalars(select(TariffLineRow)).all()}
    rates: dict[str, tuple[list[date], list[Decimal]]] = {}
    query = select(ExchangeRateRow.currency, ExchangeRateRow.valid_from, ExchangeRateRow.vnd_per_unit)
    for currency, valid_from, amount in session.execute(query.order_by("currency", "valid_from")):
        days, amounts = rates.setdefault(currency, ([], []))
        days.append(valid_from)
        amounts.append(Decimal(amount))
    return _Snapshot(hs=hs, tariff=tariff, rates=rates)


CACHE = ReferenceCache()


# ---------------------------------------------------------------- lookups


def tariff_line(session: Session, *, hs8: str) -> TariffLineRow | None:
    """The national tariff line of an 8-digit code (dots allowed: 8517.13.00), or None. The row returned is
    a detached copy: read it, do not add it to a session."""
    return CACHE.get(session).tariff.get(hs8.strip().replace(".", ""))


def exchange_rate_entry(session: Session, *, currency: str, on: date) -> tuple[date, Decimal] | None:
    """The rate of `currency` on `on`: the row with the latest valid_from not after `on`, as (valid_from,
    VND per unit); None when the currency is unknown or has no rate yet on that date."""
    code = currency.strip().upper()
    if code == VND:
        return (date.min, Decimal(1))
    series = CACHE.get(session).rates.get(code)
    if series is None:
        return None
    days, amounts = series
    i = bisect.bisect_right(days, on) - 1
    return None if i < 0 else (days[i], amounts[i])


def exchange_rate(session: Session, *, currency: str, on: date) -> Decimal | None:
    """VND per one unit of `currency` on `on` (VND → 1), or None."""
    entry = exchange_rate_entry(session, currency=currency, on=on)
    return None if entry is None else entry[1]


def hs_exists(session: Session, *, code: str) -> bool:
    """Whether a 2-, 4- or 6-digit code is in the loaded HS nomenclature; an 8-digit national code exists
    when its 6-digit subheading does."""
    raw = code.strip().replace(".", "")
    if not raw.isdigit() or len(raw) not in (2, 4, 6, 8):
        return False
    return raw[:6] in CACHE.get(session).hs


def preferential_rate(line: TariffLineRow, scheme: str) -> Decimal | None:
    """The rate of a preference scheme (ATIGA, ACFTA, ...) on a line, or None when the file records none."""
    value = (line.preferential or {}).get(scheme.upper())
    return None if value is None else Decimal(str(value))
