"""The department's audit team and a sub-department node's candidates (decision 0039), without NATS: the
routing of both events, the team's queue and findings at the department, and the case the origin opens
from them, once."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from haiquan.audit import audit_work
from haiquan.audit.catalogue import AuditEvent
from haiquan.audit.tables import AuditCaseRow
from haiquan.kit import clock
from haiquan.kit.db import new_id
from haiquan.kit.outbox import Event, default_subject
from haiquan.kit.tables import OutboxEvent
from haiquan.organization.domain import UnitTree
from haiquan.sharing import work
from haiquan.sharing.domain import NodeLayout
from tests.audit.test_audit_api import T0, blue_cleared
from tests.support import UNITS, World

DEPT = NodeLayout.build(UnitTree.build(UNITS), "01", parent=None, children=["01AB", "01TE"])


@pytest.fixture(autouse=True)
def _registered() -> None:
    audit_work.register()


def event(type_: str, unit: str, payload: dict[str, Any]) -> Event:
    return Event(
        new_id(), 0, type_, 1, unit, default_subject(type_, unit), clock.now(), "officer:hn", payload
    )


def queued(cid: str, number: str = "104000000099") -> Event:
    payload = {
        "id": cid,
        "number": number,
        "unit": "01AB",
        "source": "blue_lane",
        "reason": "blue",
        "score": 0.9,
    }
    return event(AuditEvent.CANDIDATE_QUEUED, "01AB", payload)


def findings(cid: str, number: str) -> Event:
    payload = {"candidate_id": cid, "number": number, "origin_unit": "01AB", "origin_node": "01AB",
               "outcome": "fraud", "additional_duty": "5000000", "findings": ["Giá khai thấp"], "documents": []}  # fmt: skip
    return event(AuditEvent.DEPARTMENT_FINDINGS_RECORDED, "01", payload)


def test_candidates_go_to_the_department_and_findings_back() -> None:
    cid = new_id()
    assert work.targets(DEPT, queued(cid), "01AB") == ["01"]  # the department's own team
    assert work.targets(DEPT, findings(cid, "1"), None) == ["01AB"]


def test_the_department_team_sees_and_records_findings(world: World, app: Any) -> None:
    cid = new_id()
    ev = queued(cid)
    with app.state.db.unit_of_work() as uow:
        assert work.apply_routed(uow.session, ev, "01AB")
        assert not work.apply_routed(uow.session, ev, "01AB")  # delivered again: nothing
        uow.commit()
    hn = world.off("hn_leader")
    queue = world.client.get("/api/v1/audit/queue", headers=hn).json()
    assert [(c["id"], c["unit"]) for c in queue if c["id"] == cid] == [(cid, "01AB")]
    body = {"outcome": "fraud", "additional_duty": "5000000", "findings": ["Giá khai thấp hơn thực tế"]}
    r = world.post(f"/api/v1/audit/queue/{cid}/findings", hn, body)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "findings_sent"
    assert world.post(f"/api/v1/audit/queue/{cid}/findings", hn, body).status_code == 409
    assert world.post(f"/api/v1/audit/queue/{cid}/findings", world.off("tn_officer"), body).status_code == 403
    with app.state.db.unit_of_work() as uow:
        sent = uow.session.scalars(
            select(OutboxEvent).where(OutboxEvent.type == AuditEvent.DEPARTMENT_FINDINGS_RECORDED)
        ).all()
        assert [(e.unit, e.payload["origin_unit"], e.payload["candidate_id"]) for e in sent] == [
            ("01", "01AB", cid)
        ]


def test_the_origin_opens_the_case_once_from_the_departments_findings(world: World, app: Any) -> None:
    clock.freeze(T0)
    number = blue_cleared(world, app)
    [cand] = world.client.get("/api/v1/audit/queue", headers=world.off("nb_leader")).json()
    act = findings(cand["id"], number)
    with app.state.db.unit_of_work() as uow:
        assert work.apply_routed(uow.session, act, "01")
        assert not work.apply_routed(uow.session, act, "01")  # delivered again: nothing
        uow.commit()
    cases = world.client.get("/api/v1/audit/cases", headers=world.off("nb_leader")).json()
    assert [(c["number"], c["status"], c["outcome"]) for c in cases] == [
        (number, "findings_recorded", "fraud")
    ]
    with app.state.db.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(AuditCaseRow)) == 1
        recorded = (
            select(func.count())
            .select_from(OutboxEvent)
            .where(OutboxEvent.type == AuditEvent.FINDINGS_RECORDED)
        )
        assert uow.session.scalar(recorded) == 1
