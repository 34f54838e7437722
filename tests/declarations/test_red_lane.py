"""The red lane cannot be skipped, through HTTP on SQLite and PostgreSQL: no clearance without a recorded
inspection result (red) or documents decision (yellow); every decision is a history entry and an event;
the risk engine's label is the inspection's result."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from haiquan.kit.tables import OutboxEvent
from haiquan.risk.channel import RuleSetEngine
from haiquan.risk.tables import RiskDecisionRow
from tests.support import World, import_declaration
from tests.web.helpers import login

PROFILE = {
    "id": "P-RED-PHONES",
    "name": "Phones from China at Noi Bai",
    "criteria": "hs starts 8517 and origin = CN -> red",
    "units": ["01AB"],
    "reason_vi": "Điện thoại xuất xứ Trung Quốc",
    "reason_en": "Phones of Chinese origin",
    "why": "red lane test",
}
LEADER = "nb_leader"


def registered(world: World, app: Any, lane: str) -> str:
    """A declaration registered in the lane: forced by the rule-set engine, or (lane "profile") red by an
    analyst's profile through the full engine, which keeps the record the label goes on."""
    if lane == "profile":
        assert world.post("/api/v1/risk/profiles", world.off("analyst"), PROFILE).status_code in (201, 409)
    else:
        rates = {"green": 0.0, "yellow": 0.0, "red": 0.0} | {lane: 100.0}
        app.state.channel_engine = RuleSetEngine(
            green=rates["green"], yellow=rates["yellow"], red=rates["red"]
        )
    number = str(world.lodge(import_declaration()).json()["number"])
    r = world.post(f"/api/v1/declarations/{number}/register", world.ent("0100109106"), None)
    assert r.status_code == 200, r.text
    assert r.json()["channel"] in (lane, "red"), r.text
    return number


def decide(world: World, number: str, body: dict[str, Any]) -> Any:
    return world.post(f"/api/v1/declarations/{number}/decision", world.off(LEADER), body)


def read(client: TestClient, world: World, number: str, who: dict[str, str]) -> dict[str, Any]:
    r = client.get(f"/api/v1/declarations/{number}", headers=who)
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def history(client: TestClient, world: World, number: str) -> list[dict[str, Any]]:
    r = client.get(f"/api/v1/declarations/{number}/history", headers=world.off(LEADER))
    assert r.status_code == 200, r.text
    out: list[dict[str, Any]] = r.json()
    return out


def test_clear_straight_after_a_red_registration_is_refused(
    world: World, app: Any, client: TestClient
) -> None:
    n = registered(world, app, "red")
    before = history(client, world, n)
    r = decide(world, n, {"kind": "clear", "reason": "Thông quan ngay"})
    assert r.status_code == 409, r.text
    problem = r.json()
    assert problem["code"] == "inspection_result_missing"
    assert "inspection result" in problem["detail"]
    assert read(client, world, n, world.off(LEADER))["status"] == "inspection_intended"
    assert history(client, world, n) == before
    # documents accepted is not enough either
    assert decide(world, n, {"kind": "documents_accepted", "reason": "Hồ sơ phù hợp"}).status_code == 200
    r = decide(world, n, {"kind": "clear", "reason": "Thông quan ngay"})
    assert r.status_code == 409
    assert r.json()["code"] == "inspection_result_missing"


def test_yellow_clear_without_a_documents_decision_is_refused(
    world: World, app: Any, client: TestClient
) -> None:
    n = registered(world, app, "yellow")
    assert read(client, world, n, world.off(LEADER))["channel"] == "yellow"
    r = decide(world, n, {"kind": "clear", "reason": "Thông quan ngay"})
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "documents_decision_missing", r.text
    assert read(client, world, n, world.off(LEADER))["status"] == "registered"


def test_the_red_lane_step_by_step_each_in_the_history(world: World, app: Any, client: TestClient) -> None:
    n = registered(world, app, "red")
    steps: list[dict[str, Any]] = [
        {"kind": "request_documents", "reason": "Thiếu C/O bản gốc"},
        {"kind": "documents_accepted", "reason": "Hồ sơ phù hợp", "full_inspection": True},
        {"kind": "inspection_result", "reason": "Kiểm tra thực tế", "fraud_found": True,
         "findings": "120 máy điện thoại, khai 50"},
        {"kind": "clear", "reason": "Đã khai bổ sung, truy thu thuế"},
    ]  # fmt: skip
    statuses = [decide(world, n, body) for body in steps]
    assert [r.status_code for r in statuses] == [200, 200, 200, 200], [r.text for r in statuses]
    assert [r.json()["status"] for r in statuses] == [
        "documents_requested",
        "inspection_intended",
        "inspection_intended",  # fraud found: the inspection alone does not pass the checks
        "duty_payment_reference_issued",
    ]
    mine = [h for h in history(client, world, n) if h["detail"].get("decision")]
    assert [h["action"] for h in mine] == [
        "documents_requested",
        "documents_accepted",
        "inspection_recorded",
        "clearance_decided",
    ]
    assert all(
        h["actor"] == f"officer:{LEADER}" and h["detail"]["officer"] == LEADER and h["at"] for h in mine
    )
    assert mine[2]["detail"]["findings"] == "120 máy điện thoại, khai 50"
    assert mine[2]["detail"]["fraud_found"]
    # recorded though the status is unchanged
    assert mine[2]["status_from"] == mine[2]["status_to"] == "inspection_intended"
    seen = read(client, world, n, world.off(LEADER))["inspection"]
    assert seen["findings"] == "120 máy điện thoại, khai 50"
    assert seen["fraud_found"] is True
    assert seen["officer"] == LEADER
    assert seen["at"]
    assert seen["full_inspection"] is False
    assert read(client, world, n, world.ent("0100109106"))["inspection"] is None  # officers only
    with app.state.db.unit_of_work() as uow:
        types = uow.session.scalars(
            select(OutboxEvent.type).where(OutboxEvent.type.like("declaration.%")).order_by(OutboxEvent.seq)
        ).all()
    for t in ("documents_requested", "documents_accepted", "inspection_recorded", "clearance_decided"):
        assert f"declaration.{t}" in types
    login(client, LEADER)  # the officer's page shows the result too
    page = client.get(f"/declarations/{n}").text
    assert "120 máy điện thoại, khai 50" in page
    assert "Phát hiện vi phạm" in page


def test_the_label_is_the_inspection_result(world: World, app: Any, client: TestClient) -> None:
    n = registered(world, app, "profile")
    r = decide(world, n, {"kind": "clear", "reason": "Không phát hiện", "fraud_found": True})
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "fraud_found", r.text
    r = decide(world, n, {"kind": "inspection_result", "reason": "Kiểm tra", "fraud_found": False})
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "findings", r.text
    body = {"kind": "inspection_result", "reason": "Kiểm tra", "fraud_found": False, "findings": "Phù hợp"}
    r = decide(world, n, body)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "duty_payment_reference_issued", r.text
    app.state.dispatcher.run_once()
    with app.state.db.unit_of_work() as uow:
        rec = uow.session.get(RiskDecisionRow, n)
        assert rec is not None
        assert rec.inspected
        assert rec.fraud_found is False
    # fraud found, then cleared: the label stays "fraud found", whatever the later decision
    m = registered(world, app, "profile")
    body = {"kind": "inspection_result", "reason": "Kiểm tra", "fraud_found": True, "findings": "Sai mã HS"}
    assert decide(world, m, body).status_code == 200
    assert decide(world, m, {"kind": "clear", "reason": "Đã truy thu"}).status_code == 200
    app.state.dispatcher.run_once()
    with app.state.db.unit_of_work() as uow:
        rec = uow.session.get(RiskDecisionRow, m)
        assert rec is not None
        assert rec.inspected
        assert rec.fraud_found is True
