"""The full engine through HTTP: an analyst's profile takes effect at registration with readable reasons;
value control, lane rates, overrides, labels from inspection results, performance; bad input; access."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.support import World, import_declaration

from haiquan.kit import clock
from haiquan.risk.tables import RiskDecisionRow, TraderComplianceRow

PROFILE = {
    "id": "P-PHONES-CN",
    "name": "Phones from China at Noi Bai",
    "criteria": "hs starts 8517 and origin = CN -> red",
    "units": ["01AB"],
    "reason_vi": "Điện thoại xuất xứ Trung Quốc",
    "reason_en": "Phones of Chinese origin",
    "why": "seizures in March",
}


def register(world: World, body: dict[str, Any] | None = None) -> dict[str, Any]:
    number = world.lodge(body or import_declaration()).json()["number"]
    r = world.post(f"/api/v1/declarations/{number}/register", world.ent("0100109106"), None)
    assert r.status_code == 200, r.text
    # the explanation is the officers' (the trader's answer has a neutral reason: test_disclosure.py)
    r = world.client.get(f"/api/v1/declarations/{number}", headers=world.off("gd_leader"))
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def kinds(decl: dict[str, Any]) -> set[str]:
    return {r["kind"] for r in decl["channel_reasons"]}


def test_analyst_adds_a_profile_and_it_takes_effect(world: World, client: TestClient) -> None:
    before = register(world)
    assert "profile" not in kinds(before)
    r = world.post("/api/v1/risk/profiles", world.off("analyst"), PROFILE)
    assert r.status_code == 201, r.text
    assert r.json()["version"] == 1
    assert r.json()["criteria"] == "hs starts 8517 and origin = CN -> red"
    d = register(world)
    assert d["channel"] == "red"
    assert d["status"] == "inspection_intended"
    hit = next(x for x in d["channel_reasons"] if x["kind"] == "profile")
    assert hit["id"] == "P-PHONES-CN"
    assert "Điện thoại xuất xứ Trung Quốc" in hit["vi"]
    assert hit["en"]
    # out of scope: the same goods at Hai Phong are not forced
    other = register(world, import_declaration(office="03CC"))
    assert "profile" not in kinds(other)
    # a new version: deactivated, with why; the history keeps both
    r = client.patch(
        "/api/v1/risk/profiles/P-PHONES-CN",
        json={"active": False, "why": "campaign over"},
        headers=world.off("analyst"),
    )
    assert r.status_code == 200
    assert r.json()["version"] == 2
    versions = client.get("/api/v1/risk/profiles/P-PHONES-CN/versions", headers=world.off("analyst")).json()
    assert [(v["version"], v["why"], v["snapshot"]["active"]) for v in versions] == [
        (1, "seizures in March", True),
        (2, "campaign over", False),
    ]
    assert "profile" not in kinds(register(world))


def test_bad_input_gets_clear_errors(world: World, client: TestClient) -> None:
    r = world.post(
        "/api/v1/risk/profiles", world.off("analyst"), {**PROFILE, "criteria": "colour = red -> red"}
    )
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "column 1" in r.text
    assert "unknown field 'colour'" in r.text
    assert "criteria" in r.text
    r = world.post(
        "/api/v1/risk/profiles", world.off("analyst"), {**PROFILE, "criteria": "hs starts 8517 -> purple"}
    )
    assert r.status_code == 422
    assert "column 19" in r.text
    r = world.post("/api/v1/risk/profiles", world.off("analyst"), {**PROFILE, "units": ["ZZZZ"]})
    assert r.status_code == 422
    assert "units.0" in r.text
    r = client.put(
        "/api/v1/risk/lane-rates/01AB",
        json={"green": 60, "yellow": 43, "red": 7},
        headers=world.off("analyst"),
    )
    assert r.status_code == 422
    assert "sum to 110" in r.text
    assert (
        client.get("/api/v1/risk/lane-rates/01AB", headers=world.off("analyst")).json()["configured"] is False
    )


def test_a_model_file_from_another_feature_version_is_refused(
    world: World, client: TestClient, tmp_path: Path
) -> None:
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"format": "haiquan.risk.learned", "feature_version": "0"}))
    r = world.post("/api/v1/risk/models", world.off("analyst"), {"path": str(old)})
    assert r.status_code == 422
    assert "feature version" in r.text
    junk = tmp_path / "junk.json"
    junk.write_text("not json")
    assert world.post("/api/v1/risk/models", world.off("analyst"), {"path": str(junk)}).status_code == 422
    assert client.get("/api/v1/risk/models", headers=world.off("analyst")).json() == []
    d = register(world)
    assert all(not r.get("source", "").startswith("model:") for r in d["channel_reasons"])


def test_lane_rates_value_control_and_overrides(world: World, client: TestClient) -> None:
    r = client.put(
        "/api/v1/risk/lane-rates/01AB",
        json={"green": 0, "yellow": 0, "red": 100, "random_share": 2},
        headers=world.off("analyst"),
    )
    assert r.status_code == 200
    assert r.json()["configured"] is True
    assert register(world)["channel"] == "red"
    # phones declared at 3,198,000 VND a unit; the accepted minimum is 10,000,000
    r = client.put(
        "/api/v1/risk/value-control/85171300/CN",
        json={"min_unit_value": "10000000", "max_unit_value": "40000000", "why": "market survey"},
        headers=world.off("analyst"),
    )
    assert r.status_code == 200, r.text
    d = register(world)
    vc = next(x for x in d["channel_reasons"] if x["kind"] == "value_control")
    assert vc["line"] == 1
    assert "3,198,000" in vc["vi"]
    assert "below the minimum 10,000,000" in vc["en"]
    until = (clock.now() + timedelta(days=3)).isoformat()
    r = world.post(
        "/api/v1/risk/overrides",
        world.off("analyst"),
        {
            "subject": "declarant",
            "value": "0100109106",
            "channel": "green",
            "reason": "AEO audit done",
            "expires_at": until,
        },
    )
    assert r.status_code == 201, r.text
    d = register(world)
    assert d["channel"] == "green"
    assert "override" in kinds(d)


def test_inspection_results_become_labels_and_performance(world: World, app: Any, client: TestClient) -> None:
    assert world.post("/api/v1/risk/profiles", world.off("analyst"), PROFILE).status_code == 201
    d = register(world)
    body = {
        "kind": "inspection_result",
        "reason": "full inspection",
        "fraud_found": True,
        "findings": "undervalued",
    }
    r = world.post(f"/api/v1/declarations/{d['number']}/decision", world.off("nb_leader"), body)
    assert r.status_code == 200, r.text
    app.state.dispatcher.run_once()
    with app.state.db.unit_of_work() as uow:
        rec = uow.session.get(RiskDecisionRow, d["number"])
        assert rec is not None
        assert rec.inspected
        assert rec.fraud_found is True
        assert rec.forced
        assert rec.revenue_found == rec.total_duties
        assert uow.session.scalar(
            select(TraderComplianceRow).where(TraderComplianceRow.tax_code == "0100109106")
        )
    perf = client.get("/api/v1/risk/performance", headers=world.off("analyst")).json()
    assert perf["total"]["frauds"]["red"] == 1
    assert perf["total"]["hit_rate"]["red"] == 1.0
    assert perf["rows"][0]["office"] == "01AB"
    # a leader of another department sees nothing of Noi Bai; an officer may not read it
    hp = client.get("/api/v1/risk/performance", headers=world.off("hp_leader")).json()
    assert hp["total"]["declarations"] == 0
    assert client.get("/api/v1/risk/performance", headers=world.off("hp_officer")).status_code == 403
    t = world.post(
        "/api/v1/risk/profiles/test",
        world.off("analyst"),
        {
            "criteria": "hs starts 8517 -> red",
            "date_from": str(clock.today_vn() - timedelta(days=30)),
            "date_to": str(clock.today_vn()),
        },
    )
    assert t.status_code == 200
    assert t.json()["hits"] == 1
    assert t.json()["frauds_found_among_hits"] == 1
    page = client.get("/risk", headers=world.off("analyst"))
    assert page.status_code == 200
    assert "Hiệu quả quản lý rủi ro" in page.text
    assert page.text.count("/assets/plotly.") == 1  # the shared bundle, once
    assert '<nav class="main"' in page.text  # inside the shared layout


def test_only_analysts_change_the_engine(world: World, client: TestClient) -> None:
    for who in (world.off("nb_officer1"), world.off("hn_leader"), world.ent("0100109106")):
        assert world.post("/api/v1/risk/profiles", who, PROFILE).status_code == 403
        assert (
            client.put(
                "/api/v1/risk/lane-rates/01AB", json={"green": 50, "yellow": 43, "red": 7}, headers=who
            ).status_code
            == 403
        )
    assert client.get("/api/v1/risk/profiles").status_code == 401
    assert world.post("/api/v1/risk/profiles", world.off("admin"), PROFILE).status_code == 201


def test_value_control_and_compliance_recompute_from_history(world: World, client: TestClient) -> None:
    analyst = world.off("analyst")
    for qty in (
        "50",
        "48",
        "52",
        "51",
        "49",
        "50",
        "5000",
    ):  # the last one declares phones at 1 % of the price
        body = import_declaration()
        body["lines"][0]["quantity"] = qty
        register(world, body)
    manual = {"min_unit_value": "1", "max_unit_value": "2", "why": "kept by hand"}
    assert (
        client.put("/api/v1/risk/value-control/08081000/*", json=manual, headers=analyst).status_code == 200
    )
    r = world.post("/api/v1/risk/value-control/recompute", analyst, {"days": 30})
    assert r.status_code == 200, r.text
    assert r.json()["written"] == 3, r.text
    rows = {
        (x["hs_code"], x["origin"]): x
        for x in client.get("/api/v1/risk/value-control", headers=analyst).json()
    }
    phones = rows[("85171300", "CN")]
    assert phones["source"] == "learned"
    assert phones["sample_size"] == 7
    assert Decimal(phones["min_unit_value"]) < Decimal(3_198_000) < Decimal(phones["max_unit_value"])
    assert Decimal(phones["min_unit_value"]) > Decimal(31_980)  # the wild one stays outside
    assert rows[("08081000", "*")]["source"] == "manual"
    assert Decimal(rows[("08081000", "*")]["max_unit_value"]) == 2
    r = world.post("/api/v1/risk/compliance/recompute", analyst, None)
    assert r.status_code == 200, r.text
    assert sum(r.json().values()) == 2, r.text
