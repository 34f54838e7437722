"""e-Form D as XML, without a database: a signed certificate parses to its fields; a schema violation is
refused naming the element as an XPath; a broken signature, an unknown key, a revoked key, a DTD, an
entity, a wrong root are refused, the whole batch with them."""

from __future__ import annotations

from typing import Any

import pytest

from haiquan.kit.errors import DomainError, Forbidden
from haiquan.origin import building, eformd
from tests.origin.support import signed, verifying


def refusal(body: bytes, keys: dict[str, list[eformd.CountryCert]] | None = None) -> DomainError:
    with pytest.raises(DomainError) as info:
        eformd.parse(body, verifying() if keys is None else keys)
    return info.value


def test_a_signed_certificate_gives_its_fields() -> None:
    (parsed,) = eformd.parse(signed(), verifying())
    assert parsed.fields["number"] == "TH2026-0001234"
    assert parsed.fields["items"][0]["hs_code"] == "610910"
    assert parsed.key_name == "TH-2026"


def _item(**over: Any) -> dict[str, Any]:
    data = building.example()
    data["items"][0] |= over
    return data


@pytest.mark.parametrize(
    ("data", "xpath"),
    [
        (_item(hs_code="61091"), "/EFormD/Items/Item/HSCode"),
        (_item(criterion="RVC 40%"), "/EFormD/Items/Item/OriginCriterion"),
        (_item(fob_value="-1"), "/EFormD/Items/Item/FOBValue"),
        (building.example(issuing_country="US"), "/EFormD/IssuingCountry"),
        (building.example(issue_date="30/11/2026"), "/EFormD/IssueDate"),
        (building.example(certificate_no="th 1"), "/EFormD/CertificateNo"),
    ],
)
def test_a_schema_violation_names_the_element(data: dict[str, Any], xpath: str) -> None:
    err = refusal(signed(data))
    assert (err.status, err.code, err.field) == (422, "schema", xpath)


def test_a_missing_element_is_named_by_its_parent() -> None:
    data = building.example()
    del data["exporter"]
    err = refusal(signed(data))
    assert err.field == "/EFormD"
    assert "Exporter" in err.message


def test_the_second_certificate_of_a_batch_is_named() -> None:
    bad = building.example("TH2026-0000002")
    bad["items"][0]["hs_code"] = "6109"
    body = eformd.batch_of([signed(building.example("TH2026-0000001")), signed(bad)])
    assert refusal(body).field == "/EFormDBatch/EFormD[2]/Items/Item/HSCode"


def test_a_changed_certificate_breaks_its_signature() -> None:
    err = refusal(signed().replace(b"3800", b"380"))
    assert (err.status, err.code, err.field) == (422, "broken_signature", "/EFormD/ds:Signature")


def test_an_unsigned_certificate_is_refused() -> None:
    err = refusal(building.build(building.example()))
    assert (err.code, err.field) == ("unsigned", "/EFormD/ds:Signature")


def test_a_key_not_registered_for_the_issuing_country_is_refused() -> None:
    err = refusal(signed(), verifying("MY", "TH-2026"))  # TH's key registered under MY only
    assert (err.status, err.code) == (422, "unknown_country_key")
    assert err.field == "/EFormD/ds:Signature/ds:KeyInfo/ds:KeyName"
    assert refusal(signed(key_name="TH-OTHER")).code == "unknown_country_key"


def test_another_countrys_key_does_not_verify() -> None:
    body = signed(country="SG")  # signed with SG's key, named as TH's
    assert refusal(body).code == "broken_signature"


def test_a_revoked_key_refuses_with_403() -> None:
    cert = verifying()["TH"][0]
    why = Forbidden("revoked", field="ds:KeyName", code="certificate_revoked")
    keys = {"TH": [eformd.CountryCert("TH", cert.key_name, cert.certificate_pem, why)]}
    assert refusal(signed(), keys).status == 403


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
        b"<EFormD>not namespaced</EFormD>",
        b"<not-xml",
        b'<EFormDBatch xmlns="urn:haiquan:origin:atiga-eform-d:1"/>',
    ],
)
def test_documents_that_are_not_certificates_are_refused(body: bytes) -> None:
    err = refusal(body)
    assert err.status == 422
    assert err.field in ("body", "/EFormDBatch")
