"""Validators for codes that arrive from outside: tax codes, container numbers, HS, countries, currencies,
UN/LOCODE, instants. Pure functions; each raises ValueError with a message an integrator can act on."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated

import pycountry
from pydantic import AfterValidator
from stdnum import iso6346
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.vn import mst

FIRST_YEAR, LAST_YEAR = 2000, 2099
_HS8 = re.compile(r"^\d{8}$")
_LOCODE = re.compile(r"^[A-Z]{2}[A-Z2-9]{3}$")


class FieldProblem(ValueError):
    """A rule over several fields, naming the one the sender must fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def nul_field(data: object) -> str | None:
    """The first key of a raw object whose text (or list of texts) holds a NUL character: PostgreSQL
    cannot store one, so it must be refused as the sender's mistake before it reaches the database."""
    if isinstance(data, dict):
        for key, value in data.items():
            texts = value if isinstance(value, list) else [value]
            if any(isinstance(t, str) and "\x00" in t for t in texts):
                return str(key)
    return None


def instant(value: datetime) -> datetime:
    """A moment sent from outside: with its UTC offset, between 2000 and 2099 (a typo in the year must be
    a 4xx naming the field, not a date the database cannot store)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{value.isoformat()} needs a UTC offset (e.g. 2026-05-01T08:00:00+07:00)")
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not FIRST_YEAR <= utc.year <= LAST_YEAR:
        raise ValueError(f"{value.isoformat()} is not between {FIRST_YEAR} and {LAST_YEAR}")
    return value


Instant = Annotated[datetime, AfterValidator(instant)]


def tax_code(value: str) -> str:
    """A Vietnamese enterprise tax code (mã số thuế): 10 digits, or 13 for a branch, with its check digit."""
    raw = value.strip()
    try:
        return str(mst.validate(raw))
    except StdnumError as exc:
        raise ValueError(
            f"{raw!r} is not a valid Vietnamese tax code (10 or 13 digits with a check digit)"
        ) from exc


_ISO6346 = re.compile(r"^\w{3}[UJZR]\d{7}$")
_ISO6346_VALUE = {ch: i for i, ch in enumerate("0123456789A BCDEFGHIJK LMNOPQRSTU VWXYZ") if ch != " "}


def _iso6346_ok(raw: str) -> bool:
    """The check of python-stdnum's iso6346.validate, without its overhead (a terminal batch checks 1,000)."""
    if len(raw) != 11 or not _ISO6346.match(raw) or any(ch not in _ISO6346_VALUE for ch in raw[:10]):
        return False
    total = sum(_ISO6346_VALUE[ch] << i for i, ch in enumerate(raw[:10]))
    return str(total % 11 % 10) == raw[10]


def container_number(value: str) -> str:
    """An ISO 6346 container number: owner code, category, 6-digit serial and check digit."""
    raw = value.strip().upper().replace(" ", "")
    if _iso6346_ok(raw):
        return raw
    try:
        return str(iso6346.validate(raw))
    except StdnumError as exc:
        if len(raw) == 11 and raw[:10].isalnum():
            expected = (
                iso6346.calc_check_digit(raw[:10]) if re.match(r"^[A-Z]{3}[UJZ]\d{6}$", raw[:10]) else "?"
            )
            raise ValueError(f"{raw!r}: check digit should be {expected} (ISO 6346)") from exc
        raise ValueError(f"{raw!r} is not an ISO 6346 container number (e.g. CSQU3054383)") from exc


def hs_code(value: str) -> str:
    raw = value.strip().replace(".", "")
    if not _HS8.match(raw):
        raise ValueError(f"{value!r}: an HS code on a declaration line has 8 digits (national tariff line)")
    return raw


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


@lru_cache(maxsize=1)
def _currencies() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.currencies)


def country(value: str) -> str:
    raw = value.strip().upper()
    if raw not in _countries():
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
    return raw


def currency(value: str) -> str:
    raw = value.strip().upper()
    if raw not in _currencies():
        raise ValueError(f"{value!r} is not an ISO 4217 currency code")
    return raw


def locode(value: str) -> str:
    """A UN/LOCODE: country (ISO 3166) + 3 characters, e.g. VNHPH (Hai Phong), VNHAN (Hanoi)."""
    raw = value.strip().upper().replace(" ", "")
    if not _LOCODE.match(raw) or raw[:2] not in _countries():
        raise ValueError(f"{value!r} is not a UN/LOCODE (country code + 3 characters, e.g. VNHPH)")
    return raw
