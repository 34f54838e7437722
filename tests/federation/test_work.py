"""Work that crosses nodes with real nats-servers (decision 0039): a department (01) and two sub-department
nodes (01AB, 01TE). A transit declared at 01AB for an office of 01TE is seen and closed by 01TE's officer
through the normal API; the act goes up to the department, down to 01AB, and closes the transit there once
(the guarantee released) — also when 01TE is killed right after the act, and when a routed message is
delivered again."""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import httpx
import nats
import pytest
from sqlalchemy import func, select

from haiquan.audit.catalogue import AuditEvent
from haiquan.audit.tables import AuditCandidateRow, AuditCaseRow
from haiquan.kit import clock, outbox
from haiquan.kit.db import new_id
from haiquan.kit.tables import OutboxEvent
from haiquan.organization import service as org
from haiquan.sharing.natsconf import client_url, node_user
from haiquan.sharing.tables import WorkDelivery, WorkItem, WorkReceived
from haiquan.supervision.catalogue import SupervisionEvent
from tests.federation.harness import SECRET, Node, start_nodes, stop_nodes, wait_for
from tests.federation.test_federation import _publish_as, count, drop_databases, node_databases
from tests.services import nats_server
from tests.supervision.test_trader_transits import TRADER, URL, body, guarantee
from tests.support import PASSWORD

pytestmark = [pytest.mark.nats, pytest.mark.timeout(300)]
E = SupervisionEvent


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The three nodes, each on its own SQLite file, then each on its own PostgreSQL database."""
    nats_server()
    base = tmp_path_factory.mktemp("work")
    units = ("01", "01AB", "01TE")
    urls = node_databases(request.getfixturevalue("pg_url"), units) if request.param != "sqlite" else {}
    dept = Node("01", base / "n01", None, ["01AB", "01TE"], database_url=urls.get("01", ""))
    subs = [Node(u, base / f"n{u}", "01", [], database_url=urls.get(u, "")) for u in ("01AB", "01TE")]
    nodes = {n.unit: n for n in (dept, *subs)}
    keys: dict[str, str] = {}
    try:
        dept.prepare(None)
        for s in subs:
            s.prepare(dept.leaf_port)
        nb, tn = nodes["01AB"], nodes["01TE"]
        assert nb.db is not None
        assert tn.db is not None
        with nb.db.unit_of_work() as uow:
            org.add_officer(
                uow.session, username="nb", unit="01AB", role="officer", password=PASSWORD, actor="t"
            )
            _, keys[TRADER] = org.add_enterprise(
                uow.session, tax_code=TRADER, name="Hàng không Việt", roles=["declarant"], actor="t"
            )
            uow.commit()
        guarantee(SimpleNamespace(state=SimpleNamespace(db=nb.db)), amount=200_000_000)
        assert dept.db is not None
        with dept.db.unit_of_work() as uow:  # the department's audit team (a leader may audit)
            org.add_officer(
                uow.session, username="hn", unit="01", role="department_leader", password=PASSWORD, actor="t"
            )
            uow.commit()
        with tn.db.unit_of_work() as uow:
            org.add_officer(
                uow.session, username="tn", unit="01TE", role="officer", password=PASSWORD, actor="t"
            )
            uow.commit()
        start_nodes(list(nodes.values()))
        yield {"nodes": nodes, "keys": keys}
    finally:
        stop_nodes(list(nodes.values()))
        if urls:
            drop_databases(urls)


def http(node: Node) -> httpx.Client:
    return httpx.Client(base_url=f"http://127.0.0.1:{node.http_port}", timeout=30)


def officer(node: Node, username: str) -> dict[str, str]:
    with http(node) as c:
        r = c.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}


def declared_and_accepted(fed: dict[str, Any], n: int) -> dict[str, Any]:
    nb = fed["nodes"]["01AB"]
    trader = {"Authorization": f"Bearer {fed['keys'][TRADER]}"}
    b = body(departure_office="01AB", destination_office="01TE", duty_amount="1000000")
    with http(nb) as c:
        r = c.post(URL, json=b, headers={**trader, "Idempotency-Key": f"tr-{n}"})
        assert r.status_code == 201, r.text
        t = dict(r.json())
        r = c.post(f"{URL}/{t['id']}/accept", headers=officer(nb, "nb"))
        assert r.status_code == 200, r.text
    return t


def status_at(node: Node, who: dict[str, str], tid: str) -> str | None:
    with http(node) as c:
        r = c.get(f"{URL}/{tid}", headers=who)
    return str(r.json()["status"]) if r.status_code == 200 else None


def events_of(node: Node, type_: str, tid: str) -> int:
    """How many events of a type the node recorded for the transit."""
    assert node.db is not None
    with node.db.engine.connect() as conn:
        payloads = conn.execute(select(OutboxEvent.payload).where(OutboxEvent.type == type_)).scalars()
        return sum(1 for p in payloads if p.get("transit_id") == tid)


def confirmed(tn: Node, nb: Node, tid: str) -> bool:
    assert tn.db is not None
    assert nb.db is not None
    with nb.db.engine.connect() as conn:
        arrived = conn.execute(
            select(OutboxEvent.id, OutboxEvent.payload).where(OutboxEvent.type == E.TRANSIT_ARRIVED)
        ).all()
    ids = [i for i, p in arrived if p.get("transit_id") == tid]
    with tn.db.engine.connect() as conn:
        item = conn.execute(select(WorkItem.last_event_id).where(WorkItem.record_id == tid)).scalar()
    return bool(ids) and item == ids[0]


def events_of_reference(node: Node, number: str) -> list[str]:
    """The guarantee's reservation events of the transit, in order."""
    assert node.db is not None
    q = select(OutboxEvent.type, OutboxEvent.payload).where(OutboxEvent.type.like("payment.guarantee_%"))
    with node.db.engine.connect() as conn:
        rows = conn.execute(q.order_by(OutboxEvent.seq)).all()
    return [type_ for type_, p in rows if p.get("reference") == f"transit:{number}"]


def test_transit_closed_at_its_destination_on_another_node(fed: dict[str, Any]) -> None:
    nb, tn = fed["nodes"]["01AB"], fed["nodes"]["01TE"]
    t = declared_and_accepted(fed, 1)
    tid, tn_officer = t["id"], officer(tn, "tn")
    wait_for(lambda: status_at(tn, tn_officer, tid) == "accepted", 60, "the destination node to see it")
    with http(tn) as c:
        seen = c.get(URL, params={"direction": "arriving"}, headers=tn_officer).json()
        assert [(x["id"], x["origin_node"], x["seals"]) for x in seen] == [(tid, "01AB", ["VN123456"])]
        r = c.post(f"{URL}/{tid}/arrival", json={"seals_found": ["VN123456"]}, headers=tn_officer)
        assert r.status_code == 200, r.text
        assert (r.json()["status"], r.json()["outcome"]) == ("arrived", "intact")
    nb_officer = officer(nb, "nb")
    wait_for(lambda: status_at(nb, nb_officer, tid) == "arrived", 60, "the origin to close the transit")
    assert events_of(nb, E.TRANSIT_ARRIVED, tid) == 1  # exactly once at the origin
    assert events_of(tn, E.TRANSIT_ARRIVAL_RECORDED, tid) == 1
    # the origin's transit_arrived, routed back, confirms the destination's work item
    wait_for(lambda: confirmed(tn, nb, tid), 60, "the destination's item to be confirmed by the origin")
    assert events_of_reference(nb, t["number"]) == [
        "payment.guarantee_reserved",
        "payment.guarantee_released",
    ]
    with http(nb) as c:  # the trader follows it at its origin
        trader = {"Authorization": f"Bearer {fed['keys'][TRADER]}"}
        assert c.get(f"{URL}/{tid}", headers=trader).json()["outcome"] == "intact"


def test_destination_killed_after_its_act_and_a_message_delivered_again(fed: dict[str, Any]) -> None:
    dept, nb, tn = fed["nodes"]["01"], fed["nodes"]["01AB"], fed["nodes"]["01TE"]
    t = declared_and_accepted(fed, 2)
    tid, tn_officer = t["id"], officer(tn, "tn")
    wait_for(lambda: status_at(tn, tn_officer, tid) == "accepted", 60, "the destination node to see it")
    with http(tn) as c:
        r = c.post(f"{URL}/{tid}/arrival", json={"seals_found": ["VN123456"]}, headers=tn_officer)
        assert r.status_code == 200, r.text
    tn.kill_app(signal.SIGKILL)  # its relay may or may not have sent the act
    tn.start_app()
    nb_officer = officer(nb, "nb")
    wait_for(lambda: status_at(nb, nb_officer, tid) == "arrived", 90, "the origin to close the transit")
    # the routed message delivered again (a new message id: JetStream keeps it), applied no second time
    assert dept.db is not None
    with dept.db.engine.connect() as conn:
        subject, msg = conn.execute(
            select(WorkDelivery.subject, WorkDelivery.body).where(WorkDelivery.node == "01AB")
            .where(WorkDelivery.subject.like(f"%.{E.TRANSIT_ARRIVAL_RECORDED}"))
            .order_by(WorkDelivery.seq.desc()).limit(1)
        ).one()  # fmt: skip
    assert msg["event"]["payload"]["transit_id"] == tid
    before = count(nb.db, select(func.count()).select_from(WorkReceived))
    asyncio.run(_publish_again(dept, nb, subject, msg))
    assert events_of(nb, E.TRANSIT_ARRIVED, tid) == 1
    assert count(nb.db, select(func.count()).select_from(WorkReceived)) == before
    assert events_of(tn, E.TRANSIT_ARRIVAL_RECORDED, tid) == 1


async def _publish_again(dept: Node, nb: Node, subject: str, msg: dict[str, Any]) -> None:
    child = await nats.connect(client_url("127.0.0.1", nb.nats_port, node_user("01AB"), SECRET))
    parent = await nats.connect(client_url("127.0.0.1", dept.nats_port, node_user("01"), SECRET))
    try:
        js = child.jetstream()
        last = (await js.stream_info("WORKIN_01AB")).state.last_seq
        ack = await parent.jetstream().publish(
            subject, json.dumps(msg).encode(), headers={"Nats-Msg-Id": "again"}
        )
        assert not ack.duplicate

        async def taken() -> bool:  # sourced down, delivered and acknowledged
            stream = await js.stream_info("WORKIN_01AB")
            info = await js.consumer_info("WORKIN_01AB", "work_01AB")
            done = info.delivered.stream_seq >= stream.state.last_seq and info.num_ack_pending == 0
            return stream.state.last_seq > last and done

        for _ in range(300):
            if await taken():
                return
            await asyncio.sleep(0.1)
        raise AssertionError("the origin did not take the message again")
    finally:
        await parent.close()
        await child.close()


def test_a_sub_department_cannot_inject_work(fed: dict[str, Any]) -> None:
    errors = asyncio.run(
        _publish_as(fed["nodes"]["01AB"], "hq.work.01.01TE.01AB.supervision.transit_declared")
    )
    assert any("permissions violation" in e for e in errors), errors


def queue_candidate(nb: Node, number: str) -> str:
    """A cleared declaration of 01AB selected for audit, as the selection leaves it (candidate and event)."""
    assert nb.db is not None
    with nb.db.unit_of_work() as uow:
        row = AuditCandidateRow(
            id=new_id(), number=number, unit="01AB", declarant_tax_code=TRADER, source="blue_lane",
            reason="blue lane", score=0.8, status="queued", queued_at=clock.now(), queued_by="system:audit",
        )  # fmt: skip
        uow.session.add(row)
        payload = {"id": row.id, "number": number, "unit": "01AB", "source": "blue_lane", "reason": "blue lane",
                   "score": 0.8}  # fmt: skip
        outbox.record(
            uow.session, type=AuditEvent.CANDIDATE_QUEUED, unit="01AB", actor="system:audit", payload=payload
        )
        uow.commit()
        return row.id


def test_department_audit_team_records_findings_on_a_sub_departments_candidate(fed: dict[str, Any]) -> None:
    dept, nb = fed["nodes"]["01"], fed["nodes"]["01AB"]
    cid = queue_candidate(nb, "104000000777")
    hn = officer(dept, "hn")

    def in_queue() -> bool:
        with http(dept) as c:
            return cid in [x["id"] for x in c.get("/api/v1/audit/queue", headers=hn).json()]

    wait_for(in_queue, 60, "the department's audit team to see the candidate")
    body = {"outcome": "fraud", "additional_duty": "5000000", "findings": ["Giá khai thấp hơn giá thực tế"]}
    with http(dept) as c:
        r = c.post(f"/api/v1/audit/queue/{cid}/findings", json=body, headers=hn)
        assert r.status_code == 200, r.text
    assert nb.db is not None

    def case_at_origin() -> bool:
        assert nb.db is not None
        with nb.db.engine.connect() as conn:
            return conn.execute(
                select(AuditCaseRow.status).where(AuditCaseRow.candidate_id == cid)
            ).scalar() == ("findings_recorded")

    wait_for(case_at_origin, 60, "the origin to open the case with the department's findings")
    found = (
        select(func.count()).select_from(OutboxEvent).where(OutboxEvent.type == AuditEvent.FINDINGS_RECORDED)
    )
    assert count(nb.db, found) == 1
