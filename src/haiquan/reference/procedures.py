"""VNACCS procedure codes (mã loại hình): the shipped list of Quyết định 1357/QĐ-TCHQ (18/5/2021) and the rule
a declaration's code must pass. Pure: the list is read once from data/procedure_codes.csv, unless a list
published by the General Department has been applied on this node (kind `procedure_codes` of the reference
data flowing down, reference/reference_data.py): then that list, held in memory (`use`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from haiquan.reference.domain import DATA_DIR, _Rows

PROCEDURE_CODES_FILE = DATA_DIR / "procedure_codes.csv"
PROCEDURE_COLUMNS = ("code", "kind", "name_vi", "name_en", "source")
KINDS = ("import", "export")
# What a declaration gets when it names no code: the plain trading import and export.
DEFAULT_CODES = {"import": "A11", "export": "B11"}
_CODE = re.compile(r"^[A-Z][0-9A-Z]{2}$")


@dataclass(frozen=True)
class ProcedureCode:
    code: str
    kind: str
    name_vi: str
    name_en: str
    source: str


def read_procedure_codes(path: Path = PROCEDURE_CODES_FILE) -> dict[str, ProcedureCode]:
    """The codes of a procedure-code file, checked: well-formed, unique, of a known kind, named."""
    rows = _Rows(path, PROCEDURE_COLUMNS)
    out: dict[str, ProcedureCode] = {}
    for n, v in rows:
        code = v["code"].upper()
        if not _CODE.match(code):
            raise rows.error(
                f"{v['code']!r} is not a procedure code (a letter and two characters)", n, "code"
            )
        if code in out:
            raise rows.error(f"{code} appears twice", n, "code")
        if v["kind"] not in KINDS:
            raise rows.error(f"kind {v['kind']!r} is not import or export", n, "kind")
        out[code] = ProcedureCode(
            code=code,
            kind=v["kind"],
            name_vi=rows.text(v, "name_vi", n, max_len=300),
            name_en=rows.text(v, "name_en", n, max_len=300),
            source=rows.text(v, "source", n, max_len=300),
        )
    for kind, code in DEFAULT_CODES.items():
        if out.get(code) is None or out[code].kind != kind:
            raise rows.error(f"the default {kind} code {code} is missing")
    return out


@lru_cache(maxsize=1)
def shipped() -> dict[str, ProcedureCode]:
    """The shipped list, read once."""
    return read_procedure_codes()


_applied: dict[str, ProcedureCode] | None = None


def procedure_codes() -> dict[str, ProcedureCode]:
    """The list in force on this node: the one applied from the General Department, else the shipped one."""
    return shipped() if _applied is None else _applied


def use(codes: dict[str, ProcedureCode] | None) -> None:
    """Put an applied list in force in this process (None: the shipped list again)."""
    global _applied
    _applied = codes


def from_entries(entries: list[dict[str, str]]) -> dict[str, ProcedureCode]:
    """A published list checked as the shipped file is: unique codes, and both default codes there, of their
    kind. Raises ValueError naming the entry's field (`codes.3.code`)."""
    out: dict[str, ProcedureCode] = {}
    for i, e in enumerate(entries):
        code = e["code"].upper()
        if code in out:
            raise ValueError(f"codes.{i}.code: {code} appears twice")
        out[code] = ProcedureCode(code, e["kind"], e["name_vi"], e["name_en"], e["source"])
    for kind, code in DEFAULT_CODES.items():
        if out.get(code) is None or out[code].kind != kind:
            raise ValueError(f"codes: the default {kind} code {code} is missing")
    return out


def listed(kind: str | None = None) -> list[ProcedureCode]:
    """The codes in force in their order, those of one kind when `kind` is given."""
    return [p for p in procedure_codes().values() if kind is None or p.kind == kind]


def check_procedure_code(code: str | None, kind: str | None) -> str:
    """The code a declaration of `kind` carries: the default of its kind when none is given; else a listed
    code of that kind. `kind` None (itself invalid) checks only that the code is listed. Raises ValueError."""
    known = procedure_codes()
    if code is None:
        if kind is None:
            return DEFAULT_CODES["import"]
        return DEFAULT_CODES[kind]
    key = code.strip().upper()
    entry = known.get(key)
    if entry is None:
        raise ValueError(
            f"{code!r} is not a VNACCS procedure code (mã loại hình); see GET /api/v1/reference/procedure-codes"
        )
    if kind is not None and entry.kind != kind:
        raise ValueError(f"{key} ({entry.name_en}) is an {entry.kind} procedure code, not an {kind} one")
    return key
