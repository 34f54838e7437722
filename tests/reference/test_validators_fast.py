"""The fast ISO 6346 check agrees with python-stdnum on valid, mistyped and malformed numbers."""

from __future__ import annotations

import random

import pytest
from stdnum import iso6346

from haiquan.reference import validators


def _stdnum(raw: str) -> str | None:
    try:
        return str(iso6346.validate(raw))
    except Exception:
        return None


def test_fast_container_check_agrees_with_stdnum() -> None:
    rng = random.Random(6346)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    samples = ["CSQU3054383", "MSCU1234566", "TGHU7654321", "BNCU0000001", "abcu1234560", "ABC_1234560"]
    for _ in range(3000):
        body = (
            "".join(rng.choice(letters) for _ in range(3))
            + rng.choice("UJZRX")
            + f"{rng.randrange(10**6):06d}"
        )
        samples.append(body + rng.choice([iso6346.calc_check_digit(body), str(rng.randrange(10))]))
    for raw in samples:
        expected = _stdnum(raw.upper())
        if expected is None:
            with pytest.raises(ValueError, match=r"ISO 6346|container"):
                validators.container_number(raw)
        else:
            assert validators.container_number(raw) == expected
