"""Who belongs to which trade agreement, from the shipped file `data/trade_agreements.csv` (its `source`
column names the agreement and the Vietnamese decree of each row; format in docs/reference-data.md).
Read once, checked row by row like the other reference files."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from haiquan.reference import validators
from haiquan.reference.domain import DATA_DIR, PREFERENCE_SCHEMES, ReferenceFileError, _Rows

AGREEMENTS_FILE = DATA_DIR / "trade_agreements.csv"
AGREEMENT_COLUMNS = ("scheme", "country", "since", "source")


@dataclass(frozen=True)
class Membership:
    scheme: str
    country: str
    since: date
    source: str


def read_agreements(path: Path = AGREEMENTS_FILE) -> list[Membership]:
    """Every (scheme, country) row: a scheme of the tariff's columns, an ISO 3166-1 alpha-2 country, the
    date from which goods of that origin may have the scheme's rate, and the source (required)."""
    rows = _Rows(path, AGREEMENT_COLUMNS)
    out: dict[tuple[str, str], Membership] = {}
    for n, v in rows:
        scheme = v["scheme"].upper()
        if scheme not in PREFERENCE_SCHEMES:
            raise rows.error(f"{v['scheme']!r} is not one of {', '.join(PREFERENCE_SCHEMES)}", n, "scheme")
        try:
            country = validators.country(v["country"])
        except ValueError as exc:
            raise rows.error(str(exc), n, "country") from None
        try:
            since = date.fromisoformat(v["since"])
        except ValueError:
            raise rows.error(f"{v['since']!r} is not a date (YYYY-MM-DD)", n, "since") from None
        if (scheme, country) in out:
            raise rows.error(f"{country} is already a member of {scheme}", n, "country")
        source = rows.text(v, "source", n, max_len=500)
        out[(scheme, country)] = Membership(scheme, country, since, source)
    _every_scheme_has_members(out.values(), path.name)
    return list(out.values())


def _every_scheme_has_members(rows: Iterable[Membership], file: str) -> None:
    missing = set(PREFERENCE_SCHEMES) - {m.scheme for m in rows}
    if missing:
        raise ReferenceFileError(f"no members for {', '.join(sorted(missing))}", file=file)


@lru_cache(maxsize=4)
def _index(path: Path) -> dict[str, tuple[tuple[str, date], ...]]:
    index: dict[str, list[tuple[str, date]]] = {}
    for m in read_agreements(path):
        index.setdefault(m.scheme, []).append((m.country, m.since))
    return {k: tuple(v) for k, v in index.items()}


@lru_cache(maxsize=1024)
def members(scheme: str, on: date, *, path: Path = AGREEMENTS_FILE) -> frozenset[str]:
    """The countries whose goods may have `scheme`'s rate on `on` (empty for an unknown scheme)."""
    return frozenset(c for c, since in _index(path).get(scheme.upper(), ()) if since <= on)
