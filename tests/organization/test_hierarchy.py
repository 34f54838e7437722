"""The hierarchy file: validation and the shipped seed."""

from __future__ import annotations

from pathlib import Path

import pytest

from haiquan.organization.cli import DEFAULT_UNITS, read_units_file
from haiquan.organization.domain import HierarchyError, UnitTree, validate_rows


def test_seed_file_is_a_valid_tree_with_every_level() -> None:
    units = read_units_file(DEFAULT_UNITS)
    tree = UnitTree.build(units)
    assert tree.roots() == ["00"]
    assert {u.level for u in units} >= {"general", "department", "subdepartment", "team"}
    assert tree.department_of("01B1") == "01"
    assert "01B1" in tree.subtree("01AB")
    assert "03CC" not in tree.subtree("01")
    assert len(tree.subtree("00")) == len(units)


@pytest.mark.parametrize(
    ("rows", "field"),
    [
        ([{"code": "00", "name_vi": "TC", "level": "general", "parent": ""}, {"code": "01", "name_vi": "C", "level": "x", "parent": "00"}], "level"),
        ([{"code": "00", "name_vi": "TC", "level": "general", "parent": ""}, {"code": "01", "name_vi": "C", "level": "department", "parent": "99"}], "parent"),
        ([{"code": "00", "name_vi": "TC", "level": "general", "parent": ""}, {"code": "00", "name_vi": "C", "level": "department", "parent": "00"}], "code"),
        ([{"code": "00", "name_vi": "", "level": "general", "parent": ""}], "name_vi"),
        ([{"code": "01", "name_vi": "A", "level": "department", "parent": "02"}, {"code": "02", "name_vi": "B", "level": "department", "parent": "01"}], "parent"),
    ],
)  # fmt: skip
def test_bad_hierarchy_names_the_field(rows: list[dict[str, str]], field: str) -> None:
    with pytest.raises(HierarchyError) as exc:
        validate_rows(rows)
    assert exc.value.field == field


def test_missing_columns_are_named(tmp_path: Path) -> None:
    p = tmp_path / "u.csv"
    p.write_text("code,name_vi\n00,TC\n")
    with pytest.raises(HierarchyError, match="level"):
        read_units_file(p)
