"""Officers' accounts managed by an administrator (API) and on the command line: each change audited, an
event of the organisation's catalogue, and effective at the caller's next request in every process."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from typer.testing import CliRunner

from haiquan import cli
from haiquan.kit.db import Database
from haiquan.kit.tables import AuditEntry, OutboxEvent
from haiquan.organization.tables import OfficerRow
from tests.support import PASSWORD, World

runner = CliRunner()


def patch(world: World, username: str, body: dict[str, Any], who: str = "admin") -> Any:
    return world.client.patch(f"/api/v1/officers/{username}", json=body, headers=world.off(who))


def me(world: World, username: str) -> Any:
    return world.client.get("/api/v1/me", headers=world.off(username))


def recorded(app: Any, kind: str) -> list[dict[str, Any]]:
    with app.state.db.unit_of_work() as uow:
        return [
            dict(p)
            for p in uow.session.scalars(
                select(OutboxEvent.payload).where(OutboxEvent.type == kind).order_by(OutboxEvent.seq)
            )
        ]


def audited(app: Any, action: str) -> list[str]:
    with app.state.db.unit_of_work() as uow:
        return list(uow.session.scalars(select(AuditEntry.target).where(AuditEntry.action == action)))


def test_a_deactivated_officer_is_refused_at_once_and_a_reactivated_one_comes_back(
    world: World, app: Any
) -> None:
    assert me(world, "nb_officer1").status_code == 200
    r = patch(world, "nb_officer1", {"active": False})
    assert r.status_code == 200, r.text
    assert r.json()["active"] is False
    assert r.json()["changes"] == ["organization.officer_deactivated"]
    refused = me(world, "nb_officer1")  # the same token, the very next request
    assert refused.status_code == 401
    assert refused.json()["code"] == "inactive_account"
    login = world.client.post("/api/v1/auth/token", data={"username": "nb_officer1", "password": PASSWORD})
    assert login.status_code == 401
    assert [p["username"] for p in recorded(app, "organization.officer_deactivated")] == ["nb_officer1"]
    assert audited(app, "officer.deactivated") == ["officer:nb_officer1"]
    again = patch(world, "nb_officer1", {"active": False})  # already so: nothing recorded
    assert again.status_code == 200
    assert again.json()["changes"] == []
    assert len(recorded(app, "organization.officer_deactivated")) == 1
    assert patch(world, "nb_officer1", {"active": True}).json()["changes"] == [
        "organization.officer_reactivated"
    ]
    stale = me(world, "nb_officer1")  # the sessions ended at the deactivation stay ended
    assert stale.status_code == 401
    assert stale.json()["code"] == "session_revoked"
    del world.tokens["nb_officer1"]
    assert me(world, "nb_officer1").status_code == 200  # after a new login


def test_role_and_unit_changes_hold_at_the_next_request(world: World, app: Any) -> None:
    assert me(world, "nb_officer2").json()["role"] == "officer"
    assert world.client.get("/api/v1/units/01AB", headers=world.off("nb_officer2")).status_code == 200
    r = patch(world, "nb_officer2", {"role": "team_lead", "unit": "03CC"})
    assert r.status_code == 200, r.text
    assert r.json()["changes"] == ["organization.officer_role_changed", "organization.officer_moved"]
    now = me(world, "nb_officer2").json()
    assert (now["role"], now["unit"]) == ("team_lead", "03CC")
    assert world.client.get("/api/v1/units/01AB", headers=world.off("nb_officer2")).status_code == 404
    assert [p["to"] for p in recorded(app, "organization.officer_moved")] == ["03CC"]
    assert audited(app, "officer.role_changed") == ["officer:nb_officer2"]


def test_a_change_made_by_another_process_holds_at_the_next_request(world: World, app: Any) -> None:
    assert me(world, "tn_officer").status_code == 200  # the caller was just authenticated
    with app.state.db.engine.begin() as conn:  # as another worker or the CLI would: no event in this process
        conn.execute(update(OfficerRow).where(OfficerRow.username == "tn_officer").values(active=False))
    assert me(world, "tn_officer").status_code == 401


def test_bad_changes_are_refused_naming_the_field_and_change_nothing(world: World, app: Any) -> None:
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"role": "boss"}, 422, "role"),
        ({"unit": "99ZZ"}, 422, "unit"),
        ({}, 422, "body"),
        ({"active": "maybe"}, 422, "active"),
        ({"on_leave": True}, 422, "on_leave"),
    ]
    for body, status, field in cases:
        r = patch(world, "nb_officer1", body)
        assert r.status_code == status, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert field in (r.json().get("field") or "") + str(r.json().get("errors")), r.text
    assert patch(world, "nobody", {"active": False}).status_code == 404
    assert patch(world, "nb_officer1", {"active": False}, who="nb_leader").status_code == 403
    own = patch(world, "admin", {"role": "officer"})
    assert own.status_code == 409
    assert own.json()["code"] == "own_account"
    got = world.client.get("/api/v1/officers/nb_officer1", headers=world.off("admin")).json()
    assert (got["active"], got["role"], got["unit"], got["on_roster"]) == (True, "officer", "01AB", True)
    assert recorded(app, "organization.officer_role_changed") == []


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(cli.app, ["officer", *args])
    return result.exit_code, result.output


def test_officer_commands_take_effect_at_once(world: World, app: Any, cli_db: Database) -> None:
    assert me(world, "nb_officer1").status_code == 200
    assert run("deactivate", "nb_officer1") == (0, "officer nb_officer1 deactivated\n")
    assert me(world, "nb_officer1").status_code == 401
    assert run("deactivate", "nb_officer1")[1].startswith("officer nb_officer1: no change")
    assert run("reactivate", "nb_officer1") == (0, "officer nb_officer1 reactivated\n")
    assert me(world, "nb_officer1").status_code == 401  # its sessions ended with the deactivation
    del world.tokens["nb_officer1"]
    assert me(world, "nb_officer1").status_code == 200
    assert run("set-role", "nb_officer1", "team_lead") == (0, "officer nb_officer1 is now team_lead\n")
    assert me(world, "nb_officer1").json()["role"] == "team_lead"
    assert run("move", "nb_officer1", "01TE") == (0, "officer nb_officer1 moved to 01TE\n")
    assert me(world, "nb_officer1").json()["unit"] == "01TE"
    assert run("leave", "nb_officer1") == (0, "officer nb_officer1 taken off the roster\n")
    assert run("return", "nb_officer1") == (0, "officer nb_officer1 back on the roster\n")
    code, out = run("set-role", "nb_officer1", "boss")
    assert code == 2
    assert "role" in out
    code, out = run("leave", "nobody")
    assert code == 2
    assert "username" in out
    actions = audited(app, "officer.left_roster") + audited(app, "officer.returned_to_roster")
    assert actions == ["officer:nb_officer1", "officer:nb_officer1"]
