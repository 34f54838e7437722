"""The leaders' dashboard: permits pending by agency and age, decisions by agency, from the agencies'
events (SQLite and PostgreSQL); the figures read the same from the pre-summed rows and the offices' rows."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from haiquan.kit.auth import Scope
from haiquan.kit.clock import today_vn
from haiquan.organization.service import load_tree
from haiquan.reports import queries
from haiquan.reports.permits import age_bucket
from tests.agencies.helpers import DECLARANT, PPD_SYSTEM, agencies_world, permits_of, registered_apples
from tests.support import World
from tests.web.helpers import login


def test_age_buckets() -> None:
    assert [age_bucket(d) for d in (0, 1, 2, 3, 4, 7, 8, 40)] == [
        "0-1",
        "0-1",
        "2-3",
        "2-3",
        "4-7",
        "4-7",
        "8+",
        "8+",
    ]


def test_pending_and_outcomes_by_agency(world: World, app: Any) -> None:
    aw = agencies_world(world, app)
    first = registered_apples(aw, app)
    registered_apples(aw, app)
    permit = permits_of(aw, first, aw.ent(DECLARANT))[0]
    body = {"outcome": "refused", "lab_reference": "L-1", "reason": "pest"}
    assert (
        aw.post(f"/api/v1/agencies/permits/{permit['id']}/decision", aw.ent(PPD_SYSTEM), body).status_code
        == 200
    )
    app.state.dispatcher.run_once()
    r = aw.client.get("/api/v1/reports/permits", params={"unit": "01"}, headers=aw.off("hn_leader"))
    assert r.status_code == 200, r.text
    data = r.json()["permits"]
    assert data["pending"] == [{"agency": "PPD", "total": 1, "0-1": 1, "2-3": 0, "4-7": 0, "8+": 0}]
    assert data["outcomes"][0]["agency"] == "PPD"
    assert data["outcomes"][0]["refused"] == 1
    with app.state.db.unit_of_work() as uow:
        tree = load_tree(uow.session)
        v = queries.view(tree, Scope(units=None), node="01", start=today_vn(), end=today_vn(), home=None)
        fn = queries.FIGURES["permits"]
        assert fn(uow.session, v) == fn(uow.session, replace(v, whole=False))
    login(aw.client, "hn_leader")
    page = aw.client.get("/reports")
    assert page.status_code == 200
    assert 'id="permits"' in page.text
    assert "permits-pending" in page.text
