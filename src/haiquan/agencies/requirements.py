"""Which declaration lines need which agency's permit or inspection: the requirements table (a replaceable
CSV file naming its legal source) and the pure rule `required`."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from haiquan.agencies.domain import AGENCIES, Requirement

DATA_FILE = Path(__file__).parent / "data" / "agency_requirements_vn_sample.csv"
COLUMNS = (
    "id", "hs_prefix", "kinds", "origins", "except_origins", "uses", "agency", "requirement",
    "title_vi", "title_en", "legal_source",
)  # fmt: skip
ANY = "*"
EXEMPT = "exempt"  # a more specific row that lifts an agency's requirement from some lines


@dataclass(frozen=True)
class Rule:
    """One row of the table. `kinds`, `origins`, `uses`: the declaration kinds (import, export), the
    origin countries (ISO 3166 alpha-2) and the procedure codes it applies to, empty meaning any."""

    id: str
    hs_prefix: str
    agency: str
    requirement: str  # permit | inspection | exempt
    kinds: frozenset[str] = frozenset()
    origins: frozenset[str] = frozenset()
    except_origins: frozenset[str] = frozenset()
    uses: frozenset[str] = frozenset()
    title_vi: str = ""
    title_en: str = ""
    legal_source: str = ""

    def matches(self, line: LineFacts) -> bool:
        return (
            line.hs_code.startswith(self.hs_prefix)
            and (not self.kinds or line.kind in self.kinds)
            and (not self.origins or line.origin_country in self.origins)
            and line.origin_country not in self.except_origins
            and (not self.uses or line.procedure_code in self.uses)
        )


@dataclass(frozen=True)
class LineFacts:
    hs_code: str
    origin_country: str
    kind: str = "import"
    procedure_code: str = ""


def required(line: LineFacts, requirements: Sequence[Rule]) -> list[Rule]:
    """The permits and inspections a line needs: for each agency, the matching rows with the longest HS
    prefix (the most specific wins; an `exempt` row there lifts the agency's requirement); several rows
    of that length are all kept. In agency order, then by id."""
    best: dict[str, list[Rule]] = {}
    for rule in requirements:
        if not rule.matches(line):
            continue
        held = best.get(rule.agency)
        if held is None or len(rule.hs_prefix) > len(held[0].hs_prefix):
            best[rule.agency] = [rule]
        elif len(rule.hs_prefix) == len(held[0].hs_prefix):
            held.append(rule)
    out = [r for rules in best.values() for r in rules if r.requirement != EXEMPT]
    return sorted(out, key=lambda r: (r.agency, r.id))


class RequirementsFileError(ValueError):
    """A requirements file that cannot be loaded: the row, the column and why."""

    def __init__(self, message: str, *, row: int, column: str) -> None:
        super().__init__(f"row {row}, column {column}: {message}")
        self.row, self.column, self.reason = row, column, message


def _codes(value: str) -> frozenset[str]:
    return frozenset(v for v in value.replace(",", " ").split() if v != ANY)


def _check(values: dict[str, str], row: int) -> None:
    prefix = values["hs_prefix"]
    if not prefix.isdigit() or len(prefix) not in (2, 4, 6, 8):
        raise RequirementsFileError("an HS prefix is 2, 4, 6 or 8 digits", row=row, column="hs_prefix")
    if values["agency"] not in AGENCIES:
        raise RequirementsFileError(f"unknown agency; one of {', '.join(AGENCIES)}", row=row, column="agency")
    if values["requirement"] not in {*Requirement, EXEMPT}:
        raise RequirementsFileError("permit, inspection or exempt", row=row, column="requirement")
    for column in ("id", "legal_source"):
        if not values[column]:
            raise RequirementsFileError("is empty", row=row, column=column)
    if not _codes(values["kinds"]) <= {"import", "export"}:
        raise RequirementsFileError("import and/or export (or *)", row=row, column="kinds")


def rule_of(values: dict[str, str]) -> Rule:
    return Rule(
        id=values["id"], hs_prefix=values["hs_prefix"], agency=values["agency"],
        requirement=values["requirement"], kinds=_codes(values["kinds"]), origins=_codes(values["origins"]),
        except_origins=_codes(values["except_origins"]), uses=_codes(values["uses"]),
        title_vi=values["title_vi"], title_en=values["title_en"], legal_source=values["legal_source"],
    )  # fmt: skip


def parse(text: str) -> list[Rule]:
    """The rows of a requirements file (lines starting with # are comments: the file says what it is)."""
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise RequirementsFileError("missing column", row=1, column=missing[0])
    rules: list[Rule] = []
    seen: set[str] = set()
    for n, raw in enumerate(reader, start=2):
        values = {c: (raw.get(c) or "").strip() for c in COLUMNS}
        _check(values, n)
        if values["id"] in seen:
            raise RequirementsFileError("the id is used twice", row=n, column="id")
        seen.add(values["id"])
        rules.append(rule_of(values))
    return rules


def read(path: Path = DATA_FILE) -> list[Rule]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RequirementsFileError(f"cannot read {path.name}: {exc}", row=0, column="file") from exc
    return parse(text)


def sources(rules: Iterable[Rule]) -> list[str]:
    return sorted({r.legal_source for r in rules})
