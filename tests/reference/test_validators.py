"""Validators of codes that arrive from outside: ISO 6346 vectors, tax codes, HS, LOCODE; property tests."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import iso6346

from haiquan.reference import validators
from haiquan.reference.locodes import locations, locode_name, subdivisions

VECTORS = Path(__file__).parent / "data" / "iso6346_test_vectors.csv"


def _vectors() -> list[dict[str, str]]:
    with VECTORS.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("vector", _vectors(), ids=lambda v: v["full_number"])
def test_iso6346_vectors(vector: dict[str, str]) -> None:
    assert iso6346.calc_check_digit(vector["container_no_without_cd"]) == vector["check_digit"]
    if vector["full_number"][3] not in "UJZ":
        # ABCD1234560 illustrates the remainder-10 rule only: "D" is not an equipment category (U, J, Z).
        with pytest.raises(ValueError, match="ISO 6346"):
            validators.container_number(vector["full_number"])
        return
    assert validators.container_number(vector["full_number"]) == vector["full_number"]
    assert (
        validators.container_number(vector["full_number"].lower()[:4] + " " + vector["full_number"][4:])
        == (vector["full_number"])
    )


def test_iso6346_remainder_ten_gives_zero() -> None:
    # Weighted sum 5334 mod 11 = 10 → check digit 0 (vector ABCD123456); the same rule on a U container:
    body = next(f"ABCU{n:06d}" for n in range(1_000_000) if _remainder(f"ABCU{n:06d}") == 10)
    assert iso6346.calc_check_digit(body) == "0"
    assert validators.container_number(body + "0") == body + "0"


def _remainder(body: str) -> int:
    values = {c: v for c, v in zip("0123456789", range(10), strict=True)}
    letters = [n for n in range(10, 39) if n % 11]
    values |= dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", letters, strict=True))
    return sum(values[c] * 2**i for i, c in enumerate(body)) % 11


def test_iso6346_wrong_check_digit_names_the_right_one() -> None:
    with pytest.raises(ValueError, match="check digit should be 3"):
        validators.container_number("CSQU3054384")
    with pytest.raises(ValueError, match="not an ISO 6346"):
        validators.container_number("CSQU30543")


owner = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3)
category = st.sampled_from("UJZ")
serial = st.integers(min_value=0, max_value=999_999).map(lambda n: f"{n:06d}")


@given(owner, category, serial, st.integers(min_value=0, max_value=9))
def test_a_container_number_with_any_other_check_digit_is_rejected(
    o: str, c: str, s: str, digit: int
) -> None:
    body = o + c + s
    right = iso6346.calc_check_digit(body)
    assert validators.container_number(body + right) == body + right
    if str(digit) != right:
        with pytest.raises(ValueError, match=f"check digit should be {right}"):
            validators.container_number(body + str(digit))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0100109106", "0100109106"),
        (" 0200519875 ", "0200519875"),
        ("0100109106001", "0100109106001"),  # branch: 13 digits
        ("0100109106-001", "0100109106001"),
    ],
)
def test_tax_codes_accepted(value: str, expected: str) -> None:
    assert validators.tax_code(value) == expected


@pytest.mark.parametrize(
    "value", ["0100109107", "0100109108001", "010010910", "01001091060", "abcdefghij", ""]
)
def test_tax_codes_rejected(value: str) -> None:
    with pytest.raises(ValueError, match="not a valid Vietnamese tax code"):
        validators.tax_code(value)


@given(st.sampled_from(["0100109106", "0200519875", "0100112437", "0300588569"]), st.integers(1, 9))
def test_changing_the_check_digit_of_a_tax_code_is_rejected(code: str, delta: int) -> None:
    bad = code[:9] + str((int(code[9]) + delta) % 10)
    with pytest.raises(ValueError, match="not a valid Vietnamese tax code"):
        validators.tax_code(bad)


def test_hs_country_currency_locode() -> None:
    assert validators.hs_code("8517.13.00") == "85171300"
    with pytest.raises(ValueError, match="8 digits"):
        validators.hs_code("851713")
    assert validators.country("vn") == "VN"
    with pytest.raises(ValueError, match="ISO 3166-1"):
        validators.country("XX")
    assert validators.currency("usd") == "USD"
    with pytest.raises(ValueError, match="ISO 4217"):
        validators.currency("VNX")
    assert validators.locode("vn hph") == "VNHPH"
    with pytest.raises(ValueError, match="UN/LOCODE"):
        validators.locode("VNHP1")


def test_curated_locodes() -> None:
    assert locode_name("VNHPH") == "Haiphong"
    assert locode_name("vnsgn") == "Ho Chi Minh City"
    assert locode_name("VNCMT", vietnamese=True) == "Cái Mép"
    assert locode_name("VNZZZ") is None
    assert locode_name("not a code") is None
    every = locations()
    assert {"VNHAN", "VNDAD", "VNCLI", "VNVUT"} <= set(every)
    assert all(loc.subdivision is None or loc.subdivision in subdivisions() for loc in every.values())
    assert subdivisions()["HP"] == "Hải Phòng"
    assert len(subdivisions()) == 62
