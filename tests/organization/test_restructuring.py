"""Restructuring through `haiquan unit load` (the CLI on the test's own database) and HTTP, on SQLite and
PostgreSQL: a merged unit's records, officers and open checks follow its successor; a unit dissolved without
one leaves its records to its parent and its officers without access."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from haiquan import cli
from haiquan.kit import cli_support
from haiquan.kit.db import Database
from haiquan.kit.settings import get_settings
from haiquan.kit.tables import AuditEntry, OutboxEvent
from haiquan.organization.catalogue import OrganizationEvent
from haiquan.organization.tables import OfficerRow, UnitRow
from haiquan.risk.channel import RuleSetEngine
from tests.support import UNITS, World, import_declaration

Load = Callable[..., tuple[int, str]]


@pytest.fixture
def load_units(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Load]:
    """`haiquan unit load` on the world's database, from UNITS with some units left out and successors."""
    monkeypatch.setenv("HAIQUAN_DATABASE_URL", db.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("HAIQUAN_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    cli_support._db = None

    def run(*, without: tuple[str, ...] = (), successors: dict[str, str] | None = None) -> tuple[int, str]:
        path = tmp_path / "units.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["code", "name_vi", "name_en", "level", "parent", "successor"])
            for u in UNITS:
                if u.code not in without:
                    w.writerow(
                        [
                            u.code,
                            u.name_vi,
                            u.name_en,
                            u.level,
                            u.parent or "",
                            (successors or {}).get(u.code, ""),
                        ]
                    )
        result = CliRunner().invoke(cli.app, ["unit", "load", str(path)])
        return result.exit_code, result.output

    yield run
    if cli_support._db is not None:
        cli_support._db.dispose()
    cli_support._db = None
    get_settings.cache_clear()


def lodge_checks(world: World, app: Any, office: str, count: int) -> list[str]:
    """Yellow declarations registered at an office: open checks assigned round robin on its roster."""
    app.state.channel_engine = RuleSetEngine(green=0.0, yellow=100.0, red=0.0)
    numbers = []
    for _ in range(count):
        r = world.lodge(import_declaration(office=office))
        assert r.status_code == 201, r.text
        n = r.json()["number"]
        assert (
            world.post(f"/api/v1/declarations/{n}/register", world.ent("0100109106"), None).status_code == 200
        )
        numbers.append(n)
    return numbers


def visible(client: TestClient, world: World, who: str) -> set[str]:
    r = client.get("/api/v1/declarations", params={"limit": 200}, headers=world.off(who))
    assert r.status_code == 200, r.text
    return {d["number"] for d in r.json()["items"]}


def queue(client: TestClient, world: World, who: str) -> dict[str, str | None]:
    r = client.get("/api/v1/officer/queue", headers=world.off(who))
    assert r.status_code == 200, r.text
    return {i["number"]: i["assigned_officer"] for i in r.json()["items"]}


def events(app: Any, type_: str) -> list[dict[str, Any]]:
    with app.state.db.unit_of_work() as uow:
        return [
            dict(p) for p in uow.session.scalars(select(OutboxEvent.payload).where(OutboxEvent.type == type_))
        ]


def test_a_merged_subdepartment_s_records_officers_and_checks_follow_its_successor(
    world: World, app: Any, client: TestClient, load_units: Load
) -> None:
    numbers = set(lodge_checks(world, app, "01TE", 3))
    assert set(queue(client, world, "tn_officer").values()) == {"tn_officer"}
    code, out = load_units(successors={"01TE": "01AB"})
    assert code == 0, out
    assert "'merged': 1" in out
    for who in ("hn_leader", "nb_leader", "nb_officer1", "tn_officer", "gd_leader"):
        assert numbers <= visible(client, world, who), who
    assert not numbers & visible(client, world, "hp_leader")
    me = client.get("/api/v1/me", headers=world.off("tn_officer")).json()
    assert me["unit"] == "01AB"  # the officer moved with the unit
    assert queue(client, world, "nb_leader") == dict.fromkeys(
        numbers, "tn_officer"
    )  # checks kept by their officer
    # a dissolved office takes no new declaration
    r = world.lodge(import_declaration(office="01TE"))
    assert r.status_code == 422
    assert r.json()["field"] == "office"
    assert "01AB" in r.json()["detail"]
    [merged] = events(app, OrganizationEvent.UNIT_MERGED)
    assert merged == {"unit": "01TE", "records_to": "01AB", "successor": "01AB", "officers_moved": ["tn_officer"],
                      "open_checks_reassigned": 0}  # fmt: skip
    with app.state.db.unit_of_work() as uow:
        row = uow.session.get(UnitRow, "01TE")
        assert row is not None
        assert not row.active
        assert row.successor == "01AB"
        assert row.dissolved_at is not None
        actions = set(uow.session.scalars(select(AuditEntry.action)))
    assert {"unit.merged", "officer.moved", "units.load"} <= actions


def test_a_dissolved_unit_without_successor_leaves_its_records_to_its_parent_and_its_officers_out(
    world: World, app: Any, client: TestClient, load_units: Load
) -> None:
    numbers = set(lodge_checks(world, app, "01B3", 8))  # the roster: the team and its sub-department
    before = queue(client, world, "nb_leader")
    assert "nb_team_officer" in before.values()
    token = world.off("nb_team_officer")
    code, out = load_units(without=("01B3",))
    assert code == 0, out
    assert "'dissolved': 1" in out
    for path in ("/api/v1/me", "/api/v1/declarations"):
        r = client.get(path, headers=token)
        assert r.status_code == 401, r.text
        assert r.json()["code"] == "unit_dissolved", r.text
    r = client.post(
        "/api/v1/auth/token", data={"username": "nb_team_officer", "password": "correct-horse-battery"}
    )
    assert r.status_code == 401
    for who in ("hn_leader", "nb_leader", "nb_officer1"):
        assert numbers <= visible(client, world, who), who
    after = queue(client, world, "nb_leader")
    assert set(after) == numbers
    assert "nb_team_officer" not in after.values()
    assert None not in after.values()
    moved = sum(1 for n, who in before.items() if who == "nb_team_officer")
    assert all(
        after[n] == who for n, who in before.items() if who != "nb_team_officer"
    )  # the others keep theirs
    [dissolved] = events(app, OrganizationEvent.UNIT_DISSOLVED)
    assert dissolved == {"unit": "01B3", "records_to": "01AB", "officers_refused": ["nb_team_officer"],
                         "open_checks_reassigned": moved}  # fmt: skip
    with app.state.db.unit_of_work() as uow:
        officer = uow.session.scalar(select(OfficerRow).where(OfficerRow.username == "nb_team_officer"))
        assert officer is not None
        assert officer.unit == "01B3"
    added = CliRunner().invoke(
        cli.app,
        ["officer", "add", "--username", "late", "--unit", "01B3", "--role", "officer"],
        input="mat-khau-dai\n",
    )
    assert added.exit_code == 2
    assert "dissolved" in added.output


@pytest.mark.parametrize(
    ("successors", "without", "message"),
    [
        ({"01TE": "01AB", "01AB": "01TE"}, (), "cycle"),
        ({"01TE": "99XX"}, (), "successor 99XX is not in the file"),
        ({"01TE": "01B1"}, ("01B1",), "successor 01B1 is not in the file"),
        ({"01AB": "01TE"}, (), "parent 01AB is dissolved"),
    ],
)
def test_a_broken_restructuring_is_one_line_and_changes_nothing(
    world: World, app: Any, client: TestClient, load_units: Load, successors: dict[str, str],
    without: tuple[str, ...], message: str,
) -> None:  # fmt: skip
    code, out = load_units(successors=successors, without=without)
    text = " ".join(out.split())  # one message (the console wraps it at its width)
    assert code == 2, out
    assert text.startswith("error:"), out
    assert message in text, out
    assert text.count("error") == 1, out
    with app.state.db.unit_of_work() as uow:
        assert all(r.active and r.successor is None for r in uow.session.scalars(select(UnitRow)))
        assert (
            uow.session.scalar(select(OfficerRow.unit).where(OfficerRow.username == "tn_officer")) == "01TE"
        )
    assert client.get("/api/v1/me", headers=world.off("nb_team_officer")).status_code == 200
