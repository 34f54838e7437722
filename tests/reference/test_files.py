"""The shipped reference files: tariff sample integrity, HS coverage, the exchange-rate series and its
script, and the error every malformed row gets."""

from __future__ import annotations

import csv
import importlib.util
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest

from haiquan.reference import domain
from haiquan.reference.domain import ReferenceFileError

ROOT = Path(__file__).resolve().parents[2]
CURRENCIES = {"USD", "EUR", "JPY", "CNY", "KRW", "SGD", "THB", "GBP", "AUD", "HKD", "TWD"}


def test_hs_file_is_hs2022_without_artefacts() -> None:
    entries = domain.read_hs()
    codes = {e.code for e in entries}
    assert len(entries) == 6936
    assert {"TOTAL", "99", "9999", "999999"}.isdisjoint(codes)
    assert {e.level for e in entries} == {2, 4, 6}
    assert all(e.parent in codes for e in entries if e.parent)
    assert "850760" in codes
    assert "854143" in codes
    assert "340220" not in codes  # HS 2017 subheading deleted in 2022


def test_every_tariff_line_falls_under_an_hs2022_subheading() -> None:
    six = {e.code for e in domain.read_hs() if e.level == 6}
    lines = domain.read_tariff()
    missing = [line.hs8 for line in lines if line.hs8[:6] not in six]
    assert missing == []
    assert domain.read_tariff(known_hs6=frozenset(six)) == lines


def test_tariff_sample_integrity() -> None:
    with domain.TARIFF_FILE.open(encoding="utf-8", newline="") as fh:
        raw = list(csv.DictReader(fh))
    lines = domain.read_tariff()
    assert 150 <= len(lines) <= 250
    assert len(lines) == len(raw)
    for r in raw:
        for column in domain.TARIFF_COLUMNS[4:]:
            if r[column]:
                assert Decimal(r[column]) >= 0, (r["hs8"], column)
        assert r["source"], r["hs8"]
    for line in lines:
        assert line.vat_rate in {0, 5, 8, 10}
        assert all(v <= line.mfn_rate for v in line.preferential.values()), line.hs8
        assert line.description_vi
        assert line.description_en
        assert line.unit
    chapters = {line.hs8[:4] for line in lines}
    for heading in (
        "8517",
        "8471",
        "0303",
        "0306",
        "1006",
        "0901",
        "0801",
        "0808",
        "0810",
        "8703",
        "8711",
        "2203",
        "2204",
        "2208",
        "2402",
        "2710",
        "3901",
        "4802",
        "9403",
        "9503",
        "9018",
        "3102",
    ):
        assert heading in chapters, heading


def test_car_excise_follows_engine_size() -> None:
    by_code = {line.hs8: line for line in domain.read_tariff()}
    expected = {
        "87032241": 35,
        "87032351": 40,
        "87032361": 40,
        "87032371": 50,
        "87032381": 60,
        "87032451": 90,
    }
    assert {k: by_code[k].excise_rate for k in expected} == expected
    assert by_code["87038099"].excise_rate == 3  # battery electric cars until 2027-02-28
    assert by_code["22030090"].excise_rate == 65
    assert by_code["24022090"].excise_rate == 75


def test_exchange_rates_cover_every_week_to_today() -> None:
    entries = domain.read_rates()
    assert {e.currency for e in entries} == CURRENCIES
    mondays = {e.valid_from for e in entries}
    first, last = min(mondays), max(mondays)
    assert first <= date(2025, 1, 1)
    assert last == date(2026, 11, 16)
    assert all(d.weekday() == 0 for d in mondays)
    assert len(mondays) == (last - first).days // 7 + 1
    assert len(entries) == len(mondays) * len(CURRENCIES)
    usd = [e.vnd_per_unit for e in entries if e.currency == "USD"]
    assert all(Decimal(25_000) <= v <= Decimal(26_400) for v in usd)
    assert all(e.vnd_per_unit > 0 for e in entries)
    rate = {(e.currency, e.valid_from): e.vnd_per_unit for e in entries}
    monday = date(2025, 6, 30)
    assert rate[("EUR", monday)] > rate[("USD", monday)] > rate[("SGD", monday)] > rate[("CNY", monday)]
    assert rate[("CNY", monday)] > rate[("THB", monday)] > rate[("JPY", monday)] > rate[("KRW", monday)]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_exchange_rates", ROOT / "scripts" / "build_exchange_rates.py"
    )
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_rates_file_is_what_the_script_writes(tmp_path: Path) -> None:
    script = _script()
    out = tmp_path / "rates.csv"
    script.write(out, script.DEFAULT_UNTIL)
    assert out.read_text(encoding="utf-8") == domain.RATES_FILE.read_text(encoding="utf-8")
    later = tmp_path / "later.csv"
    script.write(later, script.DEFAULT_UNTIL + timedelta(days=7))
    assert len(domain.read_rates(later)) == len(domain.read_rates()) + len(CURRENCIES)


HEADER = ",".join(domain.TARIFF_COLUMNS)
GOOD = "85171300,Điện thoại thông minh,Smartphones,chiếc,0,10,0,0,0,,,,,"


@pytest.mark.parametrize(
    ("body", "row", "column", "message"),
    [
        ("hs8,description_vi\n", 1, "description_en", "missing column"),
        (f"{HEADER}\n{GOOD}\n8517130,x,y,chiếc,0,10,0,0,,,,,,\n", 3, "hs8", "8 digits"),
        (f"{HEADER}\n{GOOD}\n{GOOD}\n", 3, "hs8", "appears twice"),
        (f"{HEADER}\n85171300,x,y,chiếc,abc,10,0,0,,,,,,\n", 2, "mfn_rate", "not a number"),
        (f"{HEADER}\n85171300,x,y,chiếc,-1,10,0,0,,,,,,\n", 2, "mfn_rate", "0 or more"),
        (f"{HEADER}\n85171300,x,y,chiếc,5.1234,10,0,0,,,,,,\n", 2, "mfn_rate", "decimal places"),
        (f"{HEADER}\n85171300,x,y,chiếc,5,12,0,0,,,,,,\n", 2, "vat_rate", "0, 5, 8, 10"),
        (f"{HEADER}\n85171300,x,y,chiếc,5,10,0,0,,,,,,7\n", 2, "evfta_rate", "above the MFN"),
        (f"{HEADER}\n85171300,,y,chiếc,5,10,0,0,,,,,,\n", 2, "description_vi", "empty"),
        (f"{HEADER}\n85171300,x,y,chiếc chiếc chiếc,5,10,0,0,,,,,,\n", 2, "unit", "longer than 10"),
        (f"{HEADER}\n85171300,x,y,chiếc,5,10,0,0,,,,,,,extra\n", 2, None, "more cells"),
    ],
)
def test_bad_tariff_rows(tmp_path: Path, body: str, row: int, column: str | None, message: str) -> None:
    path = tmp_path / "tariff.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ReferenceFileError, match=message) as caught:
        domain.read_tariff(path)
    assert (caught.value.file, caught.value.row, caught.value.column) == ("tariff.csv", row, column)


@pytest.mark.parametrize(
    ("body", "row", "column"),
    [
        ("currency,valid_from,vnd_per_unit\nUSD,2026-01-05,26000\nXYZ,2026-01-05,1\n", 3, "currency"),
        ("currency,valid_from,vnd_per_unit\nVND,2026-01-05,1\n", 2, "currency"),
        ("currency,valid_from,vnd_per_unit\nUSD,05/01/2026,26000\n", 2, "valid_from"),
        ("currency,valid_from,vnd_per_unit\nUSD,2026-01-05,0\n", 2, "vnd_per_unit"),
        ("currency,valid_from,vnd_per_unit\nUSD,2026-01-05,1\nusd,2026-01-05,2\n", 3, "valid_from"),
        ("currency,valid_from\nUSD,2026-01-05\n", 1, "vnd_per_unit"),
    ],
)
def test_bad_rate_rows(tmp_path: Path, body: str, row: int, column: str) -> None:
    path = tmp_path / "rates.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ReferenceFileError) as caught:
        domain.read_rates(path)
    assert (caught.value.row, caught.value.column) == (row, column)


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ("I,0101X,Horses,01,4", "hscode"),
        ("I,0101,Horses,01,6", "level"),
        ("Q,0101,Horses,01,4", "section"),
        ("I,0101,Horses,02,4", "parent"),
        ("I,0101,,01,4", "description"),
    ],
)
def test_bad_hs_rows(tmp_path: Path, line: str, column: str) -> None:
    path = tmp_path / "hs.csv"
    path.write_text(
        f"section,hscode,description,parent,level\nI,01,Animals; live,TOTAL,2\n{line}\n", encoding="utf-8"
    )
    with pytest.raises(ReferenceFileError) as caught:
        domain.read_hs(path)
    assert (caught.value.row, caught.value.column) == (3, column)


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(ReferenceFileError, match="cannot open"):
        domain.read_rates(tmp_path / "nope.csv")
    path = tmp_path / "latin1.csv"
    path.write_bytes("currency,valid_from,vnd_per_unit\nUSD,2026-01-05,26000 đ\n".encode("cp1258"))
    with pytest.raises(ReferenceFileError) as caught:
        domain.read_rates(path)
    assert caught.value.row is not None
