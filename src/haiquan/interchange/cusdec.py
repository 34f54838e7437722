"""CUSDEC (customs declaration, D.96B/D.01B) <-> the JSON API's `DeclarationIn`: one model, one service.

haiquan's CUSDEC implementation guide (docs/interchange.md has the table): header segments BGM, GIS, LOC,
TDT, RFF, NAD, MOA, TOD, MEA, PAC, EQD; then UNS+D and per goods item CST, FTX, LOC, QTY, MEA, MOA, DOC,
GIS; then optionally UNS+S and CNT+5 (the number of items). Any other segment is refused at its place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from haiquan.declarations.schemas import DeclarationIn
from haiquan.interchange.edifact import Message, Segment
from haiquan.interchange.errors import EdifactError, Syntax
from haiquan.interchange.mapping import Sources, validated

DOC_KIND = {"929": "import", "830": "export"}
KIND_DOC = {v: k for k, v in DOC_KIND.items()}
# UN/ECE Recommendation 19 mode of transport codes
MODES = {"1": "sea", "2": "rail", "3": "road", "4": "air", "5": "post", "6": "multimodal", "7": "pipeline",
         "8": "inland_waterway"}  # fmt: skip
MODE_CODE = {v: k for k, v in MODES.items()}
TRANSPORT_DOCS = ("BM", "AWB", "MB", "MWB", "CMR", "BH")
PARTIES = {"IM": "importer", "EX": "exporter"}
ORIGINAL = "9"


@dataclass
class Reading:
    """A CUSDEC being read: the JSON input built up, and where each field came from."""

    sources: Sources
    data: dict[str, Any] = field(default_factory=dict)
    lines: list[dict[str, Any]] = field(default_factory=list)
    functional_reference: str = ""
    seen: set[str] = field(default_factory=set)

    def put(self, path: str, value: Any, seg: Segment, element: int, component: int = 1) -> None:
        target, key = self._target(path)
        target[key] = value
        self.sources.note(path, seg, element, component)

    def _target(self, path: str) -> tuple[dict[str, Any], str]:
        d = self.data
        if path.startswith("lines["):
            index, _, path = path.removeprefix("lines[").partition("].")
            d = self.lines[int(index)]
        parts = path.split(".")
        for p in parts[:-1]:
            d = d.setdefault(p, {})
        return d, parts[-1]

    def once(self, seg: Segment, key: str) -> None:
        """A header segment (or qualifier) that may appear once."""
        if key in self.seen:
            raise EdifactError.at(seg, f"{key} appears twice", syntax=Syntax.TOO_MANY_REPETITIONS)
        self.seen.add(key)


def _line_path(r: Reading, name: str) -> str:
    return f"lines[{len(r.lines) - 1}].{name}"


def _bgm(r: Reading, s: Segment) -> None:
    r.once(s, "BGM")
    code = s.required(1, 1, "document name code")
    if code not in DOC_KIND:
        raise EdifactError.at(s, f"document code {code!r} is not 929 (import) or 830 (export)", element=1,
                              component=1, syntax=Syntax.VALUE_NOT_SUPPORTED_HERE)  # fmt: skip
    r.put("kind", DOC_KIND[code], s, 1)
    r.functional_reference = s.required(2, 1, "functional reference (LRN)")
    if s.value(3) not in ("", ORIGINAL):
        raise EdifactError.at(s, f"message function {s.value(3)!r}: only 9 (original) is taken", element=3,
                              component=1, syntax=Syntax.VALUE_NOT_SUPPORTED_HERE)  # fmt: skip


def _gis(r: Reading, s: Segment) -> None:
    kind, code = s.value(1, 2), s.required(1, 1, "indicator")
    if r.lines and kind == "ORC":
        r.lines[-1].setdefault("preference", {})["criterion"] = code
        r.sources.note(_line_path(r, "preference.criterion"), s, 1, 1)
    elif not r.lines and kind in ("VNP", "CAT"):
        r.once(s, f"GIS {kind}")
        r.put("procedure_code" if kind == "VNP" else "category", code, s, 1)
    else:
        raise EdifactError.at(s, f"GIS code list {kind!r} is not read here (VNP, CAT in the header; ORC on "
                              "an item)", element=1, component=2, syntax=Syntax.VALUE_NOT_SUPPORTED_HERE)  # fmt: skip


def _loc(r: Reading, s: Segment) -> None:
    q = s.value(1)
    if not r.lines and q == "22":
        r.once(s, "LOC 22")
        r.put("office", s.required(2, 1, "customs office"), s, 2)
    elif r.lines and q == "27":
        r.put(_line_path(r, "origin_country"), s.required(2, 1, "country of origin"), s, 2)
    else:
        raise EdifactError.at(s, f"LOC qualifier {q!r} is not read here (22 in the header, 27 on an item)",
                              element=1, component=1, syntax=Syntax.VALUE_NOT_SUPPORTED_HERE)  # fmt: skip


def _tdt(r: Reading, s: Segment) -> None:
    r.once(s, "TDT")
    code = s.required(3, 1, "mode of transport")
    if code not in MODES:
        raise EdifactError.at(s, f"mode of transport {code!r} is not a Recommendation 19 code (1-8)",
                              element=3, component=1)  # fmt: skip
    r.put("transport_mode", MODES[code], s, 3)


def _rff(r: Reading, s: Segment) -> None:
    q = s.value(1, 1)
    if q not in TRANSPORT_DOCS:
        raise EdifactError.at(s, f"RFF qualifier {q!r} is not a transport document ({', '.join(TRANSPORT_DOCS)})",
                              element=1, component=1, syntax=Syntax.VALUE_NOT_SUPPORTED_HERE)  # fmt: skip
    r.once(s, "RFF transport document")
    r.put("transport_document", s.required(1, 2, "transport document number"), s, 1, 2)


def _nad(r: Reading, s: Segment) -> None:
    q = s.value(1)
    if q not in PARTIES:
        raise EdifactError.at(s, f"NAD qualifier {q!r} is not IM (importer) or EX (exporter)", element=1,
                              component=1, syntax=Syntax.VALUE_NOT_SUPPORTED_HERE)  # fmt: skip
    r.once(s, f"NAD {q}")
    party = PARTIES[q]
    r.put(f"{party}.tax_code", s.value(2) or None, s, 2)
    r.put(f"{party}.name", s.value(4), s, 4)
    r.put(f"{party}.country", s.value(9) or "VN", s, 9)


def _moa(r: Reading, s: Segment) -> None:
    q = s.value(1, 1)
    header = {"39": "invoice.amount", "64": "invoice.freight", "67": "invoice.insurance"}
    if r.lines and q == "38":
        r.put(_line_path(r, "value"), s.decimal(1, 2, "item amount"), s, 1, 2)
    elif not r.lines and q in header:
        r.once(s, f"MOA {q}")
        r.put(header[q], s.decimal(1, 2, "amount"), s, 1, 2)
        if q == "39":
            r.put("invoice.currency", s.required(1, 3, "currency"), s, 1, 3)
    else:
        raise EdifactError.at(s, f"MOA qualifier {q!r} is not read here (39, 64, 67 in the header; 38 on an "
                              "item)", element=1, component=1, syntax=Syntax.VALUE_NOT_SUPPORTED_HERE)  # fmt: skip


def _tod(r: Reading, s: Segment) -> None:
    r.once(s, "TOD")
    r.put("invoice.incoterm", s.required(3, 1, "Incoterms rule"), s, 3)


def _mea(r: Reading, s: Segment) -> None:
    what, unit = s.value(2), s.value(3, 1)
    if unit != "KGM":
        raise EdifactError.at(s, f"mass unit {unit!r}: KGM expected", element=3, component=1)
    if not r.lines and what == "G":
        r.once(s, "MEA G")
        r.put("gross_mass_kg", s.decimal(3, 2, "gross mass"), s, 3, 2)
    elif r.lines and what == "AAL":
        r.put(_line_path(r, "net_mass_kg"), s.decimal(3, 2, "net mass"), s, 3, 2)
    else:
        raise EdifactError.at(s, f"MEA {what!r} is not read here (G in the header, AAL on an item)",
                              element=2, component=1, syntax=Syntax.VALUE_NOT_SUPPORTED_HERE)  # fmt: skip


def _pac(r: Reading, s: Segment) -> None:
    r.once(s, "PAC")
    raw = s.required(1, 1, "number of packages")
    if not raw.isdigit():
        raise EdifactError.at(s, f"number of packages {raw!r} is not a whole number", element=1, component=1,
                              syntax=Syntax.INVALID_TYPE_OF_CHARACTER)  # fmt: skip
    r.put("package_count", int(raw), s, 1)


def _eqd(r: Reading, s: Segment) -> None:
    containers = r.data.setdefault("containers", [])
    containers.append(s.required(2, 1, "container number"))
    r.sources.note(f"containers[{len(containers) - 1}]", s, 2, 1)


def _cst(r: Reading, s: Segment) -> None:
    n = s.required(1, 1, "goods item number")
    if n != str(len(r.lines) + 1):
        raise EdifactError.at(s, f"goods item {n!r}: item {len(r.lines) + 1} expected", element=1, component=1,
                              syntax=Syntax.INVALID_VALUE)  # fmt: skip
    r.lines.append({})
    r.sources.note(f"lines[{len(r.lines) - 1}]", s)
    r.put(_line_path(r, "hs_code"), s.required(2, 1, "commodity code"), s, 2)


def _ftx(r: Reading, s: Segment) -> None:
    if not r.lines or s.value(1) != "AAA":
        raise EdifactError.at(s, "FTX+AAA (goods description) is read on an item only", element=1, component=1,
                              syntax=Syntax.NOT_SUPPORTED_HERE)  # fmt: skip
    r.put(_line_path(r, "description"), "".join(s.elements[3]) if len(s.elements) > 3 else "", s, 4)


def _qty(r: Reading, s: Segment) -> None:
    if not r.lines or s.value(1, 1) != "47":
        raise EdifactError.at(s, "QTY+47 (invoiced quantity) is read on an item only", element=1, component=1,
                              syntax=Syntax.NOT_SUPPORTED_HERE)  # fmt: skip
    r.put(_line_path(r, "quantity"), s.decimal(1, 2, "quantity"), s, 1, 2)
    r.put(_line_path(r, "quantity_unit"), s.required(1, 3, "unit"), s, 1, 3)


def _doc(r: Reading, s: Segment) -> None:
    if not r.lines or s.value(1, 1) != "861":
        raise EdifactError.at(s, "DOC+861 (certificate of origin) is read on an item only", element=1,
                              component=1, syntax=Syntax.NOT_SUPPORTED_HERE)  # fmt: skip
    pref = r.lines[-1].setdefault("preference", {})
    pref["scheme"] = s.required(1, 4, "preference scheme")
    pref["certificate"] = s.value(2) or None
    r.sources.note(_line_path(r, "preference.scheme"), s, 1, 4)
    r.sources.note(_line_path(r, "preference.certificate"), s, 2, 1)


def _uns(r: Reading, s: Segment) -> None:
    if s.value(1) not in ("D", "S"):
        raise EdifactError.at(s, "UNS is D (detail) or S (summary)", element=1, component=1)


def _cnt(r: Reading, s: Segment) -> None:
    if s.value(1, 1) == "5" and s.value(1, 2) != str(len(r.lines)):
        raise EdifactError.at(s, f"CNT counts {s.value(1, 2)} items, the message has {len(r.lines)}",
                              element=1, component=2, syntax=Syntax.COUNT_DOES_NOT_MATCH)  # fmt: skip


READERS: dict[str, Callable[[Reading, Segment], None]] = {
    "BGM": _bgm, "GIS": _gis, "LOC": _loc, "TDT": _tdt, "RFF": _rff, "NAD": _nad, "MOA": _moa, "TOD": _tod,
    "MEA": _mea, "PAC": _pac, "EQD": _eqd, "CST": _cst, "FTX": _ftx, "QTY": _qty, "DOC": _doc, "UNS": _uns,
    "CNT": _cnt,
}  # fmt: skip


def read(message: Message) -> tuple[DeclarationIn, Reading]:
    """The declaration a CUSDEC carries, validated by the JSON API's model; errors named at their place."""
    message.expect("CUSDEC")
    body = message.body
    if not body or body[0].tag != "BGM":
        at = body[0] if body else message.segments[-1]
        raise EdifactError.at(at, "BGM must follow UNH", syntax=Syntax.MISSING)
    r = Reading(Sources(body[0]))
    for s in body:
        reader = READERS.get(s.tag)
        if reader is None:
            raise EdifactError.at(s, f"segment {s.tag} is not part of haiquan's CUSDEC guide",
                                  syntax=Syntax.NOT_SUPPORTED_HERE)  # fmt: skip
        reader(r, s)
    r.data["lines"] = r.lines
    return validated(DeclarationIn, r.data, r.sources), r


def functional_reference(message: Message) -> str:
    """The BGM's document number (the broker's reference), "" when not readable."""
    body = message.body
    return body[0].value(2) if body and body[0].tag == "BGM" else ""
