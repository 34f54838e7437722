"""Public reference data, the same for every caller (no scope: nothing here belongs to anyone): the
national tariff lines with their rates per scheme, the exchange rates in force on a day, the HS search
index and the procedure codes. Read from the reference cache (reference.service), and the search index
built once per database and kept as long as its snapshot."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.reference import service, words
from haiquan.reference.domain import PREFERENCE_SCHEMES
from haiquan.reference.tables import HSCodeRow, TariffLineRow


@dataclass(frozen=True)
class Index:
    snapshot: object  # the reference cache's snapshot it was built from: rebuilt with the next one
    entries: tuple[words.Entry, ...]


_index: dict[int, Index] = {}
_lock = threading.Lock()


def rates_of(line: TariffLineRow) -> dict[str, Decimal]:
    """Every rate of a line by scheme: MFN (the normal import rate), each preference scheme the file records
    (ATIGA, ACFTA, ...), and VAT, excise and export duty."""
    rates = {"MFN": Decimal(line.mfn_rate)}
    for scheme in PREFERENCE_SCHEMES:
        rate = service.preferential_rate(line, scheme)
        if rate is not None:
            rates[scheme] = rate
    rates |= {"VAT": Decimal(line.vat_rate), "EXCISE": Decimal(line.excise_rate),
              "EXPORT": Decimal(line.export_rate)}  # fmt: skip
    return rates


def unscoped_tariff_line(session: Session, hs8: str) -> TariffLineRow | None:
    return service.tariff_line(session, hs8=hs8)


def unscoped_tariff_lines(session: Session, prefix: str, *, limit: int) -> list[TariffLineRow]:
    lines = service.CACHE.get(session).tariff
    return [lines[c] for c in sorted(lines) if c.startswith(prefix)][:limit]


def unscoped_rates_on(session: Session, on: date) -> list[tuple[str, date, Decimal]]:
    """(currency, valid from, VND per unit) of every currency with a rate in force on `on`."""
    out = []
    for currency in sorted(service.CACHE.get(session).rates):
        entry = service.exchange_rate_entry(session, currency=currency, on=on)
        if entry is not None:
            out.append((currency, entry[0], entry[1]))
    return out


def unscoped_search(session: Session, query: str, *, limit: int) -> list[words.Hit]:
    return words.search(_entries(session), query, limit=limit)


def _entries(session: Session) -> tuple[words.Entry, ...]:
    snap = service.CACHE.get(session)
    key = id(service._engine(session))
    found = _index.get(key)
    if found is not None and found.snapshot is snap:
        return found.entries
    with _lock:
        headings = session.execute(select(HSCodeRow.code, HSCodeRow.description)).all()
        lines = [
            words.Entry.of(c, t.description_en, t.description_vi) for c, t in sorted(snap.tariff.items())
        ]
        entries = tuple([*(words.Entry.of(c, d) for c, d in sorted(headings)), *lines])
        _index[key] = Index(snap, entries)
    return entries
