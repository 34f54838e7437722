"""Numbers in answers have one form: the lodge answer and a later read print the same strings for the same
values on both databases (PostgreSQL's NUMERIC keeps the scale, SQLite does not)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from haiquan.kit.money import plain
from tests.support import World, import_declaration

PLAIN = re.compile(r"^-?(0|[1-9]\d*)(\.\d*[1-9])?$")


def _numbers(x: Any, path: str = "") -> dict[str, str]:
    """Every decimal-looking string of an answer, by its path."""
    if isinstance(x, dict):
        return {
            k: v for key, val in x.items() for k, v in _numbers(val, f"{path}.{key}" if path else key).items()
        }
    if isinstance(x, list):
        return {k: v for i, val in enumerate(x) for k, v in _numbers(val, f"{path}[{i}]").items()}
    if (
        isinstance(x, str)
        and not path.endswith(("tax_code", "hs_code", "number"))
        and re.fullmatch(r"-?\d+(\.\d+)?(E[+-]?\d+)?", x)
    ):
        return {path: x}
    return {}


def test_the_lodge_answer_and_a_later_read_print_the_same_numbers(world: World) -> None:
    lodged = world.lodge(import_declaration())
    assert lodged.status_code == 201, lodged.text
    read = world.client.get(
        f"/api/v1/declarations/{lodged.json()['number']}", headers=world.ent("0100109106")
    )
    first, later = _numbers(lodged.json()), _numbers(read.json())
    assert first["duties.exchange_rate"] == later["duties.exchange_rate"] == "26000"
    shared = first.keys() & later.keys()
    assert len(shared) > 30
    assert {k: first[k] for k in shared} == {k: later[k] for k in shared}
    for path, value in first.items() | later.items():
        assert PLAIN.match(value), (path, value)
    assert later["lines[1].vat_rate"] == "5"


def test_plain_has_no_exponent_and_no_trailing_zeros() -> None:
    assert plain(Decimal("26322.0000")) == "26322"
    assert plain(Decimal("0.1000")) == "0.1"
    assert plain(Decimal("1E+3")) == "1000"
    assert plain(Decimal("-0.00")) == "0"
    assert plain(Decimal("0E-4")) == "0"
