"""Matching people against watch lists, pure: normalisation, transliteration, token order, edit distance,
exact matches on document and on name with date of birth, and the identifiers of crafts and flights."""

from __future__ import annotations

from datetime import date

import pytest

from haiquan.conveyances import domain, matching
from haiquan.conveyances.matching import Person, WatchedPerson


def watched(name: str, **over: object) -> WatchedPerson:
    base: dict[str, object] = {"name": name, "date_of_birth": None, "nationality": None, "document_number": None,
                               "id": "w1", "reason": "why", "source": "test"}  # fmt: skip
    base.update(over)
    return WatchedPerson(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("Nguyễn Văn Đức", "NGUYEN VAN DUC"),
        ("  trần   thị-hoa ", "TRAN THI HOA"),
        ("Иванов Сергей", "IVANOV SERGEI"),
        ("O'Brien, Seán", "O BRIEN SEAN"),
        ("Müller Jürgen", "MULLER JURGEN"),
    ],
)
def test_names_are_folded_to_latin_capitals(raw: str, normal: str) -> None:
    assert matching.normalize_name(raw) == normal


def test_jaro_winkler_and_edit_distance_on_known_pairs() -> None:
    assert round(matching.jaro_winkler("MARTHA", "MARHTA"), 3) == 0.961
    assert round(matching.jaro_winkler("DIXON", "DICKSONX"), 3) == 0.813
    assert matching.jaro_winkler("", "A") == 0.0
    assert matching.edit_distance("KITTEN", "SITTING") == 3


def test_token_order_diacritics_and_transliteration_are_the_same_name() -> None:
    assert matching.name_similarity("Đức Nguyễn Văn", "NGUYEN VAN DUC")[0] == 1.0
    assert matching.name_similarity("Sergei Ivanov", "Иванов Сергей")[0] == 1.0
    score, why = matching.name_similarity("Nguyen Van Duk", "Nguyen Van Duc")
    assert score == 0.96
    assert "spelling variants" in why
    assert matching.name_similarity("Nguyen Duc", "Nguyen Van Duc")[0] == 0.9
    assert matching.name_similarity("Tran Thi Mai", "Le Van Hung")[0] < 0.7


def test_exact_matches_say_why() -> None:
    p = Person("Nguyễn Văn Đức", date(1979, 4, 2), "VNM", "C4411223")
    by_doc = matching.match(p, watched("Someone Else", document_number="C 441 1223", nationality="VNM"))
    assert by_doc is not None
    assert (by_doc.kind, by_doc.score) == ("exact", 1.0)
    assert by_doc.reasons == ("travel document C4411223 (VNM) is on the watch list",)
    assert matching.match(p, watched("Someone Else", document_number="C4411223", nationality="KOR")) is None
    by_name = matching.match(p, watched("DUC NGUYEN VAN", date_of_birth=date(1979, 4, 2)))
    assert by_name is not None
    assert by_name.reasons == ("name and date of birth 1979-04-02 match",)


def test_fuzzy_matches_weigh_the_date_of_birth() -> None:
    p = Person("Smith Anna Marie", date(1992, 7, 21), "GBR", "533380006")
    near = matching.match(p, watched("Anna Smyth", nationality="GBR"))
    assert near is not None
    assert near.kind == "fuzzy"
    assert 0.88 <= near.score < 1
    assert "same nationality GBR" in near.reasons
    assert matching.match(p, watched("Anna Smyth", date_of_birth=date(1950, 1, 1))) is None
    same_day = matching.match(p, watched("Smith Ana Marie", date_of_birth=date(1992, 7, 21)))
    assert same_day is not None
    assert "same date of birth" in same_day.reasons


def test_screen_orders_the_best_first() -> None:
    p = Person("Nguyen Van Duc", date(1979, 4, 2), "VNM", None)
    found = matching.screen(p, [watched("Nguyen Van Duk", id="a"), watched("Nguyen Van Duc", id="b",
                                                                          date_of_birth=date(1979, 4, 2))])  # fmt: skip
    assert [m.entry.id for m in found] == ["b", "a"]


@pytest.mark.parametrize(
    ("raw", "ok"), [("IMO 9074729", "9074729"), ("9074729", "9074729"), ("imo9176187", "9176187")]
)
def test_imo_numbers_carry_a_check_digit(raw: str, ok: str) -> None:
    assert domain.imo_number(raw) == ok


@pytest.mark.parametrize("raw", ["IMO 9074728", "907472", "IMO 90747290", "ABCDEFG"])
def test_bad_imo_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="IMO"):
        domain.imo_number(raw)


@pytest.mark.parametrize(("raw", "ok"), [("VN311", True), ("vn 0311", True), ("HVN123", True), ("VJ1234A", True),
                                         ("12345", False), ("VN", False), ("VN12345", False)])  # fmt: skip
def test_flight_numbers(raw: str, ok: bool) -> None:
    if ok:
        assert domain.flight_number(raw) == raw.upper().replace(" ", "")
    else:
        with pytest.raises(ValueError, match="flight"):
            domain.flight_number(raw)


def test_counts_name_the_field_that_differs() -> None:
    bad = domain.count_mismatch(passenger_count=3, crew_count=2, passengers=3, crew=1)
    assert bad is not None
    assert (bad.field, bad.message) == ("crew_count", "crew_count is 2 but the list holds 1")
    assert domain.count_mismatch(passenger_count=0, crew_count=0, passengers=0, crew=0) is None
