"""The hierarchy file: validation and the shipped seed."""

from __future__ import annotations

from pathlib import Path

import pytest

from haiquan.organization.cli import DEFAULT_UNITS, read_units_file
from haiquan.organization.domain import HierarchyError, Unit, UnitTree, check_successors, validate_rows


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


def _unit(code: str, level: str, parent: str | None, successor: str | None = None) -> Unit:
    return Unit(code, code, "", level, parent, successor)


def test_dissolved_units_are_held_by_their_heirs() -> None:
    active = [_unit("00", "general", None), _unit("01", "department", "00"), _unit("01AB", "subdepartment", "01"),
              _unit("03", "department", "00")]  # fmt: skip
    dissolved = [
        _unit("01TE", "subdepartment", "01", successor="01AB"),  # merged
        _unit("01TX", "team", "01TE"),  # dissolved without successor under a merged unit
        _unit("03CC", "subdepartment", "03", successor="01TE"),  # merged into a unit merged later
    ]
    tree = UnitTree.build(active, dissolved)
    assert tree.get("01TE") is None
    assert tree.subtree("01AB") == {"01AB", "01TE", "01TX", "03CC"}
    assert tree.subtree("03") == {"03"}
    assert {"01TE", "01TX", "03CC"} <= tree.subtree("01")
    assert [tree.heir(c) for c in ("01AB", "01TE", "01TX", "03CC", "99")] == [
        "01AB",
        "01AB",
        "01AB",
        "01AB",
        None,
    ]


def test_successors_are_checked_naming_the_column() -> None:
    base = [_unit("00", "general", None), _unit("01", "department", "00")]
    with pytest.raises(HierarchyError, match="cycle") as exc:
        check_successors([*base, _unit("01A", "team", "01", "01B"), _unit("01B", "team", "01", "01A")])
    assert exc.value.field == "successor"
    with pytest.raises(HierarchyError, match="cycle"):
        check_successors([*base, _unit("01A", "team", "01", "01A")])
    with pytest.raises(HierarchyError, match="not in the file"):
        check_successors([*base, _unit("01A", "team", "01", "02")])
    with pytest.raises(HierarchyError, match="root") as exc:
        check_successors([_unit("00", "general", None, "01"), _unit("01", "department", "00")])
    with pytest.raises(HierarchyError, match="parent 01 is dissolved") as exc:
        check_successors(
            [_unit("00", "general", None), _unit("01", "department", "00", "00"), _unit("01A", "team", "01")]
        )
    assert exc.value.field == "parent"
    check_successors([*base, _unit("01A", "team", "01", "01B"), _unit("01B", "team", "01", "01")])  # a chain
