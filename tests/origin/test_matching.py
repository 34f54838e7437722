"""The matching rule, pure: a claim that matches its certificate; every field that can fail, alone and
together; tolerances at and beyond their edges; an absent certificate pending."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from haiquan.origin.domain import (
    Certificate,
    ClaimStatus,
    Item,
    LineClaim,
    Tolerances,
    judge,
    normalized_name,
    pending_until,
)

TOL = Tolerances()
ITEM = Item(item_no=1, hs_code="610910", criterion="CTH", description="T-shirts", quantity=Decimal(1000),
            unit="PCE", is_gross_weight=False, fob_value=Decimal(3800), currency="USD", invoice_no="INV-1",
            invoice_date=date(2026, 11, 28))  # fmt: skip
CERT = Certificate(number="TH2026-0001234", issue_date=date(2026, 11, 30), issuing_country="TH",
                   importing_country="VN", exporter_name="Siam Garment Co., Ltd.",
                   consignee_name="Công ty TNHH Thương mại Minh Anh", consignee_tax_id="0101248141",
                   items=(ITEM,))  # fmt: skip
CLAIM = LineClaim(certificate_no="TH2026-0001234", declared_on=date(2026, 12, 6), origin_country="TH",
                  exporter_name="SIAM GARMENT COMPANY LIMITED", importer_tax_code="0101248141",
                  importer_name="Minh Anh", hs_code="61091010", criterion=None, quantity=Decimal(1000),
                  quantity_unit="PCE", net_mass_kg=Decimal(200), value=Decimal(4000), currency="USD",
                  incoterm="CIF")  # fmt: skip


def fields(claim: LineClaim, cert: Certificate | None = CERT, tol: Tolerances = TOL) -> list[str]:
    return [m.field for m in judge(claim, cert, tol).mismatches]


def test_a_matching_certificate_matches_on_its_item() -> None:
    v = judge(CLAIM, CERT, TOL)
    assert v.status is ClaimStatus.MATCHED
    assert v.item_no == 1
    assert v.mismatches == ()


def test_no_certificate_leaves_the_claim_pending_for_the_legal_period() -> None:
    assert judge(CLAIM, None, TOL).status is ClaimStatus.PENDING
    assert pending_until(date(2026, 12, 6), TOL) == date(2027, 12, 6)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"certificate_no": "TH2026-9999999"}, "certificate_no"),
        ({"origin_country": "MY"}, "origin_country"),
        ({"exporter_name": "Bangkok Textile Co., Ltd."}, "exporter"),
        ({"importer_tax_code": "0100109106"}, "importer"),
        ({"hs_code": "61099010"}, "hs_code"),
        ({"criterion": "WO"}, "criterion"),
        ({"quantity": Decimal(1100)}, "quantity"),
        ({"quantity_unit": "SET"}, "quantity"),
        ({"currency": "EUR"}, "fob_value"),
        ({"value": Decimal(3000)}, "fob_value"),
        ({"declared_on": date(2026, 11, 29)}, "validity"),
        ({"declared_on": date(2027, 12, 1)}, "validity"),
    ],
)
def test_each_field_that_differs_is_named(change: dict[str, object], field: str) -> None:
    v = judge(replace(CLAIM, **change), CERT, TOL)  # type: ignore[arg-type]
    assert v.status is ClaimStatus.MISMATCH
    assert [m.field for m in v.mismatches] == [field]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"importing_country": "SG"}, "importing_country"),
        ({"revoked": True}, "validity"),
        ({"consignee_tax_id": None, "consignee_name": "Other Importer JSC"}, "importer"),
    ],
)
def test_what_the_certificate_says_wrong_is_named(change: dict[str, object], field: str) -> None:
    assert fields(CLAIM, replace(CERT, **change)) == [field]  # type: ignore[arg-type]


def test_every_mismatch_is_reported_not_only_the_first() -> None:
    claim = replace(CLAIM, exporter_name="Other", origin_country="MY", quantity=Decimal(1))
    assert fields(claim) == ["origin_country", "exporter", "quantity"]


def test_the_importer_by_name_when_the_certificate_gives_no_tax_id() -> None:
    cert = replace(CERT, consignee_tax_id=None, consignee_name="MINH ANH TRADING")
    assert fields(replace(CLAIM, importer_name="Minh Anh Trading Co., Ltd")) == []
    assert fields(replace(CLAIM, importer_name="Minh Anh Trading Co., Ltd"), cert) == []


@pytest.mark.parametrize(("quantity", "ok"), [(960, True), (1050, True), (950, False), (1060, False)])
def test_quantity_within_the_tolerance(quantity: int, ok: bool) -> None:
    assert (fields(replace(CLAIM, quantity=Decimal(quantity))) == []) is ok


def test_a_gross_weight_must_cover_the_net_mass() -> None:
    by_weight = replace(ITEM, quantity=Decimal(210), unit="KGM", is_gross_weight=True)
    cert = replace(CERT, items=(by_weight,))
    assert fields(CLAIM, cert) == []
    assert fields(replace(CLAIM, net_mass_kg=Decimal(230)), cert) == ["quantity"]


@pytest.mark.parametrize(
    ("incoterm", "value", "ok"),
    [
        ("FOB", 3800, True),
        ("FOB", 3990, True),  # the certificate within 5 % of the line
        ("FOB", 4100, False),
        ("FCA", 3600, False),
        ("CIF", 4000, True),  # a CIF value may exceed the FOB
        ("CIF", 3620, True),  # FOB 3800 at most CIF + 5 %
        ("CIF", 3600, False),
    ],
)
def test_fob_value_by_incoterm(incoterm: str, value: int, ok: bool) -> None:
    assert (fields(replace(CLAIM, incoterm=incoterm, value=Decimal(value))) == []) is ok


def test_tolerances_come_from_the_settings() -> None:
    tight = Tolerances(quantity_percent=Decimal(0), fob_percent=Decimal(0), validity_days=3)
    assert fields(replace(CLAIM, quantity=Decimal(1001)), tol=tight) == ["validity", "quantity"]


def test_validity_edges() -> None:
    assert fields(replace(CLAIM, declared_on=CERT.issue_date)) == []
    last = CERT.issue_date + timedelta(days=TOL.validity_days)
    assert fields(replace(CLAIM, declared_on=last)) == []
    assert fields(replace(CLAIM, declared_on=last + timedelta(days=1))) == ["validity"]


@pytest.mark.parametrize(
    ("a", "b"),
    [("Siam Garment Co., Ltd.", "SIAM GARMENT COMPANY LIMITED"), ("PT Batik Indah Tbk", "Batik Indah"),
     ("Công ty TNHH Minh Anh", "MINH ANH")],
)  # fmt: skip
def test_company_forms_and_punctuation_do_not_count(a: str, b: str) -> None:
    assert normalized_name(a) == normalized_name(b)
