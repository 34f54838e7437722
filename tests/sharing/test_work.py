"""Work that crosses nodes (decision 0039) without NATS: which events the department routes to which node,
the deliveries it writes for the relay, and what a routed event does where it lands (applied once): the
destination office sees and closes another node's transit; the origin closes its transit from that act."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from haiquan.kit import clock, outbox
from haiquan.kit.db import Database, new_id
from haiquan.kit.dispatcher import Dispatcher
from haiquan.kit.outbox import Event, default_subject
from haiquan.kit.settings import Settings
from haiquan.kit.tables import OutboxEvent
from haiquan.organization.domain import UnitTree
from haiquan.sharing import domain, work
from haiquan.sharing.domain import NodeLayout
from haiquan.sharing.handlers import register_work
from haiquan.sharing.natsconf import NodeConfig
from haiquan.sharing.tables import WorkDelivery, WorkItem, WorkReceived
from haiquan.supervision import transit_work
from haiquan.supervision.catalogue import SupervisionEvent
from tests.services import nats_server
from tests.supervision.test_trader_transits import URL, declared, guarantee, reservations
from tests.support import UNITS, World
from tests.web.helpers import csrf_of, login

E = SupervisionEvent
TREE = UnitTree.build(UNITS)
DEPT = NodeLayout.build(TREE, "01", parent=None, children=["01AB", "01TE"])
LEAF = NodeLayout.build(TREE, "01AB", parent="01", children=[])


@pytest.fixture(autouse=True)
def _registered() -> None:
    transit_work.register()


def event(type_: str, unit: str, **payload: Any) -> Event:
    return Event(new_id(), 0, type_, 1, unit, default_subject(type_, unit), clock.now(), "officer:t", payload)


def transit(status: str, *, dep: str = "01AB", dest: str = "01TE", tid: str = "a" * 32) -> dict[str, Any]:
    return {
        "transit_id": tid, "number": "TR0000000001", "transport": "transit", "declarant_id": "e" * 32,
        "tax_code": "0100109106", "departure_office": dep, "destination_office": dest, "status": status,
        "deadline": None, "outcome": "", "note": "", "seals": ["VN123456"], "containers": ["MSCU1234566"],
        "route": [dep, dest], "goods": "20 kiện", "hours_allowed": 4, "declared_at": clock.now().isoformat(),
    }  # fmt: skip


@pytest.mark.parametrize(
    ("type_", "unit", "dep", "dest", "came_from", "expected"),
    [
        (E.TRANSIT_DECLARED, "01AB", "01AB", "01TE", "01AB", ["01TE"]),  # to the other child
        (E.TRANSIT_ACCEPTED, "01B1", "01B1", "01TE", "01AB", ["01TE"]),  # a team's office: its node
        (E.TRANSIT_ARRIVAL_RECORDED, "01TE", "01AB", "01TE", "01TE", ["01AB"]),  # the act goes back
        (E.TRANSIT_DECLARED, "01AB", "01AB", "01B3", "01AB", []),  # both in one node: nothing
        (E.TRANSIT_DECLARED, "01AB", "01AB", "01", "01AB", ["01"]),  # the department's own office
        (E.TRANSIT_DECLARED, "01AB", "01AB", "03CC", "01AB", []),  # outside the department: not from here
        (E.TRANSIT_DECLARED, "01", "01", "01TE", None, ["01TE"]),  # recorded at the department
    ],
)
def test_which_node_an_event_is_routed_to(
    type_: str, unit: str, dep: str, dest: str, came_from: str | None, expected: list[str]
) -> None:
    ev = event(type_, unit, **transit("declared", dep=dep, dest=dest))
    assert work.targets(DEPT, ev, came_from) == expected


def test_a_leaf_and_an_unregistered_type_route_nothing() -> None:
    assert work.targets(LEAF, event(E.TRANSIT_DECLARED, "01AB", **transit("declared")), None) == []
    assert work.targets(DEPT, event("sharing.link_tested", "01AB", departure_office="01TE"), "01AB") == []


def test_deliveries_are_written_for_the_relay_with_their_message_ids(db: Database) -> None:
    ev = event(E.TRANSIT_ACCEPTED, "01AB", **transit("accepted"))
    with db.unit_of_work() as uow:
        assert work.route(uow.session, layout=DEPT, events=[(ev, "01AB")]) == 1
        uow.commit()
    [(seq, (subject, body, msg_id))] = work.pending(db)
    assert subject == f"hq.work.01.01TE.01AB.{E.TRANSIT_ACCEPTED}"
    assert msg_id == f"{ev.id}:01TE"
    assert work.apply_message(db, body)  # the body is what the child applies
    work.mark(db, [seq])
    assert work.pending(db) == []
    streams = {c.name: c for c in work.stream_configs(DEPT) + work.stream_configs(LEAF)}
    assert streams["WORK_01"].subjects == ["hq.work.01.>"]
    [src] = streams["WORKIN_01AB"].sources or []
    assert (src.name, src.filter_subject) == ("WORK_01", "hq.work.01.01AB.>")


def count(app: Any, q: Any) -> int:
    with app.state.db.unit_of_work() as uow:
        return int(uow.session.scalar(q) or 0)


def test_the_destination_sees_and_closes_another_nodes_transit(
    world: World, client: TestClient, app: Any
) -> None:
    db: Database = app.state.db
    tid = "b" * 32
    accepted = event(E.TRANSIT_ACCEPTED, "01AB", **transit("accepted", tid=tid))
    with db.unit_of_work() as uow:
        assert work.apply_routed(uow.session, accepted, "01AB")
        assert not work.apply_routed(uow.session, accepted, "01AB")  # redelivered: nothing
        uow.commit()
    tn = world.off("tn_officer")
    r = client.get(f"{URL}/{tid}", headers=tn)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["origin_node"], r.json()["seals"]) == (
        "accepted",
        "01AB",
        ["VN123456"],
    )
    listed = client.get(URL, params={"direction": "arriving"}, headers=tn).json()
    assert tid in [t["id"] for t in listed]
    assert client.get(f"{URL}/{tid}", headers=world.off("hp_officer")).status_code == 404  # a third office
    r = world.post(f"{URL}/{tid}/arrival", tn, {"seals_found": ["VN999999"]})
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["outcome"]) == ("arrived", "discrepancy")
    assert world.post(f"{URL}/{tid}/arrival", tn, {"seals_found": ["VN123456"]}).status_code == 409
    with db.unit_of_work() as uow:
        recorded = uow.session.scalars(
            select(OutboxEvent).where(OutboxEvent.type == E.TRANSIT_ARRIVAL_RECORDED)
        ).all()
        assert [(e.unit, e.payload["origin_node"], e.payload["transit_id"]) for e in recorded] == [
            ("01TE", "01AB", tid)
        ]
        # a late event of an earlier status does not reopen it; the origin's arrival confirms it
        work.apply_routed(
            uow.session, event(E.TRANSIT_ACCEPTED, "01AB", **transit("accepted", tid=tid)), "01AB"
        )
        assert uow.session.get(WorkItem, ("transit", tid)).status == "arrived"  # type: ignore[union-attr]
        uow.commit()


def test_the_origin_closes_its_transit_once_from_the_destinations_act(world: World, app: Any) -> None:
    guarantee(app)
    t = declared(world, departure_office="03CC", destination_office="01TE")
    assert world.post(f"{URL}/{t['id']}/accept", world.off("hp_officer"), {}).status_code == 200
    act = event(
        E.TRANSIT_ARRIVAL_RECORDED, "01TE", transit_id=t["id"], number=t["number"], departure_office="03CC",
        destination_office="01TE", origin_node="03", seals_found=["VN123456"], discrepancy=False,
        outcome="intact", note="",
    )  # fmt: skip
    db: Database = app.state.db
    body = {"from_node": "01TE", "event": domain.envelope(act)}
    data = json.dumps(body, default=str).encode()
    assert work.apply_message(db, data)
    assert not work.apply_message(db, data)  # redelivered: a no-op
    r = world.client.get(f"{URL}/{t['id']}", headers=world.off("hp_officer"))
    assert (r.json()["status"], r.json()["outcome"]) == ("arrived", "intact")
    assert reservations(app) == [(f"transit:{t['number']}", "released")]
    arrived = select(func.count()).select_from(OutboxEvent).where(OutboxEvent.type == E.TRANSIT_ARRIVED)
    assert count(app, arrived) == 1
    assert count(app, select(func.count()).select_from(WorkReceived)) == 1
    assert count(app, select(func.count()).select_from(WorkDelivery)) == 0


def test_work_subjects_in_the_generated_nats_config(tmp_path: Path) -> None:
    """A parent's node may publish work for each child and no other; a leaf none; a child's leaf link may
    neither inject nor receive work; nats-server accepts both configurations."""
    dept = NodeConfig(layout=DEPT, secret="s" * 40, port=4333, leaf_port=7433, store_dir=str(tmp_path / "a"))
    leaf = NodeConfig(
        layout=LEAF, secret="s" * 40, port=4334, parent_url="127.0.0.1:7433", store_dir=str(tmp_path / "b")
    )
    users = {u["user"]: u["permissions"] for u in dept.users()}
    publish = users["node_01"]["publish"]["allow"]  # type: ignore[index]
    assert [s for s in publish if s.startswith("hq.work")] == ["hq.work.01.01AB.>", "hq.work.01.01TE.>"]
    for way in ("publish", "subscribe"):
        assert "hq.work.>" in users["leaf_01AB"][way]["deny"]  # type: ignore[index]
    leaf_users = {u["user"]: u["permissions"] for u in leaf.users()}
    assert not [s for s in leaf_users["node_01AB"]["publish"]["allow"] if s.startswith("hq.work")]  # type: ignore[index]
    binary = nats_server()
    for name, cfg in (("dept", dept), ("leaf", leaf)):
        conf = tmp_path / f"{name}.conf"
        conf.write_text(cfg.render())
        res = subprocess.run([binary, "-t", "-c", str(conf)], capture_output=True, text=True, timeout=20)
        assert res.returncode == 0, res.stderr + res.stdout


def test_the_departments_own_event_is_routed_by_its_dispatcher(
    world: World, app: Any, settings: Settings
) -> None:
    db: Database = app.state.db
    d = Dispatcher(db)
    register_work(
        d, settings.model_copy(update={"nats_url": "nats://x", "unit": "01", "child_nodes": "01AB,01TE"})
    )
    assert [c.name for c in d.consumers] == ["sharing.work"]
    with db.unit_of_work() as uow:
        outbox.record(
            uow.session,
            type=E.TRANSIT_ACCEPTED,
            unit="01",
            actor="officer:t",
            payload=transit("accepted", dep="01"),
        )
        uow.commit()
    d.run_once()
    [(_, (subject, _, _))] = work.pending(db)
    assert subject == f"hq.work.01.01TE.01.{E.TRANSIT_ACCEPTED}"
    none = Dispatcher(db)
    register_work(
        none, settings.model_copy(update={"nats_url": "nats://x", "unit": "01AB", "parent_node": "01"})
    )
    assert none.consumers == []  # a leaf routes nothing


def test_the_officers_pages_show_and_close_another_nodes_transit(world: World, app: Any) -> None:
    tid = "c" * 32
    with app.state.db.unit_of_work() as uow:
        work.apply_routed(
            uow.session, event(E.TRANSIT_ACCEPTED, "01AB", **transit("accepted", tid=tid)), "01AB"
        )
        uow.commit()
    world.client.cookies.clear()
    assert login(world.client, "tn_officer").status_code == 303
    listing = world.client.get("/supervision/transits?lang=en")
    assert "TR0000000001" in listing.text.split('id="arriving"')[1].split('id="leaving"')[0]
    page = f"/supervision/transits/{tid}"
    form = world.client.get(f"{page}?lang=vi")
    assert "Xác nhận hàng đến" in form.text
    assert "khai tại nút" in form.text  # the node it was declared at
    r = world.client.post(
        f"{page}/arrival",
        data={"csrf": csrf_of(form.text), "seals_found": "VN123456\n"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert "Seal nguyên vẹn" in world.client.get(page).text


def test_a_failing_applier_at_the_department_does_not_hold_the_link_back(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(session: Any, event: Event, from_node: str) -> None:
        raise KeyError("transit_id")

    monkeypatch.setitem(work.APPLIERS, str(E.TRANSIT_DECLARED), broken)
    ev = event(E.TRANSIT_DECLARED, "01AB", **transit("declared", dest="01"))
    with db.unit_of_work() as uow:
        assert work.route(uow.session, layout=DEPT, events=[(ev, "01AB")]) == 0  # logged and skipped
        uow.commit()
    with db.unit_of_work() as uow:
        assert (
            uow.session.get(WorkReceived, ev.id) is None
        )  # the savepoint rolled back: tried again if sent again
