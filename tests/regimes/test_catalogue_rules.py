"""The regime catalogue: every shipped code is a listed procedure code, outflows name their source,
deadlines carry their days, and a broken file is refused naming the row and the column."""

from __future__ import annotations

import pytest

from haiquan.reference.procedures import procedure_codes
from haiquan.regimes.rules import COLUMNS, DATA_FILE, RegimeFileError, read_rules, rules


def test_the_shipped_catalogue_reads_and_extends_the_procedure_codes() -> None:
    shipped = rules()
    assert {"E21", "E52", "E31", "E62", "E11", "E42", "G11", "G12", "G21", "C11", "C12"} <= set(shipped)
    assert all(code in procedure_codes() for code in shipped)
    assert shipped["G11"].deadline_days == 60
    assert shipped["G11"].duty_at_entry == "suspended"
    assert all(r.legal_source for r in shipped.values())
    assert "Luật Hải quan 2014" in DATA_FILE.read_text(encoding="utf-8").split("\ncode,")[0]


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("Z99,temporary,in,,,,,suspended,never,,a,b,c", "code"),
        ("G11,nowhere,in,,,,,suspended,never,,a,b,c", "regime"),
        ("G21,temporary,reexport,,,,,suspended,never,,a,b,c", "from_regime"),
        ("G11,temporary,in,,reexport,,,suspended,never,,a,b,c", "deadline_days"),
        ("G11,temporary,fly,,,,,suspended,never,,a,b,c", "movement"),
    ],
)
def test_a_broken_row_is_refused_naming_its_column(row: str, column: str) -> None:
    text = "# comment\n" + ",".join(COLUMNS) + "\n" + row + "\n"
    with pytest.raises(RegimeFileError) as err:
        read_rules(text)
    assert (err.value.row, err.value.column) == (3, column)
