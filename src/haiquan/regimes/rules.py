"""The regime catalogue as data: which VNACCS type code puts goods under which special regime, how it moves
the regime's stock, its deadline and when duty falls due (data/regimes.csv, naming its legal sources). It
extends reference.procedures' codes with rules; every code here must be one of them. Pure."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from haiquan.reference.procedures import procedure_codes

DATA_FILE = Path(__file__).parent / "data" / "regimes.csv"
COLUMNS = (
    "code", "regime", "movement", "from_regime", "deadline_kind", "deadline_days", "warn_days",
    "duty_at_entry", "duty_when", "required", "name_vi", "name_en", "legal_source",
)  # fmt: skip
ANY = "*"


class Regime(StrEnum):
    PROCESSING = "processing"  # gia công
    EXPORT_PRODUCTION = "export_production"  # sản xuất xuất khẩu
    EPE = "epe"  # doanh nghiệp chế xuất
    TEMPORARY = "temporary"  # tạm nhập tái xuất
    TEMPORARY_EXPORT = "temporary_export"  # tạm xuất tái nhập
    BONDED_WAREHOUSE = "bonded_warehouse"  # kho ngoại quan
    NON_TARIFF_ZONE = "non_tariff_zone"  # khu phi thuế quan


class Movement(StrEnum):
    IN = "in"  # from abroad into the regime's stock
    IN_DOMESTIC = "in_domestic"  # from the inland (or another contract) into the stock
    OUT_PRODUCT = "out_product"  # products made under the regime, exported
    OUT_PRODUCT_DOMESTIC = (
        "out_product_domestic"  # products delivered in the inland (an export at the boundary)
    )
    REEXPORT = "reexport"  # goods of the stock leave the country: never more than the stock holds
    DOMESTIC_SALE = "domestic_sale"  # goods of the stock sold into the domestic market: duty due
    TEMP_OUT = "temp_out"  # temporarily exported: goods abroad, expected back
    TEMP_BACK = "temp_back"  # re-imported: never more than went out


OUTFLOWS = frozenset({Movement.REEXPORT, Movement.DOMESTIC_SALE, Movement.TEMP_BACK})
# where a regime's outflow draws from when the code names none (`*`): bonded goods first, then the regimes
# whose stock is materials
DRAW_ORDER = (
    Regime.BONDED_WAREHOUSE, Regime.NON_TARIFF_ZONE, Regime.TEMPORARY, Regime.PROCESSING,
    Regime.EXPORT_PRODUCTION, Regime.EPE,
)  # fmt: skip
REGIME_NAMES = {
    Regime.PROCESSING: ("Gia công", "Processing"),
    Regime.EXPORT_PRODUCTION: ("Sản xuất xuất khẩu", "Production for export"),
    Regime.EPE: ("Doanh nghiệp chế xuất", "Export-processing enterprise"),
    Regime.TEMPORARY: ("Tạm nhập tái xuất", "Temporary import and re-export"),
    Regime.TEMPORARY_EXPORT: ("Tạm xuất tái nhập", "Temporary export and re-import"),
    Regime.BONDED_WAREHOUSE: ("Kho ngoại quan", "Bonded warehouse"),
    Regime.NON_TARIFF_ZONE: ("Khu phi thuế quan", "Non-tariff zone"),
}


@dataclass(frozen=True)
class RegimeRule:
    """One row: a type code's regime (None: `*`, the regime holding the goods), movement and terms."""

    code: str
    kind: str  # import | export, from the procedure code
    regime: Regime | None
    movement: Movement
    from_regime: Regime | None  # an outflow's source; None with `*`
    deadline_kind: str  # reexport | storage | contract | "" (none)
    deadline_days: int | None
    warn_days: int
    duty_at_entry: str  # suspended | exempt
    duty_when: str  # deadline_passed | domestic_sale | never
    required: tuple[str, ...]
    name_vi: str
    name_en: str
    legal_source: str

    @property
    def outflow(self) -> bool:
        return self.movement in OUTFLOWS

    def sources(self) -> tuple[Regime, ...]:
        """The regimes an outflow may draw on, in order."""
        if self.from_regime is not None:
            return (self.from_regime,)
        return DRAW_ORDER


class RegimeFileError(ValueError):
    def __init__(self, message: str, *, row: int, column: str) -> None:
        super().__init__(f"regimes.csv row {row}, column {column}: {message}")
        self.row, self.column = row, column


def _rows(text: str) -> list[tuple[int, dict[str, str]]]:
    lines = text.splitlines()
    body = [(n, line) for n, line in enumerate(lines, start=1) if not line.startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(line for _, line in body)))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise RegimeFileError(
            f"missing column {missing[0]}", row=body[0][0] if body else 1, column=missing[0]
        )
    numbers = [n for n, _ in body[1:]]
    return [(numbers[i], {k: (v or "").strip() for k, v in r.items()}) for i, r in enumerate(reader)]


def _regime(value: str, n: int, column: str) -> Regime | None:
    if value in ("", ANY):
        return None
    try:
        return Regime(value)
    except ValueError:
        raise RegimeFileError(f"unknown regime {value!r}", row=n, column=column) from None


def _int(value: str, n: int, column: str) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise RegimeFileError(f"{value!r} is not a whole number of days", row=n, column=column)
    return int(value)


def _rule(n: int, v: dict[str, str]) -> RegimeRule:
    known = procedure_codes()
    code = v["code"].upper()
    if code not in known:
        raise RegimeFileError(f"{code} is not a listed procedure code", row=n, column="code")
    try:
        movement = Movement(v["movement"])
    except ValueError:
        raise RegimeFileError(f"unknown movement {v['movement']!r}", row=n, column="movement") from None
    regime = _regime(v["regime"], n, "regime")
    return RegimeRule(
        code=code, kind=known[code].kind, regime=regime, movement=movement,
        from_regime=_regime(v["from_regime"], n, "from_regime"), deadline_kind=v["deadline_kind"],
        deadline_days=_int(v["deadline_days"], n, "deadline_days"), warn_days=_int(v["warn_days"], n, "warn_days") or 0,
        duty_at_entry=v["duty_at_entry"], duty_when=v["duty_when"], required=tuple(v["required"].split()),
        name_vi=v["name_vi"], name_en=v["name_en"], legal_source=v["legal_source"],
    )  # fmt: skip


def read_rules(text: str) -> dict[str, RegimeRule]:
    """The rules of a regime file's text, checked: listed codes, known regimes and movements, one row each,
    an outflow naming where it draws from, a deadline with its days."""
    out: dict[str, RegimeRule] = {}
    for n, v in _rows(text):
        rule = _rule(n, v)
        if rule.code in out:
            raise RegimeFileError(f"{rule.code} appears twice", row=n, column="code")
        if rule.outflow and not v["from_regime"]:
            raise RegimeFileError("an outflow names the regime it draws on", row=n, column="from_regime")
        if bool(rule.deadline_kind) != (rule.deadline_days is not None):
            raise RegimeFileError("a deadline needs its kind and its days", row=n, column="deadline_days")
        out[rule.code] = rule
    return out


@lru_cache(maxsize=1)
def rules() -> dict[str, RegimeRule]:
    """The shipped catalogue, read once."""
    return read_rules(DATA_FILE.read_text(encoding="utf-8"))


def rule_for(code: str | None) -> RegimeRule | None:
    """The regime rule of a procedure code; None for the codes of no special regime (A11, B11, ...)."""
    return rules().get((code or "").upper())


def regime_name(regime: str) -> tuple[str, str]:
    try:
        return REGIME_NAMES[Regime(regime)]
    except ValueError:
        return (regime, regime)
