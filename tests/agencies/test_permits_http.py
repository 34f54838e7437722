"""Permits through HTTP on SQLite and PostgreSQL: requested at registration per required line, decided by
the agency in its scope only, the declaration held until every permit is granted, a refusal keeps it and
opens a case, the declarant told at once; bad input named and changing nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from haiquan.agencies import service
from haiquan.agencies.tables import PermitHistoryRow
from haiquan.enforcement.tables import CaseRow
from haiquan.kit import clock
from haiquan.kit.tables import OutboxEvent
from tests.agencies.helpers import (
    DAH_SYSTEM,
    DECLARANT,
    PPD_SYSTEM,
    agencies_world,
    pay,
    permits_of,
    registered_apples,
    status_of,
)
from tests.support import World

APPROVE = {"outcome": "approved", "lab_reference": "PPD-LAB-2026-0042"}


@pytest.fixture
def aw(world: World, app: Any) -> World:
    return agencies_world(world, app)


def _decide(aw: World, permit_id: str, body: dict[str, Any], who: str = PPD_SYSTEM) -> Any:
    return aw.post(f"/api/v1/agencies/permits/{permit_id}/decision", aw.ent(who), body)


def test_a_green_apple_import_waits_for_plant_quarantine_then_clears(aw: World, app: Any) -> None:
    number = registered_apples(aw, app)
    permits = permits_of(aw, number, aw.ent(DECLARANT))
    assert [(p["agency"], p["line_no"], p["requirement"], p["status"]) for p in permits] == [
        ("PPD", 2, "inspection", "requested")
    ]
    pay(app, number, "21320000")
    assert status_of(aw, number) == "duty_payment_reference_issued"  # paid, but the permit is missing
    queue = aw.client.get("/api/v1/declarations", headers=aw.off("nb_leader"))
    assert queue.status_code == 200
    r = _decide(aw, permits[0]["id"], APPROVE)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "approved"
    assert status_of(aw, number) == "cleared"


def test_the_declarant_is_told_which_agency_which_line_since_when(aw: World, app: Any) -> None:
    number = registered_apples(aw, app)
    permit = permits_of(aw, number, aw.ent(DECLARANT))[0]
    assert _decide(aw, permit["id"], APPROVE).status_code == 200
    app.state.dispatcher.run_once()
    feed = aw.client.get("/api/v1/notifications", headers=aw.ent(DECLARANT)).json()["items"]
    notes = [n for n in feed if n["status"].startswith("permit_")]
    assert [n["status"] for n in notes] == ["permit_requested", "permit_approved"]
    first = notes[0]["payload"]
    assert (first["agency"], first["line_no"], first["hs_code"]) == ("PPD", 2, "08081000")
    assert first["requested_at"]
    assert first["deadline"]
    assert notes[1]["payload"]["lab_reference"] == "PPD-LAB-2026-0042"


def test_an_agency_outside_its_scope_gets_404_and_nothing_changes(aw: World, app: Any) -> None:
    number = registered_apples(aw, app)
    permit_id = permits_of(aw, number, aw.ent(DECLARANT))[0]["id"]
    r = _decide(aw, permit_id, APPROVE, who=DAH_SYSTEM)  # animal health deciding plant quarantine
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert (
        aw.client.get(f"/api/v1/agencies/permits/{permit_id}", headers=aw.ent(DAH_SYSTEM)).status_code == 404
    )
    assert aw.client.get("/api/v1/agencies/permits", headers=aw.ent(DAH_SYSTEM)).json() == []
    assert [p["status"] for p in permits_of(aw, number, aw.ent(DECLARANT))] == ["requested"]


def test_an_agency_serving_other_offices_sees_nothing(aw: World, app: Any) -> None:
    number = registered_apples(aw, app, office="03CC")  # Hải Phòng: PPD's system serves only 01AB
    permit_id = permits_of(aw, number, aw.ent(DECLARANT))[0]["id"]
    assert _decide(aw, permit_id, APPROVE).status_code == 404
    assert aw.client.get("/api/v1/agencies/permits", headers=aw.ent(PPD_SYSTEM)).json() == []


def test_a_declarant_sees_only_its_own_and_customs_its_units(aw: World, app: Any) -> None:
    number = registered_apples(aw, app)
    assert permits_of(aw, number, aw.ent("0101248141")) == []  # the importer did not lodge it
    assert permits_of(aw, number, aw.off("hp_officer")) == []  # another department
    assert len(permits_of(aw, number, aw.off("nb_officer1"))) == 1
    other = aw.client.get("/api/v1/agencies/permits", headers=aw.ent("0200519875"))  # a terminal operator
    assert other.status_code == 403


def test_customs_and_others_cannot_decide(aw: World, app: Any) -> None:
    number = registered_apples(aw, app)
    permit_id = permits_of(aw, number, aw.ent(DECLARANT))[0]["id"]
    for who in (aw.off("nb_leader"), aw.ent(DECLARANT)):
        r = aw.post(f"/api/v1/agencies/permits/{permit_id}/decision", who, APPROVE)
        assert r.status_code == 403, r.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "approved"}, "lab_reference"),
        ({"outcome": "conditional", "lab_reference": "L1"}, "conditions"),
        ({"outcome": "refused", "lab_reference": "L1"}, "reason"),
        ({"outcome": "maybe", "lab_reference": "L1"}, "outcome"),
        ({"outcome": "approved", "lab_reference": "L1", "extra": 1}, "extra"),
    ],
)
def test_bad_decisions_name_the_field_and_change_nothing(
    aw: World, app: Any, body: dict[str, Any], field: str
) -> None:
    number = registered_apples(aw, app)
    permit_id = permits_of(aw, number, aw.ent(DECLARANT))[0]["id"]
    r = _decide(aw, permit_id, body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert field in r.text
    assert [p["status"] for p in permits_of(aw, number, aw.ent(DECLARANT))] == ["requested"]
    with app.state.db.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(PermitHistoryRow)) == 1


def test_a_refusal_keeps_the_goods_and_opens_a_case(aw: World, app: Any) -> None:
    number = registered_apples(aw, app)
    permit_id = permits_of(aw, number, aw.ent(DECLARANT))[0]["id"]
    pay(app, number, "21320000")
    body = {"outcome": "refused", "lab_reference": "LAB-9", "reason": "Bactrocera dorsalis found"}
    r = _decide(aw, permit_id, body)
    assert r.status_code == 200, r.text
    assert r.json()["case_number"]
    assert status_of(aw, number) == "duty_payment_reference_issued"
    with app.state.db.unit_of_work() as uow:
        case = uow.session.scalar(select(CaseRow).where(CaseRow.number == r.json()["case_number"]))
        assert case is not None
        assert case.unit == "01AB"
        assert number in case.summary
    again = _decide(aw, permit_id, APPROVE)
    assert again.status_code == 409


def test_inspection_then_conditional_approval_and_history(aw: World, app: Any) -> None:
    number = registered_apples(aw, app)
    permit_id = permits_of(aw, number, aw.ent(DECLARANT))[0]["id"]
    r = aw.post(
        f"/api/v1/agencies/permits/{permit_id}/inspection", aw.ent(PPD_SYSTEM), {"note": "samples taken"}
    )
    assert r.json()["status"] == "under_inspection"
    body = {"outcome": "conditional", "lab_reference": "LAB-7", "conditions": "fumigate before release"}
    assert _decide(aw, permit_id, body).json()["status"] == "conditional"
    detail = aw.client.get(f"/api/v1/agencies/permits/{permit_id}", headers=aw.ent(PPD_SYSTEM)).json()
    assert [h["status_to"] for h in detail["history"]] == ["requested", "under_inspection", "conditional"]
    with app.state.db.unit_of_work() as uow:
        types = list(
            uow.session.scalars(
                select(OutboxEvent.type).where(OutboxEvent.type.like("agencies.%")).order_by(OutboxEvent.seq)
            )
        )
    assert "agencies.inspection_started" in types
    assert "agencies.permit_decided" in types


def test_the_declarant_references_a_permit_and_the_agency_confirms(aw: World, app: Any) -> None:
    number = registered_apples(aw, app)
    permit_id = permits_of(aw, number, aw.ent(DECLARANT))[0]["id"]
    r = aw.post(
        f"/api/v1/agencies/permits/{permit_id}/reference", aw.ent(DECLARANT), {"reference_no": "KDTV-123"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["reference_no"] == "KDTV-123"
    bad = aw.post(f"/api/v1/agencies/permits/{permit_id}/reference", aw.ent(DECLARANT), {"reference_no": ""})
    assert bad.status_code == 422
    assert "reference_no" in bad.text
    other = aw.post(
        f"/api/v1/agencies/permits/{permit_id}/reference", aw.ent("0101248141"), {"reference_no": "X"}
    )
    assert other.status_code == 404


def test_late_permits_are_flagged_once(aw: World, app: Any) -> None:
    number = registered_apples(aw, app)
    later = clock.now().replace(year=clock.now().year + 1)
    with app.state.db.unit_of_work() as uow:
        assert service.flag_overdue(uow.session, now=later) == 1
        uow.commit()
    with app.state.db.unit_of_work() as uow:
        assert service.flag_overdue(uow.session, now=later) == 0
    assert permits_of(aw, number, aw.ent(DECLARANT))[0]["status"] == "requested"


def test_lines_that_need_nothing_request_nothing(aw: World, app: Any) -> None:
    from tests.support import import_declaration

    body = import_declaration()
    invoice = body["invoice"] | {"amount": "6000"}
    number = registered_apples(aw, app, lines=body["lines"][:1], invoice=invoice)
    assert permits_of(aw, number, aw.ent(DECLARANT)) == []


def test_requirements_look_up(aw: World) -> None:
    r = aw.client.get(
        "/api/v1/agencies/requirements", params={"hs_code": "08081000", "origin_country": "CN"},
        headers=aw.ent(DECLARANT),
    )  # fmt: skip
    assert r.status_code == 200, r.text
    assert [x["agency"] for x in r.json()] == ["PPD"]
    bad = aw.client.get(
        "/api/v1/agencies/requirements",
        params={"hs_code": "0808", "origin_country": "CN"},
        headers=aw.ent(DECLARANT),
    )
    assert bad.status_code == 422
    assert "hs_code" in bad.text


def test_the_decision_is_pushed_to_the_declarants_webhook(aw: World, app: Any) -> None:
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    received: list[dict[str, Any]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    app.state.settings.development = True  # a receiver on this machine: plain http to 127.0.0.1
    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/hook"
    assert (
        aw.client.put("/api/v1/enterprise/webhook", json={"url": url}, headers=aw.ent(DECLARANT)).status_code
        == 200
    )
    number = registered_apples(aw, app)
    permit = permits_of(aw, number, aw.ent(DECLARANT))[0]
    assert _decide(aw, permit["id"], APPROVE).status_code == 200
    app.state.dispatcher.run_once()
    app.state.webhooks.deliver_due()
    server.shutdown()
    pushed = [r for r in received if r["status"] == "permit_approved"]
    assert len(pushed) == 1
    assert pushed[0]["declaration_number"] == number
    assert (pushed[0]["payload"]["agency"], pushed[0]["payload"]["line_no"]) == ("PPD", 2)


def test_an_agency_is_denied_everything_else(aw: World, app: Any) -> None:
    """Deny by default: an agency's system lodges nothing and reads no declaration; its officer reads no
    customs record and takes no customs action."""
    number = registered_apples(aw, app)
    system = aw.ent(PPD_SYSTEM)
    from tests.support import import_declaration

    assert aw.lodge(import_declaration(), who=PPD_SYSTEM).status_code == 403
    assert aw.client.get(f"/api/v1/declarations/{number}", headers=system).status_code == 404
    staff = aw.off("ppd_officer")
    assert aw.client.get(f"/api/v1/declarations/{number}", headers=staff).status_code == 404
    assert aw.client.get("/api/v1/supervision/alerts", headers=staff).status_code == 403
    decision = {"kind": "documents_accepted", "reason": "Hồ sơ phù hợp"}
    assert aw.post(f"/api/v1/declarations/{number}/decision", staff, decision).status_code in (403, 404)
    assert len(aw.client.get("/api/v1/agencies/permits", headers=staff).json()) == 1
