"""The procedure-code rule and the shipped list of Quyết định 1357/QĐ-TCHQ (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from haiquan.reference import procedures
from haiquan.reference.domain import ReferenceFileError


def test_the_shipped_list_has_both_kinds_and_their_defaults() -> None:
    codes = procedures.read_procedure_codes()
    assert codes["A11"].kind == "import"
    assert codes["A11"].name_vi == "Nhập kinh doanh tiêu dùng"
    assert codes["B11"].kind == "export"
    assert codes["B11"].name_vi == "Xuất kinh doanh"
    imports = {c for c, p in codes.items() if p.kind == "import"}
    exports = {c for c, p in codes.items() if p.kind == "export"}
    assert {
        "A12",
        "A21",
        "A31",
        "A41",
        "E11",
        "E21",
        "E31",
        "G11",
        "G12",
        "G13",
        "G14",
        "G51",
        "C11",
        "H11",
    } <= imports
    assert {
        "B12",
        "B13",
        "E42",
        "E52",
        "E62",
        "E82",
        "G21",
        "G22",
        "G23",
        "G24",
        "G61",
        "C12",
        "H21",
    } <= exports
    assert all("1357/QĐ-TCHQ" in p.source and p.name_en for p in codes.values())
    assert [p.code for p in procedures.listed("export")] == sorted(exports, key=list(codes).index)


@pytest.mark.parametrize(
    ("code", "kind", "expected"),
    [(None, "import", "A11"), (None, "export", "B11"), ("E31", "import", "E31"), (" g61 ", "export", "G61")],
)
def test_a_code_of_the_kind_or_the_default_of_the_kind(code: str | None, kind: str, expected: str) -> None:
    assert procedures.check_procedure_code(code, kind) == expected


@pytest.mark.parametrize(
    ("code", "kind", "message"),
    [
        ("A11", "export", "is an import procedure code, not an export one"),
        ("B11", "import", "is an export procedure code, not an import one"),
        ("Z99", "import", "not a VNACCS procedure code"),
        ("Z99", None, "not a VNACCS procedure code"),
        ("", "export", "not a VNACCS procedure code"),
    ],
)
def test_an_unknown_code_or_one_of_the_other_kind_is_refused(
    code: str, kind: str | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        procedures.check_procedure_code(code, kind)


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("A1,import,x,y,s", "code", "not a procedure code"),
        ("A12,transit,x,y,s", "kind", "not import or export"),
        ("A12,import,,y,s", "name_vi", "is empty"),
        ("B11,export,x,y,s", "code", "appears twice"),
    ],
)
def test_a_malformed_list_names_the_row_and_column(
    tmp_path: Path, row: str, column: str, reason: str
) -> None:
    path = tmp_path / "codes.csv"
    path.write_text("code,kind,name_vi,name_en,source\nA11,import,a,b,s\nB11,export,a,b,s\n" + row + "\n")
    with pytest.raises(ReferenceFileError, match=reason) as info:
        procedures.read_procedure_codes(path)
    assert (info.value.row, info.value.column) == (4, column)


def test_a_list_without_the_defaults_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "codes.csv"
    path.write_text("code,kind,name_vi,name_en,source\nA11,import,a,b,s\nB11,import,a,b,s\n")
    with pytest.raises(ReferenceFileError, match="default export code B11"):
        procedures.read_procedure_codes(path)
