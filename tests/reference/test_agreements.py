"""The shipped trade-agreement membership file and the error each malformed row gets."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from haiquan.reference import agreements
from haiquan.reference.domain import PREFERENCE_SCHEMES, ReferenceFileError

ASEAN = {"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"}
EU = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT"}
EU |= {"LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}
TODAY = date(2026, 3, 4)


def test_shipped_file_names_the_members_of_each_scheme() -> None:
    rows = agreements.read_agreements()
    assert {m.scheme for m in rows} == set(PREFERENCE_SCHEMES)
    assert all(m.source for m in rows)
    assert agreements.members("ATIGA", TODAY) == ASEAN
    assert agreements.members("acfta", TODAY) == ASEAN | {"CN"}
    assert agreements.members("AKFTA", TODAY) == ASEAN | {"KR"}
    assert agreements.members("VKFTA", TODAY) == {"VN", "KR"}
    assert agreements.members("EVFTA", TODAY) == EU | {"VN"}
    cptpp = {"AU", "BN", "CA", "CL", "JP", "MY", "MX", "NZ", "PE", "SG", "VN", "GB"}
    assert agreements.members("CPTPP", TODAY) == cptpp
    assert "US" not in agreements.members("ATIGA", TODAY)
    assert agreements.members("NAFTA", TODAY) == frozenset()


def test_membership_counts_from_its_date() -> None:
    assert "GB" not in agreements.members("CPTPP", date(2024, 12, 14))
    assert "GB" in agreements.members("CPTPP", date(2024, 12, 15))
    assert agreements.members("EVFTA", date(2020, 7, 31)) == frozenset()


HEADER = "scheme,country,since,source"
REST = "\n".join(f"{s},VN,2020-01-01,x" for s in PREFERENCE_SCHEMES if s != "ATIGA")


@pytest.mark.parametrize(
    ("body", "row", "column", "message"),
    [
        (f"{HEADER}\nNAFTA,US,2020-01-01,x\n", 2, "scheme", "not one of"),
        (f"{HEADER}\nATIGA,XX,2020-01-01,x\n", 2, "country", "XX"),
        (f"{HEADER}\nATIGA,TH,17/05/2010,x\n", 2, "since", "not a date"),
        (f"{HEADER}\nATIGA,TH,2010-05-17,x\nATIGA,TH,2010-05-17,y\n", 3, "country", "already a member"),
        (f"{HEADER}\nATIGA,TH,2010-05-17,\n", 2, "source", "empty"),
        ("scheme,country,since\nATIGA,TH,2010-05-17\n", 1, "source", "missing column"),
        (f"{HEADER}\n{REST}\n", None, None, "no members for ATIGA"),
    ],
)
def test_bad_agreement_rows(
    tmp_path: Path, body: str, row: int | None, column: str | None, message: str
) -> None:
    path = tmp_path / "agreements.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ReferenceFileError, match=message) as caught:
        agreements.read_agreements(path)
    assert (caught.value.file, caught.value.row, caught.value.column) == ("agreements.csv", row, column)
