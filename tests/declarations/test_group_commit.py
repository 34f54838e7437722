"""Lodging and registration through the group commit: a batch mixing both, in any order; round-robin
assignment inside one batch; a refusal in the middle of a batch; the same declaration registered twice in
one batch."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from haiquan.declarations import changes
from haiquan.declarations.schemas import DeclarationIn
from haiquan.declarations.tables import DeclarationHistoryRow, DeclarationRow
from haiquan.kit.errors import Conflict, NotFound
from haiquan.kit.groupcommit import Answer, Change
from haiquan.organization import service as org
from tests.declarations.test_flow import force_lane
from tests.support import World, import_declaration


def principal(app: Any, tax_code: str) -> Any:
    with app.state.db.unit_of_work() as uow:
        return org.enterprise_principal(org.enterprise_by_tax_code(uow.session, tax_code))


def outcome(change: Change) -> Any:
    try:
        return change.future.result(5)
    except Exception as exc:
        return exc


def test_a_batch_registering_one_and_lodging_another(world: World, app: Any) -> None:
    force_lane(app, "yellow")
    first = world.lodge(import_declaration()).json()["number"]
    who = principal(app, "0100109106")
    engine = app.state.channel_engine
    batch = [
        Change(changes.Register(who, first, engine), who.key),
        Change(
            changes.Lodge(who, DeclarationIn.model_validate(import_declaration()), 7),
            who.key,
            status_code=201,
        ),
        Change(changes.Register(who, first, engine), who.key),  # the same one again in the same batch
        Change(changes.Register(who, "100000000017", engine), who.key),
    ]
    app.state.writer.commit_batch(batch)
    registered, lodged, again, unknown = (outcome(c) for c in batch)
    assert isinstance(registered, Answer)
    assert isinstance(lodged, Answer)
    assert lodged.status_code == 201
    assert isinstance(again, Conflict)
    assert isinstance(unknown, NotFound)
    second = json.loads(lodged.body)["number"]
    with app.state.db.unit_of_work() as uow:
        s = uow.session
        rows = {r.number: r for r in s.scalars(select(DeclarationRow)).all()}
        assert rows[first].status == "registered"
        assert rows[first].channel == "yellow"
        assert rows[first].assigned_officer_id is not None
        assert rows[first].version == 2
        assert rows[second].status == "accepted"
        steps = s.execute(select(DeclarationHistoryRow.number, DeclarationHistoryRow.action)).all()
    assert sorted(steps) == sorted([(first, "lodge"), (first, "register"), (second, "lodge")])


def test_checkers_go_round_the_roster_inside_one_batch(world: World, app: Any) -> None:
    force_lane(app, "yellow")
    numbers = [world.lodge(import_declaration()).json()["number"] for _ in range(5)]
    who = principal(app, "0100109106")
    batch = [Change(changes.Register(who, n, app.state.channel_engine), who.key) for n in numbers]
    app.state.writer.commit_batch(batch)
    assert all(isinstance(outcome(c), Answer) for c in batch)
    more = world.lodge(import_declaration()).json()["number"]
    r = world.post(f"/api/v1/declarations/{more}/register", world.ent("0100109106"), None)
    assert r.status_code == 200, r.text
    with app.state.db.unit_of_work() as uow:
        q = select(DeclarationRow.number, DeclarationRow.assigned_officer_id)
        got = {n: o for n, o in uow.session.execute(q).all()}
    sequence = [got[n] for n in [*numbers, more]]
    # the Nội Bài roster (01AB and its teams' officers up to the sub-department) taken in turn
    assert len(set(sequence[:3])) == 3
    assert sequence[3] == sequence[0]
    assert sequence[4] == sequence[1]
    assert sequence[5] == sequence[2]
