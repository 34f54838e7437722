"""The preference rule, pure: a claimed scheme's rate applies only when the origin is a member of the
agreement, the line has a rate under the scheme, and a certificate is given; otherwise MFN and the reason."""

from __future__ import annotations

from decimal import Decimal

import pytest

from haiquan.tariff import domain as d

TSHIRT = d.Rates(mfn=Decimal(20), vat=Decimal(8), preferential={"ATIGA": Decimal(0), "CPTPP": Decimal(5)})
ASEAN = frozenset({"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"})


@pytest.mark.parametrize(
    ("claim", "members", "reason"),
    [
        (d.Claim("ATIGA", "TH", "D-1"), ASEAN, None),
        (d.Claim("ATIGA", "US", "D-1"), ASEAN, d.ORIGIN_NOT_MEMBER),
        (d.Claim("ACFTA", "CN", "E-1"), ASEAN | {"CN"}, d.NO_PREFERENTIAL_RATE),
        (d.Claim("ATIGA", "TH", None), ASEAN, d.CERTIFICATE_MISSING),
        (d.Claim("ATIGA", "TH", ""), ASEAN, d.CERTIFICATE_MISSING),
        # the first condition that fails is the reason
        (d.Claim("ACFTA", "US", None), ASEAN | {"CN"}, d.ORIGIN_NOT_MEMBER),
        (d.Claim("ACFTA", "CN", None), ASEAN | {"CN"}, d.NO_PREFERENTIAL_RATE),
        (d.Claim("ATIGA", "TH", "D-1"), frozenset(), d.ORIGIN_NOT_MEMBER),
    ],
)
def test_refusal_reason(claim: d.Claim, members: frozenset[str], reason: str | None) -> None:
    assert d.preference_refusal(claim, TSHIRT, members) == reason


def test_applied_scheme_takes_its_rate_and_mfn_otherwise() -> None:
    value = Decimal(1_000_000)
    mfn = d.import_duties(value, TSHIRT, None)
    assert (mfn.import_rate, mfn.import_duty, mfn.scheme) == (Decimal(20), Decimal(200_000), None)
    assert mfn.vat == Decimal(96_000)  # 8 % of 1,200,000
    atiga = d.import_duties(value, TSHIRT, "ATIGA")
    assert (atiga.import_rate, atiga.import_duty, atiga.scheme) == (Decimal(0), Decimal(0), "ATIGA")
    cptpp = d.import_duties(value, TSHIRT, "CPTPP")
    assert (cptpp.import_rate, cptpp.import_duty, cptpp.scheme) == (Decimal(5), Decimal(50_000), "CPTPP")


def test_a_scheme_without_a_rate_on_the_line_is_not_applied() -> None:
    duties = d.import_duties(Decimal(1000), TSHIRT, "EVFTA")
    assert (duties.import_rate, duties.scheme) == (Decimal(20), None)
