"""The requirements rule, exhaustively: every HS prefix length, kind, origin, exception and use against
rows of every shape; the most specific row per agency wins, `exempt` lifts; the shipped file loads."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from haiquan.agencies.requirements import (
    DATA_FILE,
    EXEMPT,
    LineFacts,
    RequirementsFileError,
    Rule,
    parse,
    read,
    required,
)

HS = ("08081000", "08082000", "08119000", "02013000", "85171300")
ORIGINS = ("CN", "US", "TH")
KINDS = ("import", "export")
USES = ("A11", "E31", "")
TABLE = [
    Rule("PPD-08", "08", "PPD", "inspection", kinds=frozenset({"import"})),
    Rule("PPD-0811", "0811", "PPD", EXEMPT, kinds=frozenset({"import"})),
    Rule("PPD-080810-CN", "080810", "PPD", "permit", origins=frozenset({"CN"})),
    Rule("VFA-08", "08", "VFA", "inspection", except_origins=frozenset({"TH"}), uses=frozenset({"A11"})),
    Rule("DAH-02", "02", "DAH", "inspection"),
]


def expected(line: LineFacts) -> set[str]:
    """The rule written a second way: per agency, the matching rows, then the longest prefix."""
    out: set[str] = set()
    for agency in ("PPD", "VFA", "DAH"):
        rows = [r for r in TABLE if r.agency == agency and _match(r, line)]
        if not rows:
            continue
        longest = max(len(r.hs_prefix) for r in rows)
        out |= {r.id for r in rows if len(r.hs_prefix) == longest and r.requirement != EXEMPT}
    return out


def _match(r: Rule, line: LineFacts) -> bool:
    ok_kind = not r.kinds or line.kind in r.kinds
    ok_origin = (
        not r.origins or line.origin_country in r.origins
    ) and line.origin_country not in r.except_origins
    ok_use = not r.uses or line.procedure_code in r.uses
    return line.hs_code[: len(r.hs_prefix)] == r.hs_prefix and ok_kind and ok_origin and ok_use


def test_every_combination_of_line_and_table() -> None:
    checked = 0
    for hs, origin, kind, use in itertools.product(HS, ORIGINS, KINDS, USES):
        line = LineFacts(hs, origin, kind, use)
        got = required(line, TABLE)
        assert {r.id for r in got} == expected(line), line
        assert [r.agency for r in got] == sorted(r.agency for r in got)
        checked += 1
    assert checked == len(HS) * len(ORIGINS) * len(KINDS) * len(USES)


@pytest.mark.parametrize(
    ("line", "ids"),
    [
        (LineFacts("08081000", "CN"), ["PPD-080810-CN"]),  # the most specific PPD row replaces the chapter's
        (LineFacts("08081000", "US"), ["PPD-08"]),
        (LineFacts("08081000", "US", "import", "A11"), ["PPD-08", "VFA-08"]),
        (LineFacts("08081000", "TH", "import", "A11"), ["PPD-08"]),  # VFA excepts Thai origin
        (LineFacts("08119000", "US"), []),  # frozen fruit: exempt from PPD
        (LineFacts("08082000", "US", "export"), []),
        (LineFacts("02013000", "US", "export"), ["DAH-02"]),
        (LineFacts("85171300", "CN"), []),
    ],
)
def test_examples(line: LineFacts, ids: list[str]) -> None:
    assert [r.id for r in required(line, TABLE)] == ids


def test_an_empty_table_requires_nothing() -> None:
    assert required(LineFacts("08081000", "CN"), []) == []


def test_the_shipped_sample_names_its_sources_and_requires_plant_quarantine_for_apples() -> None:
    rules = read(DATA_FILE)
    assert all(r.legal_source for r in rules)
    assert DATA_FILE.read_text(encoding="utf-8").startswith("# SAMPLE")
    apples = required(LineFacts("08081000", "CN"), rules)
    assert [(r.agency, r.requirement) for r in apples] == [("PPD", "inspection")]
    assert [r.agency for r in required(LineFacts("02023000", "AU"), rules)] == ["DAH"]
    assert required(LineFacts("08119000", "CN"), rules) == []


HEADER = "id,hs_prefix,kinds,origins,except_origins,uses,agency,requirement,title_vi,title_en,legal_source\n"


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("X,8,import,*,,*,PPD,inspection,a,b,src", "hs_prefix"),
        ("X,08a,import,*,,*,PPD,inspection,a,b,src", "hs_prefix"),
        ("X,08,import,*,,*,NOPE,inspection,a,b,src", "agency"),
        ("X,08,import,*,,*,PPD,maybe,a,b,src", "requirement"),
        ("X,08,import,*,,*,PPD,inspection,a,b,", "legal_source"),
        (",08,import,*,,*,PPD,inspection,a,b,src", "id"),
        ("X,08,transit,*,,*,PPD,inspection,a,b,src", "kinds"),
    ],
)
def test_a_bad_row_is_refused_naming_row_and_column(row: str, column: str) -> None:
    with pytest.raises(RequirementsFileError) as refused:
        parse("# comment\n" + HEADER + row + "\n")
    assert refused.value.column == column
    assert refused.value.row == 2


def test_a_duplicate_id_and_a_missing_column_are_refused(tmp_path: Path) -> None:
    row = "X,08,import,*,,*,PPD,inspection,a,b,src\n"
    with pytest.raises(RequirementsFileError, match="twice"):
        parse(HEADER + row + row)
    with pytest.raises(RequirementsFileError) as missing:
        parse("id,hs_prefix\nX,08\n")
    assert missing.value.column == "kinds"
    with pytest.raises(RequirementsFileError, match="cannot read"):
        read(tmp_path / "absent.csv")
