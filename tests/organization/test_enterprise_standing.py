"""An administrator suspends, reinstates or dissolves an enterprise (API and command line); a suspended or
dissolved declarant lodges nothing (403 naming its status and the reason) but still reads its records; each
change is an event of the organisation's catalogue and an audit entry."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from typer.testing import CliRunner

from haiquan import cli
from haiquan.declarations.tables import DeclarationRow
from haiquan.kit.db import Database
from haiquan.kit.tables import AuditEntry, OutboxEvent
from tests.support import World, import_declaration

DECLARANT = "0100109106"
runner = CliRunner()


def standing(world: World, body: dict[str, Any], who: str = "admin", tax: str = DECLARANT) -> Any:
    return world.client.patch(f"/api/v1/enterprises/{tax}", json=body, headers=world.off(who))


def declarations(app: Any) -> int:
    with app.state.db.unit_of_work() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(DeclarationRow)) or 0)


def recorded(app: Any) -> list[tuple[str, dict[str, Any]]]:
    with app.state.db.unit_of_work() as uow:
        rows = uow.session.execute(
            select(OutboxEvent.type, OutboxEvent.payload)
            .where(OutboxEvent.type.like("organization.enterprise_%"))
            .order_by(OutboxEvent.seq)
        )
        return [(t, dict(p)) for t, p in rows]


def audited(app: Any) -> list[tuple[str, str]]:
    with app.state.db.unit_of_work() as uow:
        rows = uow.session.execute(
            select(AuditEntry.action, AuditEntry.actor)
            .where(
                AuditEntry.action.in_(
                    ["enterprise.suspended", "enterprise.reinstated", "enterprise.dissolved"]
                )
            )
            .order_by(AuditEntry.seq)
        )
        return [(a, b) for a, b in rows]


def test_a_suspended_declarant_cannot_lodge_until_reinstated(world: World, app: Any) -> None:
    assert world.lodge(import_declaration()).status_code == 201
    r = standing(world, {"status": "suspended", "reason": "unpaid administrative fines"})
    assert r.status_code == 200, r.text
    assert r.json() == {"tax_code": DECLARANT, "name": r.json()["name"], "status": "suspended",
                        "reason": "unpaid administrative fines", "event": "organization.enterprise_suspended"}  # fmt: skip
    before = declarations(app)
    refused = world.lodge(import_declaration())
    assert refused.status_code == 403, refused.text
    problem = refused.json()
    assert problem["field"] == "declarant"
    assert problem["code"] == "declarant_ineligible"
    assert "suspended" in problem["detail"]
    assert "unpaid administrative fines" in problem["detail"]
    assert declarations(app) == before  # nothing stored
    assert world.client.get("/api/v1/declarations", headers=world.ent(DECLARANT)).status_code == 200
    again = standing(world, {"status": "suspended", "reason": "still"})
    assert again.status_code == 200
    assert again.json()["event"] is None
    assert standing(world, {"status": "active", "reason": "fines paid"}).json()["event"] == (
        "organization.enterprise_reinstated"
    )
    assert world.lodge(import_declaration()).status_code == 201
    events = recorded(app)
    assert [t for t, _ in events] == [
        "organization.enterprise_suspended",
        "organization.enterprise_reinstated",
    ]
    assert events[0][1]["tax_code"] == DECLARANT
    assert events[0][1]["reason"] == "unpaid administrative fines"
    assert audited(app) == [
        ("enterprise.suspended", "officer:admin"),
        ("enterprise.reinstated", "officer:admin"),
    ]


def test_a_dissolved_declarant_stays_dissolved(world: World, app: Any) -> None:
    assert (
        standing(world, {"status": "dissolved", "reason": "business registration revoked"}).status_code == 200
    )
    refused = world.lodge(import_declaration())
    assert refused.status_code == 403
    assert "dissolved" in refused.json()["detail"]
    back = standing(world, {"status": "active", "reason": "mistake"})
    assert back.status_code == 409
    assert back.json()["field"] == "status"
    assert world.lodge(import_declaration()).status_code == 403


def test_only_administrators_change_standing_and_bad_requests_name_the_field(world: World, app: Any) -> None:
    assert standing(world, {"status": "suspended", "reason": "x"}, who="nb_leader").status_code == 403
    r = world.client.patch(
        f"/api/v1/enterprises/{DECLARANT}",
        json={"status": "suspended", "reason": "x"},
        headers=world.ent(DECLARANT),
    )
    assert r.status_code == 403
    bad = standing(world, {"status": "closed", "reason": "x"})
    assert bad.status_code == 422
    assert bad.json()["field"] == "status"
    assert standing(world, {"status": "suspended", "reason": ""}).json()["field"] == "reason"
    assert standing(world, {"status": "suspended"}).json()["field"] == "reason"
    assert standing(world, {"status": "suspended", "reason": "x"}, tax="0100112445").status_code == 404
    assert recorded(app) == []
    assert world.lodge(import_declaration()).status_code == 201


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(cli.app, ["enterprise", *args])
    return result.exit_code, result.output


def test_the_command_line_suspends_reinstates_and_dissolves(world: World, app: Any, cli_db: Database) -> None:
    assert run("suspend", "--tax-code", DECLARANT, "--reason", "customs audit") == (
        0, f"enterprise {DECLARANT} suspended\n")  # fmt: skip
    assert "customs audit" in world.lodge(import_declaration()).json()["detail"]
    assert run("reinstate", "--tax-code", DECLARANT, "--reason", "audit closed")[0] == 0
    assert world.lodge(import_declaration()).status_code == 201
    assert run("dissolve", "--tax-code", DECLARANT, "--reason", "merged into another")[0] == 0
    code, out = run("reinstate", "--tax-code", DECLARANT, "--reason", "x")
    assert code == 2
    assert "status" in out
    assert "dissolved" in out
    code, out = run("suspend", "--tax-code", "0100112445", "--reason", "x")
    assert code == 2
    assert "tax_code" in out
    assert [a for a, _ in audited(app)] == [
        "enterprise.suspended",
        "enterprise.reinstated",
        "enterprise.dissolved",
    ]
    assert {actor for _, actor in audited(app)} == {"cli"}
