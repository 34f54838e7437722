"""A department (01) and two sub-department nodes (01AB with its teams, 01TE), each with its own nats-server
(leaf nodes of the department's hub, their own JetStream domains) and its own haiquan process and database."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from collections.abc import Iterator
from typing import Any

import nats
import pytest
from nats.js.api import ConsumerConfig
from sqlalchemy import create_engine, func, select, text

from haiquan.kit.db import Database
from haiquan.kit.tables import OutboxEvent
from haiquan.sharing import service
from haiquan.sharing.natsconf import agency_user, client_url, node_user
from haiquan.sharing.tables import ReferenceVersion, UnitEventTotal
from tests.federation.harness import SECRET, Node, start_nodes, stop_nodes, wait_for
from tests.services import PG_ADMIN_URL, nats_server

pytestmark = [pytest.mark.nats, pytest.mark.timeout(240)]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Node]]:
    """The three nodes, each on its own SQLite file, then each on its own PostgreSQL database."""
    nats_server()
    base = tmp_path_factory.mktemp("federation")
    units = ("01", "01AB", "01TE")
    urls = node_databases(request.getfixturevalue("pg_url"), units) if request.param != "sqlite" else {}
    dept = Node("01", base / "n01", None, ["01AB", "01TE"], database_url=urls.get("01", ""))
    subs = [Node(u, base / f"n{u}", "01", [], database_url=urls.get(u, "")) for u in ("01AB", "01TE")]
    nodes = {n.unit: n for n in (dept, *subs)}
    try:
        dept.prepare(None)
        for s in subs:
            s.prepare(dept.leaf_port)
        start_nodes(list(nodes.values()))
        yield nodes
    finally:
        stop_nodes(list(nodes.values()))
        if urls:
            drop_databases(urls)


def node_databases(pg_url: str, units: tuple[str, ...]) -> dict[str, str]:
    """A database per node next to the session's test database (dropped by drop_databases)."""
    base, name = pg_url.rsplit("/", 1)
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for u in units:
            conn.execute(text(f'CREATE DATABASE "{name}_{u.lower()}"'))
    admin.dispose()
    return {u: f"{base}/{name}_{u.lower()}" for u in units}


def drop_databases(urls: dict[str, str]) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for url in urls.values():
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


def count(db: Database | None, q: Any) -> int:
    assert db is not None
    with db.engine.connect() as conn:
        return int(conn.execute(q).scalar() or 0)


def totals(db: Database | None, type_: str) -> dict[str, tuple[int, str]]:
    assert db is not None
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(UnitEventTotal.unit, func.sum(UnitEventTotal.count), func.sum(UnitEventTotal.amount))
            .where(UnitEventTotal.type == type_, UnitEventTotal.dim == "")
            .group_by(UnitEventTotal.unit)
        ).all()
    return {u: (int(c), f"{a:.0f}") for u, c, a in rows}


# Types of the catalogue whose consumers record nothing more (a registration would assess duties and add
# payment events); as text: the payloads below carry what the summary reads, not a whole declaration's
LODGED = "declaration.lodged"
LINK_TESTED = "sharing.link_tested"
MANIFEST_RECEIVED = "cargo.manifest_received"


def declaration(i: int) -> dict[str, Any]:
    return {"number": f"10{i:010d}", "status": "registered", "channel": "green", "total_duties": 1000 + i}


def movement(i: int) -> dict[str, Any]:
    return {"container": f"MSKU{i:07d}", "terminal": "VNHPH"}


def federated(dept: Node, unit_prefix: str = "") -> int:
    q = select(func.count()).select_from(OutboxEvent).where(OutboxEvent.origin.is_not(None))
    return count(dept.db, q)


def assert_exactly_once(dept: Node, ids: list[str]) -> None:
    assert dept.db is not None
    with dept.db.engine.connect() as conn:
        q = select(OutboxEvent.id).where(OutboxEvent.id.in_(ids), OutboxEvent.origin.is_not(None))
        got = conn.execute(q).scalars().all()
    assert sorted(got) == sorted(ids)  # every one, none twice (unique id)


def test_department_totals_equal_the_sum_of_its_sub_departments(fed: dict[str, Node]) -> None:
    dept, nb, tn = fed["01"], fed["01AB"], fed["01TE"]
    ids = nb.record(40, unit="01B1", type=LODGED, payload=declaration)
    ids += nb.record(15, unit="01AB", type=LINK_TESTED, payload=movement)
    ids += tn.record(25, unit="01TE", type=LODGED, payload=declaration)
    ids += tn.record(10, unit="01TE", type=LINK_TESTED, payload=movement)
    wait_for(lambda: federated(dept) >= len(ids), 30, "the department to receive every event")
    assert_exactly_once(dept, ids)
    for type_, expected in ((LODGED, 65), (LINK_TESTED, 25)):

        def same(t: str = type_, n: int = expected) -> bool:
            at_children = {**totals(nb.db, t), **totals(tn.db, t)}  # each node's own summary
            return sum(c for c, _ in at_children.values()) == n and totals(dept.db, t) == at_children

        wait_for(same, 20, f"{type_}: the department's totals equal the sum of its sub-departments'")
    decl = totals(dept.db, LODGED)
    assert decl["01B1"] == (40, str(sum(1000 + i for i in range(40))))
    assert decl["01TE"][0] == 25


def test_link_cut_and_restored_converges_exactly_once(fed: dict[str, Node]) -> None:
    dept, nb, tn = fed["01"], fed["01AB"], fed["01TE"]
    before = federated(dept)
    assert dept.nats is not None
    dept.nats.stop()  # the hub is gone: both sub-departments keep working on their own
    ids = nb.record(60, unit="01B3", type=LODGED, payload=declaration)
    ids += tn.record(40, unit="01TE", type=MANIFEST_RECEIVED, payload=movement)
    unpublished = (
        select(func.count())
        .select_from(OutboxEvent)
        .where(OutboxEvent.published_at.is_(None), OutboxEvent.id.in_(ids))
    )
    wait_for(
        lambda: count(nb.db, unpublished) + count(tn.db, unpublished) == 0, 20, "local streams to hold all"
    )
    assert federated(dept) == before
    dept.nats.start()
    wait_for(lambda: federated(dept) >= before + len(ids), 60, "the department to converge")
    assert_exactly_once(dept, ids)
    assert federated(dept) == before + len(ids)
    assert totals(dept.db, LODGED)["01B3"][0] == 60
    assert totals(dept.db, MANIFEST_RECEIVED)["01TE"][0] == 40


def test_kill_9_while_relaying_loses_and_doubles_nothing(fed: dict[str, Node]) -> None:
    dept, nb = fed["01"], fed["01AB"]
    before = federated(dept)
    ids = nb.record(400, unit="01B1", type=LODGED, payload=declaration)
    assert nb.db is not None
    wait_for(
        lambda: (
            count(
                nb.db,
                select(func.count()).select_from(OutboxEvent).where(OutboxEvent.published_at.is_not(None)),
            )
            > 60
        ),
        20,
        "the relay to be under way",
        every=0.01,
    )
    nb.kill_app(signal.SIGKILL)
    ids += nb.record(50, unit="01B1", type=LODGED, payload=declaration)  # while the node is down
    nb.start_app()
    wait_for(lambda: federated(dept) >= before + len(ids), 60, "the department to receive everything")
    assert_exactly_once(dept, ids)
    assert federated(dept) == before + len(ids)
    stream = asyncio.run(_stream_count(nb, "EV_01AB"))
    local = count(nb.db, select(func.count()).select_from(OutboxEvent))
    assert stream == local - 1  # every event once in the sub-department's stream (the units load is local)


async def _stream_count(node: Node, stream: str) -> int:
    url = client_url("127.0.0.1", node.nats_port, node_user(node.unit), SECRET)
    nc = await nats.connect(url)
    try:
        info = await nc.jetstream().stream_info(stream)
        return int(info.state.messages)
    finally:
        await nc.close()


def test_a_node_cannot_publish_another_units_subject(fed: dict[str, Node]) -> None:
    errors = asyncio.run(_publish_as(fed["01AB"], "hq.ev.01.01TE.declaration.registered"))
    assert any("permissions violation" in e for e in errors), errors
    ok = asyncio.run(_publish_as(fed["01AB"], "hq.ev.01.01B1.declaration.registered"))
    assert ok == []


async def _publish_as(node: Node, subject: str) -> list[str]:
    errors: list[str] = []

    async def on_error(exc: Exception) -> None:
        errors.append(str(exc))

    url = client_url("127.0.0.1", node.nats_port, node_user(node.unit), SECRET)
    nc = await nats.connect(url, error_cb=on_error)
    try:
        await nc.publish(subject, b"{}")
        await nc.flush()
        await _until(lambda: bool(errors), 3)  # a refusal arrives asynchronously; none may come
    finally:
        await nc.close()
    return errors


async def _until(check: Any, seconds: float) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not check() and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)


def test_agency_receives_only_its_agreed_feed(fed: dict[str, Node]) -> None:
    dept, nb, tn = fed["01"], fed["01AB"], fed["01TE"]
    assert dept.db is not None
    with dept.db.unit_of_work() as uow:
        service.create_agreement(
            uow.session,
            agency="BDBP",
            title="Border guard: seizures at Noi Bai",
            types=["enforcement.*"],
            units=["01AB"],
            fields=[],
            actor="officer:admin",
        )
        uow.commit()
    # an agreement recorded by another process applies within a second (the node's agreement cache):
    # events still flowing from an earlier test, or from the nodes' start, keep that cache fresh, and
    # seizures arriving inside its second would be judged without the agreement
    time.sleep(service.AGREEMENTS.ttl + 0.2)
    seizure = lambda i: {"case": f"C{i}", "substance": "MDMA", "grams": 10 + i, "persons": [{"name": "X"}]}  # noqa: E731
    wanted = nb.record(5, unit="01B1", type="enforcement.seizure_recorded", payload=seizure)
    tn.record(5, unit="01TE", type="enforcement.seizure_recorded", payload=seizure)  # another area
    nb.record(5, unit="01B1", type=LODGED, payload=declaration)  # another type
    got = asyncio.run(_agency_feed(dept, len(wanted)))
    assert sorted(m["id"] for m in got) == sorted(wanted)
    assert all("persons" not in m["payload"] and m["payload"]["substance"] == "MDMA" for m in got)
    assert all(m["actor"] == "" for m in got)


async def _agency_feed(dept: Node, expected: int) -> list[dict[str, Any]]:
    errors: list[str] = []

    async def on_error(exc: Exception) -> None:
        errors.append(str(exc))

    url = client_url("127.0.0.1", dept.nats_port, agency_user("BDBP"), SECRET)
    nc = await nats.connect(url, error_cb=on_error)
    try:
        js = nc.jetstream()
        deadline = asyncio.get_running_loop().time() + 40
        while True:
            try:
                await js.stream_info("AG_BDBP")
                break
            except Exception:
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.3)
        sub = await js.pull_subscribe("", durable="bdbp", stream="AG_BDBP", config=ConsumerConfig())
        out: list[dict[str, Any]] = []
        while len(out) < expected and asyncio.get_running_loop().time() < deadline:
            try:
                for m in await sub.fetch(50, timeout=1):
                    out.append(json.loads(m.data))
                    await m.ack()
            except TimeoutError:  # nats.errors.TimeoutError, or (nats-py 2.16) asyncio's own
                continue
        try:  # nothing more than the agreed feed arrives
            extra = await sub.fetch(50, timeout=1.5)
            out += [json.loads(m.data) for m in extra]
        except TimeoutError:
            pass
        await nc.subscribe("hq.ev.>")  # anything else is refused
        await nc.flush()
        await _until(lambda: any("permissions violation" in e for e in errors), 5)
        assert any("permissions violation" in e for e in errors), errors
        return out
    finally:
        await nc.close()


def test_reference_data_flows_down_in_version_order(fed: dict[str, Node]) -> None:
    dept = fed["01"]

    async def publish() -> None:
        url = client_url("127.0.0.1", dept.nats_port, node_user("01"), SECRET)
        nc = await nats.connect(url)
        js = nc.jetstream()
        for v in (2, 1, 3):  # an older version after a newer one is ignored
            # a kind no domain applies (stored only): the kinds domains apply are tests/federation/
            # test_reference_down.py's
            body = {"kind": "notice", "version": v, "document": {"v": v}, "published_by": "officer:admin"}
            await js.publish("hq.ref.notice", json.dumps(body).encode(), headers={"Nats-Msg-Id": f"nt:{v}"})
        await nc.close()

    asyncio.run(publish())

    def version(node: Node) -> int | None:
        assert node.db is not None
        with node.db.engine.connect() as conn:
            return conn.execute(
                select(ReferenceVersion.version).where(ReferenceVersion.kind == "notice")
            ).scalar()

    for node in fed.values():
        wait_for(lambda n=node: version(n) == 3, 30, f"notice v3 at {node.unit}")  # type: ignore[misc]
