"""Enforcement rules without a database: status machine, units of measure, the articles' sentence."""

from __future__ import annotations

from decimal import Decimal

import pytest

from haiquan.enforcement import domain, places
from haiquan.enforcement.domain import CaseStatus as S

ARTICLE = (
    "phát hiện, bắt giữ 27 vụ buôn lậu; quyết định khởi tố 5 vụ; chuyển cơ quan khác đề nghị khởi tố 9 vụ; "
    "phát hiện, phối hợp bắt giữ 14 vụ buôn lậu, vận chuyển trái phép ma tuý, thu giữ: 29.552,15 gam ma túy "
    "tổng hợp (MDMA) (khoảng 50 nghìn viên); 4.836,27 gam ma túy loại Heroin; 392,41 gam Ketamine; 22 gam "
    "ma túy dạng mới; trong đó có 12 vụ phối hợp bắt và tạm giữ 17 đối tượng."
)


def test_status_machine_allows_the_lifecycle_and_refuses_the_rest() -> None:
    domain.check_transition(S.DETECTED, S.UNDER_INVESTIGATION, None)
    domain.check_transition(S.UNDER_INVESTIGATION, S.PROSECUTED, None)
    domain.check_transition(S.DETECTED, S.TRANSFERRED_BORDER_GUARD, None)
    domain.check_transition(S.TRANSFERRED_POLICE, S.CLOSED, "violation")
    with pytest.raises(domain.TransitionError) as e:
        domain.check_transition(S.CLOSED, S.UNDER_INVESTIGATION, None)
    assert e.value.field == "to"
    assert "closed" in str(e.value)
    with pytest.raises(domain.TransitionError):
        domain.check_transition(S.PROSECUTED, S.TRANSFERRED_POLICE, None)
    with pytest.raises(domain.TransitionError) as e:
        domain.check_transition(S.DETECTED, S.CLOSED, None)
    assert e.value.field == "outcome"
    with pytest.raises(domain.TransitionError):
        domain.check_transition(S.DETECTED, "archived", None)


def test_confirmed_means_prosecuted_transferred_or_closed_with_violation() -> None:
    assert not domain.is_confirmed([("detected", None), ("under_investigation", None)])
    assert not domain.is_confirmed([("detected", None), ("closed", "no_violation")])
    assert domain.is_confirmed([("detected", None), ("closed", "violation")])
    assert domain.is_confirmed([("detected", None), ("transferred_police", None)])


def test_only_kilograms_and_grams_convert() -> None:
    assert domain.to_grams(Decimal("1.5"), "kg") == Decimal("1500.0")
    assert domain.to_grams(Decimal("392.41"), "g") == Decimal("392.41")
    for measure in ("tablet", "piece", "litre"):
        with pytest.raises(ValueError, match="cannot be converted"):
            domain.to_grams(Decimal(10), measure)


@pytest.mark.parametrize(
    ("category", "qty", "unit", "count", "count_unit", "field"),
    [
        ("mdma", "10", "bags", None, None, "unit"),
        ("mdma", "10", "litre", None, None, "unit"),
        ("sugar", "10", "tablet", None, None, "unit"),
        ("opium-ish", "10", "g", None, None, "category"),
        ("mdma", "0", "g", None, None, "quantity"),
        ("mdma", "2.5", "tablet", None, None, "quantity"),
        ("mdma", "10", "g", "5", None, "count_unit"),
        ("mdma", "10", "tablet", "5", "tablet", "count"),
        ("mdma", "10", "g", "5.5", "tablet", "count"),
        ("ketamine", "10", "g", "3", "piece", "count_unit"),
    ],
)
def test_bad_items_name_the_field(
    category: str, qty: str, unit: str, count: str | None, count_unit: str | None, field: str
) -> None:
    with pytest.raises(domain.MeasureError) as e:
        domain.check_item(category, Decimal(qty), unit, Decimal(count) if count else None, count_unit)
    assert e.value.field == field


def test_totals_keep_tablets_and_grams_apart_exactly_as_recorded() -> None:
    t = domain.Totals()
    t.add(Decimal("29.55215"), "kg", Decimal(30000), "tablet")
    t.add(Decimal("1200"), "tablet", None, None)
    assert t.grams == Decimal("29552.15")
    assert t.tablets == Decimal(31200)
    assert t.items == 2


def test_partial_counts_say_what_they_cover() -> None:
    s = domain.Summary(0, 0, 0, 1)
    t = s.substances.setdefault("mdma", domain.Totals())
    t.add(Decimal("100"), "g", Decimal(400), "tablet")
    t.add(Decimal("0.5"), "kg", None, None)
    assert "600 gam ma túy tổng hợp (MDMA) (khoảng 400 viên trên 100 gam đã đếm)" in domain.summary_sentence(
        s, lang="vi", subject="X"
    )
    assert "MDMA 600 g (≈ 400 tablets counted on 100 g)" in domain.summary_sentence(s, lang="en", subject="X")


def test_numbers_are_written_the_vietnamese_and_the_english_way() -> None:
    assert domain.fmt_number(Decimal("29552.150"), "vi") == "29.552,15"
    assert domain.fmt_number(Decimal("29552.150"), "en") == "29,552.15"
    assert domain.fmt_number(Decimal("22.000"), "vi") == "22"
    assert domain.fmt_number(Decimal("1234567"), "en") == "1,234,567"
    assert str(domain.plain(Decimal("50000.000"))) == "50000"


def _article_summary() -> domain.Summary:
    """Recorded items, several per substance: MDMA 29,552.15 g over three seizures with 50,000 tablets counted."""
    s = domain.Summary(27, 5, 9, 14, 12, 17)
    items = [
        ("mdma", "12000.05", "g", "20000"), ("mdma", "17.5521", "kg", "30000"),
        ("heroin", "4836.27", "g", None), ("ketamine", "392.41", "g", None), ("new_psychoactive", "22", "g", None),
    ]  # fmt: skip
    for code, qty, unit, tablets in items:
        if unit is None:
            continue
        t = s.substances.setdefault(code, domain.Totals())
        t.add(Decimal(qty), unit, Decimal(tablets) if tablets else None, "tablet" if tablets else None)
    return s


def test_summary_sentence_reproduces_the_article() -> None:
    text = domain.summary_sentence(_article_summary(), lang="vi", subject="Cục Hải quan TP Hà Nội")
    assert text == "Cục Hải quan TP Hà Nội đã " + ARTICLE


def test_summary_sentence_in_english() -> None:
    text = domain.summary_sentence(_article_summary(), lang="en", subject="Hanoi Customs")
    assert text.startswith(
        "Hanoi Customs detected and seized 27 smuggling cases; 5 prosecuted; 9 transferred"
    )
    assert "MDMA 29,552.15 g (≈ 50,000 tablets); heroin 4,836.27 g; ketamine 392.41 g;" in text
    assert text.endswith("of which 12 cases in coordination, with 17 persons held.")


def test_summary_without_drug_cases_stops_after_transfers() -> None:
    text = domain.summary_sentence(domain.Summary(3, 1, 0), lang="vi", subject="Đơn vị")
    assert (
        text
        == "Đơn vị đã phát hiện, bắt giữ 3 vụ buôn lậu; quyết định khởi tố 1 vụ; chuyển cơ quan khác đề nghị khởi tố 0 vụ."
    )


def test_provinces_resolve_by_code_or_name_and_departments_map_to_provinces() -> None:
    assert places.resolve_province("Lạng Sơn").code == "VN-09"
    assert places.resolve_province("lao cai").code == "VN-02"
    assert places.resolve_province("VN-13").name_vi == "Quảng Ninh"
    assert places.resolve_province("HN").region == "north"
    with pytest.raises(ValueError, match="not a Vietnamese province"):
        places.resolve_province("Atlantis")
    for unit, code in (
        ("15BB", "VN-09"),
        ("20K3", "VN-13"),
        ("13BB", "VN-02"),
        ("01AB", "VN-HN"),
        ("02CI", "VN-SG"),
    ):
        prov = places.province_of_unit(unit)
        assert prov is not None
        assert prov.code == code
    assert len(places.provinces()) == 63
    assert places.province_of_unit("ZZ01") is None
