"""The e-C/O exchange through HTTP, on SQLite and PostgreSQL: the gateway delivers, customs registers the
countries' keys, a matching e-Form D gives ATIGA, a mismatch sends the declaration yellow (officers see
why, traders a neutral reason), a missing one leaves the claim pending then MFN; what is refused changes
nothing; each caller sees only its own."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from haiquan.kit import clock
from haiquan.origin import building, eformd
from tests.declarations.test_flow import force_lane
from tests.origin.conftest import NOW, Asw, delivered, tshirts
from tests.origin.support import signed

DECLARANT, IMPORTER = "0100109106", "0101248141"


def lodged_line(asw: Asw, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    r = asw.world.lodge(body)
    assert r.status_code == 201, r.text
    return r.json()["number"], r.json()["lines"][0]


def claims(asw: Asw, number: str, who: dict[str, str]) -> Any:
    return asw.world.client.get(f"/api/v1/origin/declarations/{number}/claims", headers=who)


def register(asw: Asw, number: str) -> dict[str, Any]:
    r = asw.world.post(f"/api/v1/declarations/{number}/register", asw.world.ent(DECLARANT), None)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_a_matching_certificate_gives_atiga(asw: Asw) -> None:
    delivered(asw)
    number, line = lodged_line(asw, tshirts())
    assert (line["applied_scheme"], line["preference_refused"]) == ("ATIGA", None)
    assert Decimal(line["import_duty"]) == 0
    (claim,) = claims(asw, number, asw.world.ent(IMPORTER)).json()
    assert (claim["status"], claim["mismatches"]) == ("matched", [])


def test_a_mismatched_exporter_goes_yellow_with_the_reason_for_officers_only(asw: Asw) -> None:
    delivered(asw, building.example(exporter={"name": "Bangkok Apparel Co., Ltd.", "address": "Bangkok",
                                              "country": "TH"}))  # fmt: skip
    number, line = lodged_line(asw, tshirts())
    assert (line["applied_scheme"], line["preference_refused"]) == (None, "certificate_mismatch")
    assert Decimal(line["import_rate"]) == 20
    force_lane(asw.app, "green")
    assert register(asw, number)["channel"] == "yellow"
    officer = asw.world.client.get(
        f"/api/v1/declarations/{number}", headers=asw.world.off("nb_officer1")
    ).json()
    origin = [r for r in officer["channel_reasons"] if r["kind"] == "origin"]
    assert "exporter" in origin[0]["en"]
    assert [m["field"] for m in origin[0]["mismatches"]] == ["exporter"]
    trader = asw.world.client.get(f"/api/v1/declarations/{number}", headers=asw.world.ent(DECLARANT)).json()
    assert [r["kind"] for r in trader["channel_reasons"]] == ["channel"]
    assert "Bangkok" not in str(trader)
    assert "e-Form D" not in str(trader)
    (mine,) = claims(asw, number, asw.world.ent(DECLARANT)).json()
    assert (mine["status"], mine["mismatches"]) == ("mismatch", [])
    assert "exporter" not in mine["explanation"]
    (theirs,) = claims(asw, number, asw.world.off("nb_officer1")).json()
    assert theirs["mismatches"][0]["field"] == "exporter"


def test_a_red_lane_stays_red(asw: Asw) -> None:
    delivered(asw, building.example(importing_country="SG"))
    number, _ = lodged_line(asw, tshirts())
    force_lane(asw.app, "red")
    assert register(asw, number)["channel"] == "red"


def test_a_us_origin_claim_pays_mfn_without_a_claim(asw: Asw) -> None:
    number, line = lodged_line(asw, tshirts(origin="US"))
    assert (line["applied_scheme"], line["preference_refused"]) == (None, "origin_not_member")
    assert claims(asw, number, asw.world.ent(DECLARANT)).json() == []


def test_a_certificate_arriving_later_decides_the_pending_claim(asw: Asw) -> None:
    number, line = lodged_line(asw, tshirts())
    assert line["applied_scheme"] == "ATIGA"
    (claim,) = claims(asw, number, asw.world.ent(DECLARANT)).json()
    assert (claim["status"], claim["pending_until"]) == ("pending", "2027-12-06")
    r = asw.deliver(signed())
    assert r.json()["claims_decided"] == 1
    assert claims(asw, number, asw.world.ent(DECLARANT)).json()[0]["status"] == "matched"


def test_a_late_certificate_that_does_not_match_sends_the_line_to_mfn(asw: Asw) -> None:
    number, _ = lodged_line(asw, tshirts())
    register(asw, number)
    delivered(asw, building.example(items=[building.example()["items"][0] | {"quantity": "5000"}]))
    (claim,) = claims(asw, number, asw.world.off("nb_officer1")).json()
    assert [m["field"] for m in claim["mismatches"]] == ["quantity"]
    d = asw.world.client.get(f"/api/v1/declarations/{number}", headers=asw.world.ent(DECLARANT)).json()
    assert d["lines"][0]["preference_refused"] == "certificate_mismatch"
    assert Decimal(d["duties"]["import_duty"]) == Decimal(4000 * 26000) * Decimal("0.20")


def test_the_legal_period_passes_then_mfn_applies(asw: Asw) -> None:
    number, _ = lodged_line(asw, tshirts())
    clock.freeze(NOW + timedelta(days=364))
    assert asw.app.state.origin_duty.run_once() == (0, 0)
    clock.freeze(NOW + timedelta(days=367))
    assert asw.app.state.origin_duty.run_once() == (1, 0)
    (claim,) = claims(asw, number, asw.world.ent(DECLARANT)).json()
    assert claim["status"] == "expired"
    d = asw.world.client.get(f"/api/v1/declarations/{number}", headers=asw.world.ent(DECLARANT)).json()
    assert (d["lines"][0]["applied_scheme"], d["lines"][0]["preference_refused"]) == (
        None, "certificate_not_received")  # fmt: skip
    assert Decimal(d["duties"]["total"]) > 0


def _bad_schema() -> bytes:
    data = building.example("TH2026-0000009")
    data["items"][0]["hs_code"] = "61091"
    return signed(data)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (lambda: signed().replace(b"3800", b"3900"), 422, "/EFormD/ds:Signature"),
        (lambda: signed(key_name="TH-OLD"), 422, "/EFormD/ds:Signature/ds:KeyInfo/ds:KeyName"),
        (lambda: signed(building.example(issuing_country="MY"), country="MY"), 422,
         "/EFormD/ds:Signature/ds:KeyInfo/ds:KeyName"),
        (_bad_schema, 422, "/EFormD/Items/Item/HSCode"),
        (lambda: eformd.batch_of([signed(building.example("TH2026-0000007")), signed()]), 409,
         "/EFormDBatch/EFormD[2]/CertificateNo"),
        (lambda: b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', 422, "body"),
    ],
)  # fmt: skip
def test_a_refused_delivery_changes_nothing(asw: Asw, body: Any, status: int, field: str) -> None:
    delivered(asw)  # TH2026-0001234 is stored
    before = asw.counts()
    r = asw.deliver(body())
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["field"] == field
    assert asw.counts() == before


def test_a_revoked_country_key_refuses_with_403(asw: Asw) -> None:
    r = asw.world.post(
        "/api/v1/origin/country-keys/TH/TH-2026/revoke", asw.world.off("admin"), {"reason": "leak"}
    )
    assert r.json()["revoked_at"] is not None
    before = asw.counts()
    r = asw.deliver(signed())
    assert (r.status_code, r.json()["code"]) == (403, "certificate_revoked")
    assert asw.counts() == before


def test_only_the_gateway_delivers_and_only_administrators_register_keys(asw: Asw) -> None:
    assert asw.deliver(signed(), asw.world.ent(DECLARANT)).status_code == 403
    assert asw.deliver(signed(), asw.world.off("nb_officer1")).status_code == 403
    assert asw.register_key("SG", "SG-1").status_code == 201
    body = {"country": "MY", "key_name": "MY-1", "certificate_pem": "x"}
    assert (
        asw.world.post("/api/v1/origin/country-keys", asw.world.off("nb_officer1"), body).status_code == 403
    )
    r = asw.register_key("TH", "TH-2026")
    assert (r.status_code, r.json()["field"]) == (409, "key_name")
    r = asw.register_key("TH", "TH-BAD", certificate_pem="not a certificate")
    assert (r.status_code, r.json()["field"]) == (422, "certificate_pem")


def test_a_declarations_claims_are_read_in_scope(asw: Asw) -> None:
    delivered(asw)
    number, _ = lodged_line(asw, tshirts())
    assert claims(asw, number, asw.world.ent(DECLARANT)).status_code == 200
    assert claims(asw, number, asw.world.ent(IMPORTER)).status_code == 200
    assert claims(asw, number, asw.world.ent("0100112437")).status_code == 404  # the bank: not a party
    assert claims(asw, number, asw.world.off("hp_officer")).status_code == 404  # another department
    assert claims(asw, number, asw.world.off("nb_officer1")).status_code == 200
    r = asw.world.client.get("/api/v1/origin/certificates/TH2026-0001234", headers=asw.world.ent(DECLARANT))
    assert r.status_code == 403


def test_verification_not_confirmed_withdraws_the_preference(asw: Asw) -> None:
    delivered(asw)
    number, _ = lodged_line(asw, tshirts())
    off = asw.world.off("nb_officer1")
    r = asw.world.post("/api/v1/origin/certificates/TH2026-0001234/verification-requests", off,
                       {"reason": "exporter's capacity in doubt"})  # fmt: skip
    assert r.status_code == 201, r.text
    (req,) = asw.world.client.get("/api/v1/origin/verification-requests", headers=asw.gateway).json()
    assert req["country"] == "TH"
    answer = {"result": "not_confirmed", "note": "no such production"}
    r = asw.world.post(f"/api/v1/origin/verification-requests/{req['id']}/answer", asw.gateway, answer)
    assert r.json()["result"] == "not_confirmed"
    assert asw.world.post(f"/api/v1/origin/verification-requests/{req['id']}/answer", asw.gateway,
                          answer).status_code == 409  # fmt: skip
    assert claims(asw, number, off).json()[0]["status"] == "mismatch"
    cert = asw.world.client.get("/api/v1/origin/certificates/TH2026-0001234", headers=off).json()
    assert cert["status"] == "not_confirmed"


def test_an_amendment_judges_the_claims_again(asw: Asw) -> None:
    delivered(asw)
    number, _ = lodged_line(asw, tshirts("TH2026-0007777"))
    assert claims(asw, number, asw.world.ent(DECLARANT)).json()[0]["status"] == "pending"
    r = asw.world.client.put(
        f"/api/v1/declarations/{number}", json=tshirts(), headers=asw.world.ent(DECLARANT)
    )
    assert r.status_code == 200, r.text
    (claim,) = claims(asw, number, asw.world.ent(DECLARANT)).json()
    assert (claim["certificate_no"], claim["status"]) == ("TH2026-0001234", "matched")
    us = tshirts(origin="US")
    assert asw.world.client.put(
        f"/api/v1/declarations/{number}", json=us, headers=asw.world.ent(DECLARANT)
    ).is_success
    assert claims(asw, number, asw.world.ent(DECLARANT)).json() == []
