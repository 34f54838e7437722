"""Provinces (ISO 3166-2:VN codes, as in UN/LOCODE's subdivision table), their region, and the province of
each customs department (by the first two characters of a unit code). Data files in `data/`, replaceable
after the 2025 merger of provinces."""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data"
REGIONS = {
    "north": ("Miền Bắc", "North"),
    "central": ("Miền Trung", "Central"),
    "south": ("Miền Nam", "South"),
}


@dataclass(frozen=True)
class Province:
    code: str
    name_vi: str
    name_en: str
    region: str
    economic_region: str

    def name(self, lang: str) -> str:
        return self.name_vi if lang == "vi" else self.name_en


def _fold(text: str) -> str:
    text = text.replace("Đ", "D").replace("đ", "d").replace("Ð", "D")
    text = "".join(ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn")
    return " ".join(text.lower().replace("tp ", "").split())


@lru_cache(maxsize=1)
def provinces() -> dict[str, Province]:
    with (DATA / "provinces.csv").open(encoding="utf-8", newline="") as fh:
        return {r["code"]: Province(**r) for r in csv.DictReader(fh)}


@lru_cache(maxsize=1)
def department_provinces() -> dict[str, str]:
    with (DATA / "departments.csv").open(encoding="utf-8", newline="") as fh:
        return {r["department"]: r["province"] for r in csv.DictReader(fh)}


@lru_cache(maxsize=1)
def _by_name() -> dict[str, str]:
    out = {}
    for p in provinces().values():
        out[_fold(p.name_vi)] = p.code
        out[_fold(p.name_en)] = p.code
    return out


def resolve_province(value: str) -> Province:
    """'VN-09', '09', 'Lạng Sơn' or 'Lang Son' → the province; ValueError otherwise."""
    raw = value.strip()
    code = raw.upper() if raw.upper().startswith("VN-") else f"VN-{raw.upper()}"
    found = provinces().get(code) or provinces().get(_by_name().get(_fold(raw), ""))
    if found is None:
        raise ValueError(f"{value!r} is not a Vietnamese province (ISO 3166-2 code such as VN-09, or a name)")
    return found


def province_of_unit(unit: str) -> Province | None:
    """The province of the customs department that a unit belongs to (by its first two characters)."""
    code = department_provinces().get(unit[:2])
    return provinces().get(code) if code else None
