"""Who checks a declaration: an officer off the roster gets no new check and hands on the open ones at
once; a team lead reassigns; an overdue check escalates to the team lead. Through HTTP, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from haiquan.declarations.assignment import least_loaded
from haiquan.declarations.escalation import pick_lead
from haiquan.kit import clock
from haiquan.kit.tables import OutboxEvent
from haiquan.organization import service as org
from haiquan.organization.officers import by_username
from tests.declarations.test_flow import force_lane
from tests.support import PASSWORD, World, import_declaration


def yellow(world: World, app: Any, count: int) -> list[str]:
    force_lane(app, "yellow")
    numbers = []
    for _ in range(count):
        n = world.lodge(import_declaration()).json()["number"]
        r = world.post(f"/api/v1/declarations/{n}/register", world.ent("0100109106"), None)
        assert r.json()["channel"] == "yellow", r.text
        numbers.append(n)
    return numbers


def assignees(world: World, who: str = "nb_leader", **params: Any) -> dict[str, str | None]:
    r = world.client.get("/api/v1/officer/queue", params=params, headers=world.off(who))
    assert r.status_code == 200, r.text
    return {i["number"]: i["assigned_officer"] for i in r.json()["items"]}


def add_team_lead(app: Any, username: str = "nb_team_lead", unit: str = "01AB") -> None:
    with app.state.db.unit_of_work() as uow:
        org.add_officer(
            uow.session, username=username, unit=unit, role="team_lead", password=PASSWORD, actor="test"
        )
        uow.commit()


def events(app: Any, kind: str) -> list[dict[str, Any]]:
    with app.state.db.unit_of_work() as uow:
        return [
            dict(p)
            for p in uow.session.scalars(
                select(OutboxEvent.payload).where(OutboxEvent.type == kind).order_by(OutboxEvent.seq)
            )
        ]


def history(world: World, number: str, action: str) -> list[dict[str, Any]]:
    steps = world.client.get(f"/api/v1/declarations/{number}/history", headers=world.off("nb_leader")).json()
    return [h for h in steps if h["action"] == action]


def test_leave_hands_on_open_checks_at_once_and_brings_no_new_ones(world: World, app: Any) -> None:
    yellow(world, app, 3)
    before = assignees(world)
    assert sorted(before.values()) == ["nb_leader", "nb_officer1", "nb_officer2"]  # type: ignore[type-var]
    mine = next(n for n, who in before.items() if who == "nb_officer1")
    r = world.client.patch(
        "/api/v1/officers/nb_officer1", json={"on_roster": False}, headers=world.off("admin")
    )
    assert r.status_code == 200, r.text
    assert r.json()["changes"] == ["organization.officer_left_roster"]
    assert r.json()["checks_reassigned"] == 1
    after = assignees(world)
    assert "nb_officer1" not in after.values()
    assert after[mine] == "nb_leader"  # least loaded: one open check each, then by username
    step = history(world, mine, "reassigned")
    assert [(h["detail"]["from"], h["detail"]["to"], h["detail"]["cause"]) for h in step] == [
        ("nb_officer1", "nb_leader", "left_roster")
    ]
    assert [e["number"] for e in events(app, "check.reassigned")] == [mine]
    later = yellow(world, app, 4)
    assert "nb_officer1" not in {assignees(world)[n] for n in later}
    world.client.patch("/api/v1/officers/nb_officer1", json={"on_roster": True}, headers=world.off("admin"))
    back = yellow(world, app, 3)
    assert "nb_officer1" in {assignees(world)[n] for n in back}


def test_a_deactivated_officer_hands_on_their_checks_and_an_empty_roster_leaves_them_unassigned(
    world: World, app: Any
) -> None:
    [number] = yellow(world, app, 1)
    first = assignees(world)[number]
    for who in ("nb_leader", "nb_officer1", "nb_officer2"):
        if who != first:
            r = world.client.patch(
                f"/api/v1/officers/{who}", json={"on_roster": False}, headers=world.off("admin")
            )
            assert r.json()["checks_reassigned"] == 0
    r = world.client.patch(f"/api/v1/officers/{first}", json={"active": False}, headers=world.off("admin"))
    assert r.json()["checks_reassigned"] == 1
    assert assignees(world, "hn_leader")[number] is None  # nobody left: the team lead reassigns it


def test_a_team_lead_reassigns_a_check(world: World, app: Any) -> None:
    add_team_lead(app)
    [number] = yellow(world, app, 1)
    assert assignees(world)[number] == "nb_leader"  # the first of the roster, by username
    url = f"/api/v1/declarations/{number}/assignee"
    r = world.post(url, world.off("nb_team_lead"), {"officer": "nb_officer1", "reason": "Cân bằng tải"})
    assert r.status_code == 200, r.text
    assert r.json()["assigned_officer"] == "nb_officer1"
    assert assignees(world)[number] == "nb_officer1"
    assert [(h["actor"], h["reason"], h["detail"]["from"]) for h in history(world, number, "reassigned")] == [
        ("officer:nb_team_lead", "Cân bằng tải", "nb_leader")
    ]
    assert world.post(url, world.off("nb_officer1"), {"officer": "nb_officer2"}).status_code == 403
    assert world.post(url, world.off("hp_leader"), {"officer": "nb_officer2"}).status_code == 404
    same = world.post(url, world.off("nb_team_lead"), {"officer": "nb_officer1"})
    assert same.status_code == 409
    assert same.json()["code"] == "already_assigned"
    for bad in ("hp_officer", "nobody", "analyst"):
        refused = world.post(url, world.off("nb_team_lead"), {"officer": bad})
        assert refused.status_code == 422
        assert refused.json()["field"] == "officer"
    extra = world.post(url, world.off("nb_team_lead"), {"officer": "nb_officer2", "x": 1})
    assert extra.status_code == 422
    assert assignees(world)[number] == "nb_officer1"  # the refusals changed nothing
    assert world.post(url, world.off("nb_leader"), {"officer": "nb_officer2"}).status_code == 200
    body = {"kind": "documents_accepted", "reason": "Hồ sơ hợp lệ"}
    denied = world.post(f"/api/v1/declarations/{number}/decision", world.off("nb_officer1"), body)
    assert denied.status_code == 403
    assert denied.json()["code"] == "not_assigned"
    assert (
        world.post(f"/api/v1/declarations/{number}/decision", world.off("nb_officer2"), body).status_code
        == 200
    )


def test_an_overdue_check_escalates_to_the_team_lead_once(world: World, app: Any) -> None:
    add_team_lead(app)
    monday_9am = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội; a yellow check has 2 working hours
    clock.freeze(monday_9am)
    [number] = yellow(world, app, 1)
    assert app.state.escalations.run_once() == 0
    clock.freeze(monday_9am + timedelta(hours=1, minutes=59))
    assert app.state.escalations.run_once() == 0  # not yet past its limit
    assert assignees(world, "nb_team_lead", escalated=True) == {}
    clock.freeze(monday_9am + timedelta(hours=2, minutes=1))
    assert app.state.escalations.run_once() == 1
    items = world.client.get(
        "/api/v1/officer/queue", params={"escalated": True}, headers=world.off("nb_team_lead")
    ).json()["items"]
    assert [(i["number"], i["escalated_to"]) for i in items] == [(number, "nb_team_lead")]
    assert items[0]["seconds_left"] < 0
    assert assignees(world, "nb_officer1", escalated=True) == {}  # only the team lead's
    assert app.state.escalations.run_once() == 0  # once
    [step] = history(world, number, "escalated")
    assert step["detail"]["to"] == "nb_team_lead"
    assert step["detail"]["seconds_late"] == 60
    with app.state.db.unit_of_work() as uow:
        lead_id = by_username(uow.session, "nb_team_lead").id
    assert [(e["number"], e["escalated_to"]) for e in events(app, "check.escalated")] == [(number, lead_id)]


def test_least_loaded_and_the_lead_chosen() -> None:
    officers = [("a", "an"), ("b", "binh"), ("c", "cuong")]
    assert least_loaded(officers, {"a": 2, "b": 1, "c": 1}) == ("b", "binh")
    assert least_loaded([], {}) is None
    leads = [
        ("1", "lead_team", "01B3", "team_lead"),
        ("2", "lead_sub", "01AB", "subdepartment_leader"),
        ("3", "lead_ab", "01AB", "team_lead"),
    ]
    assert pick_lead(leads, ["01AB"], "01B3")[1] == "lead_team"  # type: ignore[index]
    assert pick_lead(leads, ["01AB"], "01AB")[1] == "lead_ab"  # type: ignore[index]
    assert pick_lead(leads[:2], ["01AB"], None)[1] == "lead_sub"  # type: ignore[index]
    assert pick_lead([], ["01AB"], None) is None
