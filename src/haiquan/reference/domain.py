"""Reference files: their formats and the rules every row must pass. Pure: reads CSV text into dataclasses,
raising ReferenceFileError that names the file, the row (spreadsheet numbering: the header is row 1) and
the column."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from haiquan.reference import validators

DATA_DIR = Path(__file__).parent / "data"
HS_FILE = DATA_DIR / "harmonized-system.csv"
TARIFF_FILE = DATA_DIR / "tariff_vn_sample.csv"
RATES_FILE = DATA_DIR / "exchange_rates.csv"

HS_COLUMNS = ("section", "hscode", "description", "parent", "level")
PREFERENCE_SCHEMES = ("ATIGA", "ACFTA", "AKFTA", "VKFTA", "CPTPP", "EVFTA")
TARIFF_COLUMNS = (
    "hs8",
    "description_vi",
    "description_en",
    "unit",
    "mfn_rate",
    "vat_rate",
    "excise_rate",
    "export_rate",
    *(f"{s.lower()}_rate" for s in PREFERENCE_SCHEMES),
)
RATE_COLUMNS = ("currency", "valid_from", "vnd_per_unit")
VAT_RATES = frozenset({Decimal(0), Decimal(5), Decimal(8), Decimal(10)})
MAX_RATE = Decimal("9999.999")  # Numeric(7, 3)
MAX_VND = Decimal("99999999999999.9999")  # Numeric(18, 4)
_SECTION = re.compile(r"^[IVX]{1,5}$")
# Rows of the Comtrade build of the HS file that are not part of the nomenclature (chapter 99, TOTAL).
_HS_ARTEFACT_SECTION = "TOTAL"


class ReferenceFileError(ValueError):
    """A reference file that cannot be loaded: which file, which row, which column, and why."""

    def __init__(self, message: str, *, file: str, row: int | None = None, column: str | None = None) -> None:
        self.file = file
        self.row = row
        self.column = column
        self.reason = message
        where = file + (f", row {row}" if row is not None else "") + (f", column {column}" if column else "")
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class HSEntry:
    code: str
    level: int
    section: str
    parent: str | None
    description: str


@dataclass(frozen=True)
class TariffEntry:
    hs8: str
    description_vi: str
    description_en: str
    unit: str
    mfn_rate: Decimal
    vat_rate: Decimal
    excise_rate: Decimal
    export_rate: Decimal
    preferential: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class RateEntry:
    currency: str
    valid_from: date
    vnd_per_unit: Decimal


class _Rows:
    """Reads a CSV with a header; yields (row number, dict) and raises errors that name the file."""

    def __init__(self, path: Path, required: Iterable[str]) -> None:
        self.path = path
        self.name = path.name
        self.required = tuple(required)

    def error(self, message: str, row: int | None = None, column: str | None = None) -> ReferenceFileError:
        return ReferenceFileError(message, file=self.name, row=row, column=column)

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        try:
            fh = self.path.open(encoding="utf-8-sig", newline="")
        except OSError as exc:
            raise self.error(f"cannot open: {exc.strerror or exc}") from exc
        with fh:
            reader = csv.DictReader(fh)
            try:
                header = reader.fieldnames or []
            except (csv.Error, UnicodeDecodeError) as exc:
                raise self.error(f"not a UTF-8 CSV file: {exc}", row=1) from exc
            missing = [c for c in self.required if c not in header]
            if missing:
                raise self.error(f"missing column(s): {', '.join(missing)}", row=1, column=missing[0])
            number = 1
            try:
                for raw in reader:
                    number += 1
                    if None in raw:
                        raise self.error("more cells than header columns", row=number)
                    yield number, {k: (v or "").strip() for k, v in raw.items() if k is not None}
            except (csv.Error, UnicodeDecodeError) as exc:
                raise self.error(f"unreadable CSV: {exc}", row=number + 1) from exc

    def text(
        self, values: dict[str, str], column: str, row: int, *, max_len: int, required: bool = True
    ) -> str:
        value = values.get(column, "")
        if required and not value:
            raise self.error("is empty", row, column)
        if len(value) > max_len:
            raise self.error(f"longer than {max_len} characters", row, column)
        return value

    def decimal(
        self, values: dict[str, str], column: str, row: int, *, places: int, maximum: Decimal
    ) -> Decimal:
        value = values.get(column, "")
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise self.error(f"{value!r} is not a number", row, column) from None
        if not number.is_finite() or number < 0:
            raise self.error(f"{value!r} must be a number of 0 or more", row, column)
        if number > maximum:
            raise self.error(f"{value} is larger than {maximum}", row, column)
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            raise self.error(f"{value} has more than {places} decimal places", row, column)
        return number


def read_hs(path: Path = HS_FILE) -> list[HSEntry]:
    """The HS nomenclature in the layout of github.com/datasets/harmonized-system."""
    rows = _Rows(path, HS_COLUMNS)
    out: dict[str, HSEntry] = {}
    for n, v in rows:
        if v["section"] == _HS_ARTEFACT_SECTION or v["hscode"] == _HS_ARTEFACT_SECTION:
            continue
        code = v["hscode"]
        if not code.isdigit() or len(code) not in (2, 4, 6):
            raise rows.error(f"{code!r} is not a 2-, 4- or 6-digit HS code", n, "hscode")
        if v["level"] != str(len(code)):
            raise rows.error(f"level {v['level']!r} does not match the {len(code)}-digit code", n, "level")
        if not _SECTION.match(v["section"]):
            raise rows.error(f"{v['section']!r} is not a section number (I to XXI)", n, "section")
        parent = None if v["parent"] in ("", _HS_ARTEFACT_SECTION) else v["parent"]
        if len(code) > 2 and (parent is None or not code.startswith(parent) or len(parent) != len(code) - 2):
            raise rows.error(f"parent {v['parent']!r} is not the heading above {code}", n, "parent")
        if code in out:
            raise rows.error(f"{code} appears twice", n, "hscode")
        description = rows.text(v, "description", n, max_len=1000)
        out[code] = HSEntry(code, len(code), v["section"], parent, description)
    if not out:
        raise rows.error("no HS codes in the file")
    return list(out.values())


def read_tariff(path: Path = TARIFF_FILE, *, known_hs6: frozenset[str] | None = None) -> list[TariffEntry]:
    """National 8-digit tariff lines (format in docs/reference-data.md). With `known_hs6`, every line must
    fall under a 6-digit subheading of the loaded nomenclature."""
    rows = _Rows(path, TARIFF_COLUMNS)
    out: dict[str, TariffEntry] = {}
    for n, v in rows:
        try:
            hs8 = validators.hs_code(v["hs8"])
        except ValueError as exc:
            raise rows.error(str(exc), n, "hs8") from None
        if hs8 in out:
            raise rows.error(f"{hs8} appears twice", n, "hs8")
        if known_hs6 is not None and hs8[:6] not in known_hs6:
            raise rows.error(f"{hs8[:6]} is not a subheading of the loaded HS nomenclature", n, "hs8")
        rate = {
            c: rows.decimal(v, c, n, places=3, maximum=MAX_RATE)
            for c in ("mfn_rate", "vat_rate", "excise_rate", "export_rate")
        }
        if rate["vat_rate"] not in VAT_RATES:
            raise rows.error(f"VAT {v['vat_rate']} is not one of 0, 5, 8, 10", n, "vat_rate")
        preferential: dict[str, Decimal] = {}
        for scheme in PREFERENCE_SCHEMES:
            column = f"{scheme.lower()}_rate"
            if v[column] == "":
                continue
            value = rows.decimal(v, column, n, places=3, maximum=MAX_RATE)
            if value > rate["mfn_rate"]:
                raise rows.error(f"{scheme} rate {value} is above the MFN rate {rate['mfn_rate']}", n, column)
            preferential[scheme] = value
        out[hs8] = TariffEntry(
            hs8=hs8,
            description_vi=rows.text(v, "description_vi", n, max_len=500),
            description_en=rows.text(v, "description_en", n, max_len=500, required=False),
            unit=rows.text(v, "unit", n, max_len=10),
            preferential=preferential,
            **rate,
        )
    return list(out.values())


def read_rates(path: Path = RATES_FILE) -> list[RateEntry]:
    """Exchange rates: VND per one unit of a currency, valid from a date until the next row of that currency."""
    rows = _Rows(path, RATE_COLUMNS)
    out: dict[tuple[str, date], RateEntry] = {}
    for n, v in rows:
        try:
            currency = validators.currency(v["currency"])
        except ValueError as exc:
            raise rows.error(str(exc), n, "currency") from None
        if currency == "VND":
            raise rows.error("VND needs no rate (it is always 1)", n, "currency")
        try:
            valid_from = date.fromisoformat(v["valid_from"])
        except ValueError:
            raise rows.error(f"{v['valid_from']!r} is not a date (YYYY-MM-DD)", n, "valid_from") from None
        amount = rows.decimal(v, "vnd_per_unit", n, places=4, maximum=MAX_VND)
        if amount == 0:
            raise rows.error("a rate must be above 0", n, "vnd_per_unit")
        if (currency, valid_from) in out:
            raise rows.error(f"{currency} already has a rate valid from {valid_from}", n, "valid_from")
        out[(currency, valid_from)] = RateEntry(currency, valid_from, amount)
    return list(out.values())
