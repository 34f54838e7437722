"""Preferential rates through HTTP, on SQLite and PostgreSQL: a claim gets the agreement's rate only when
the origin is a member, the line has a rate under the scheme and a certificate is given; otherwise the MFN
rate and the reason on the line, in the answer and in later reads; an unknown scheme is refused."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from haiquan.kit.tables import OutboxEvent
from haiquan.reference.tables import TariffLineRow
from haiquan.tariff import service as tariff_service
from tests.declarations.test_flow import force_lane
from tests.support import World, import_declaration

DECLARANT = "0100109106"


@pytest.fixture
def shop(world: World, app: Any) -> World:
    """The test world plus cotton T-shirts: MFN 20 %, ATIGA 0 %, no other agreement's rate."""
    with app.state.db.unit_of_work() as uow:
        uow.session.add(
            TariffLineRow(
                hs8="61091010",
                description_vi="Áo phông dệt kim từ bông",
                description_en="T-shirts of cotton, knitted",
                unit="PCE",
                mfn_rate=Decimal(20),
                vat_rate=Decimal(8),
                excise_rate=Decimal(0),
                export_rate=Decimal(0),
                preferential={"ATIGA": "0"},
            )
        )
        uow.commit()
    tariff_service.invalidate()
    return world


def tshirts(origin: str, preference: dict[str, Any] | None) -> dict[str, Any]:
    line: dict[str, Any] = {
        "hs_code": "61091010",
        "description": "Cotton T-shirts",
        "origin_country": origin,
        "quantity": "1000",
        "quantity_unit": "PCE",
        "net_mass_kg": "200",
        "value": "4000",
    }
    if preference is not None:
        line["preference"] = preference
    invoice = {"currency": "USD", "amount": "4000", "incoterm": "CIF"}
    return import_declaration(invoice=invoice, lines=[line])


def only_line(answer: dict[str, Any]) -> dict[str, Any]:
    (line,) = answer["lines"]
    return line


def test_us_origin_claiming_atiga_pays_mfn_with_the_reason(shop: World, client: TestClient) -> None:
    r = shop.lodge(tshirts("US", {"scheme": "ATIGA", "certificate": "D2600001"}))
    assert r.status_code == 201, r.text
    line = only_line(r.json())
    assert line["preference_scheme"] == "ATIGA"
    assert line["applied_scheme"] is None
    assert line["preference_refused"] == "origin_not_member"
    assert Decimal(line["import_rate"]) == 20
    assert Decimal(line["import_duty"]) == Decimal(4000 * 26000) * Decimal("0.20")
    again = client.get(f"/api/v1/declarations/{r.json()['number']}", headers=shop.ent(DECLARANT))
    stored = only_line(again.json())
    assert (stored["applied_scheme"], stored["preference_refused"]) == (None, "origin_not_member")
    assert Decimal(stored["import_duty"]) == Decimal(line["import_duty"])


@pytest.mark.parametrize("origin", ["TH", "VN"])
def test_asean_origin_claiming_atiga_gets_the_preferential_rate(shop: World, origin: str) -> None:
    r = shop.lodge(tshirts(origin, {"scheme": "atiga", "certificate": "D2600002"}))
    assert r.status_code == 201, r.text
    line = only_line(r.json())
    assert line["applied_scheme"] == "ATIGA"
    assert line["preference_refused"] is None
    assert Decimal(line["import_rate"]) == 0
    assert Decimal(line["import_duty"]) == 0


@pytest.mark.parametrize(
    ("origin", "preference", "reason"),
    [
        ("CN", {"scheme": "ACFTA", "certificate": "E2600003"}, "no_preferential_rate"),
        ("TH", {"scheme": "ATIGA"}, "certificate_missing"),
        ("TH", {"scheme": "ATIGA", "certificate": None}, "certificate_missing"),
    ],
)
def test_a_claim_that_cannot_apply_says_why(
    shop: World, origin: str, preference: dict[str, Any], reason: str
) -> None:
    r = shop.lodge(tshirts(origin, preference))
    assert r.status_code == 201, r.text
    line = only_line(r.json())
    assert (line["applied_scheme"], line["preference_refused"]) == (None, reason)
    assert Decimal(line["import_rate"]) == 20


def test_unknown_scheme_is_refused_naming_the_field_and_nothing_is_stored(
    shop: World, app: Any, client: TestClient
) -> None:
    with app.state.db.unit_of_work() as uow:
        events = uow.session.scalar(select(func.count()).select_from(OutboxEvent))
    body = import_declaration()
    body["lines"][1]["preference"] = {"scheme": "NAFTA", "certificate": "X1"}
    r = shop.lodge(body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["field"] == "lines[1].preference.scheme"
    assert client.get("/api/v1/declarations", headers=shop.ent(DECLARANT)).json()["items"] == []
    with app.state.db.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(OutboxEvent)) == events


def test_ama_lines_are_priced_by_the_same_rule(shop: World, app: Any, client: TestClient) -> None:
    force_lane(app, "yellow")
    n = shop.lodge(tshirts("TH", {"scheme": "ATIGA", "certificate": "D2600004"})).json()["number"]
    assert shop.post(f"/api/v1/declarations/{n}/register", shop.ent(DECLARANT), None).status_code == 200
    ama = {"reason": "Xuất xứ Hoa Kỳ, không phải Thái Lan", "lines": tshirts("US", None)["lines"]}
    ama["lines"][0]["preference"] = {"scheme": "ATIGA", "certificate": "D2600004"}
    r = shop.post(f"/api/v1/declarations/{n}/amendments", shop.ent(DECLARANT), ama)
    assert r.status_code == 200, r.text
    line = only_line(client.get(f"/api/v1/declarations/{n}", headers=shop.ent(DECLARANT)).json())
    assert (line["applied_scheme"], line["preference_refused"]) == (None, "origin_not_member")
    assert Decimal(line["import_rate"]) == 20
    ama["lines"][0]["preference"]["scheme"] = "FORM-Z"
    r = shop.post(f"/api/v1/declarations/{n}/amendments", shop.ent(DECLARANT), ama)
    assert r.status_code == 422
    assert r.json()["field"] == "lines[0].preference.scheme"
