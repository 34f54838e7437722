"""UN/LOCODE names for Vietnamese places (ports, airports) and Viet Nam's UN/LOCODE subdivisions, read once
from the shipped files (see data/LICENSE-unlocode.txt)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from haiquan.reference import validators
from haiquan.reference.domain import DATA_DIR, ReferenceFileError

LOCODES_FILE = DATA_DIR / "locodes_vn.csv"
SUBDIVISIONS_FILE = DATA_DIR / "unlocode_vn_subdivisions.csv"


@dataclass(frozen=True)
class Location:
    locode: str
    name: str
    name_vi: str
    subdivision: str | None
    kind: str


@lru_cache(maxsize=4)
def subdivisions(path: Path = SUBDIVISIONS_FILE) -> dict[str, str]:
    """Viet Nam's UN/LOCODE subdivision codes (e.g. HP, SG, 43) → names."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return {r["SUCode"]: r["SUName"] for r in csv.DictReader(fh) if r["SUCountry"] == "VN"}


@lru_cache(maxsize=4)
def locations(path: Path = LOCODES_FILE) -> dict[str, Location]:
    """The curated locations, checked: valid UN/LOCODE, unique, subdivision known when given."""
    known = subdivisions()
    out: dict[str, Location] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for n, r in enumerate(csv.DictReader(fh), start=2):
            try:
                code = validators.locode(r["locode"])
            except ValueError as exc:
                raise ReferenceFileError(str(exc), file=path.name, row=n, column="locode") from None
            if code in out:
                raise ReferenceFileError(f"{code} appears twice", file=path.name, row=n, column="locode")
            sub = (r["subdivision"] or "").strip() or None
            if sub is not None and sub not in known:
                raise ReferenceFileError(
                    f"unknown subdivision {sub!r}", file=path.name, row=n, column="subdivision"
                )
            out[code] = Location(code, r["name"].strip(), r["name_vi"].strip(), sub, r["kind"].strip())
    return out


def locode_name(code: str, *, vietnamese: bool = False) -> str | None:
    """The name of a listed location (VNHPH → "Haiphong"), or None when the code is unknown or malformed."""
    try:
        key = validators.locode(code)
    except ValueError:
        return None
    loc = locations().get(key)
    if loc is None:
        return None
    return loc.name_vi if vietnamese else loc.name
