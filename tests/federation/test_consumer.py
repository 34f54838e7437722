"""The parent's federation consumer against a real nats-server (one, no leaf nodes), on SQLite and
PostgreSQL: a batch that fails is applied later, not acknowledged away by the next one (AckAll); a batch
delivered again is applied once; the outbox copies keep the stream's order."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nats
import pytest
from nats.aio.msg import Msg
from nats.js.api import StreamConfig
from sqlalchemy import select

from haiquan.kit.db import Database, new_id
from haiquan.kit.outbox import Event, default_subject
from haiquan.kit.tables import OutboxEvent
from haiquan.organization import service as org
from haiquan.organization.domain import UnitTree
from haiquan.sharing import domain, service
from haiquan.sharing.domain import NodeLayout
from haiquan.sharing.federation import Federation, pending_after, stream_seq
from haiquan.sharing.wire import Publisher
from tests.federation.harness import NatsProc, free_port
from tests.services import nats_server
from tests.support import UNITS

pytestmark = [pytest.mark.nats, pytest.mark.timeout(120)]
LAYOUT = NodeLayout.build(UnitTree.build(UNITS), "01", parent=None, children=["01AB"])


@pytest.fixture
def nats_url(tmp_path: Path) -> Iterator[str]:
    nats_server()
    port = free_port()
    conf = tmp_path / "nats.conf"
    conf.write_text(f'port: {port}\nhost: "127.0.0.1"\njetstream {{ store_dir: "{tmp_path / "js"}" }}\n')
    proc = NatsProc(conf, port, tmp_path / "nats.log")
    proc.start()
    try:
        yield f"nats://127.0.0.1:{port}"
    finally:
        proc.stop()


def event(i: int) -> Event:
    t, unit = "declaration.registered", "01B1"
    payload = {"number": f"{i:012d}", "status": "registered", "total_duties": 100}
    occurred = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    return Event(new_id(), 0, t, 1, unit, default_subject(t, unit), occurred, "officer:x", payload)


async def publish(url: str, events: list[Event]) -> None:
    """As the hub's sourcing would store them: the child's stream named in Nats-Stream-Source."""
    nc = await nats.connect(url)
    js = nc.jetstream()
    for i, ev in enumerate(events):
        headers = {"Nats-Msg-Id": ev.id, "Nats-Stream-Source": f"EV_01AB:x {i + 1}"}
        await js.publish(ev.subject, domain.encode(ev), headers=headers)
    await nc.close()


def received_ids(db: Database) -> list[str]:
    with db.engine.connect() as conn:
        return list(conn.execute(select(OutboxEvent.id).where(OutboxEvent.origin.is_not(None))).scalars())


def copies_in_order(db: Database) -> list[str]:
    with db.engine.connect() as conn:
        q = select(OutboxEvent.id).where(OutboxEvent.origin == "01AB").order_by(OutboxEvent.seq)
        return list(conn.execute(q).scalars())


async def until(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await asyncio.to_thread(check):
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def running(fed: Federation, url: str, body: Callable[[], Awaitable[None]]) -> None:
    nc = await nats.connect(url)
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name="EV_01", subjects=["hq.ev.>"], duplicate_window=3600))
    task = asyncio.create_task(fed.run(nc, js))
    try:
        await body()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await nc.close()


@pytest.fixture
def parent_db(db: Database) -> Database:
    with db.unit_of_work() as uow:
        org.replace_units(uow.session, units=UNITS, actor="test")
        uow.commit()
    org.TREES.invalidate()
    return db


def test_a_failed_batch_is_applied_later_not_acknowledged_away(
    parent_db: Database, nats_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, later = [event(i) for i in range(20)], [event(i) for i in range(20, 50)]
    calls: list[int] = []
    real = service.ingest

    def flaky(session: Any, **kw: Any) -> tuple[int, list[service.Received]]:
        calls.append(len(kw["batch"]))
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return real(session, **kw)

    monkeypatch.setattr(service, "ingest", flaky)
    fed = Federation(parent_db, LAYOUT, fetch_wait=0.05)

    async def body() -> None:
        await publish(nats_url, first)
        await until(lambda: len(calls) >= 1, 10, "the first (failing) try")
        await publish(nats_url, later)  # fetched while the failed batch waits for its next try
        await until(lambda: len(received_ids(parent_db)) >= 50, 20, "every event")

    asyncio.run(running(fed, nats_url, body))
    assert sorted(received_ids(parent_db)) == sorted(e.id for e in first + later)
    assert copies_in_order(parent_db) == [e.id for e in first + later]  # stream order kept


def test_a_batch_delivered_again_is_applied_once(
    parent_db: Database, nats_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = [event(i) for i in range(30)]
    acks: list[str] = []
    real_ack = Msg.ack

    async def lost_ack(msg: Msg) -> None:  # a crash after the commit, before the acknowledgement
        acks.append(msg.reply or "")
        if len(acks) > 1:
            await real_ack(msg)

    monkeypatch.setattr(Msg, "ack", lost_ack)
    fed = Federation(parent_db, LAYOUT, fetch_wait=0.05, ack_wait=1.0)

    async def body() -> None:
        await publish(nats_url, events)
        await until(lambda: len(acks) >= 2, 20, "the batch delivered again and acknowledged")

    asyncio.run(running(fed, nats_url, body))
    assert sorted(received_ids(parent_db)) == sorted(e.id for e in events)
    assert copies_in_order(parent_db) == [e.id for e in events]  # one copy each, in order


def test_the_stream_sequence_is_read_from_both_forms_of_ack_subject() -> None:
    assert stream_seq("$JS.ACK.EV_01.fed_01.1.42.7.1795975414027789593.2") == 42
    assert stream_seq("$JS.ACK.u01.HASH.EV_01.fed_01.1.42.7.1795975414027789593.2.tok") == 42
    assert stream_seq("not an ack subject") == 0


def test_what_is_still_pending_is_read_from_both_forms_of_ack_subject() -> None:
    assert pending_after("$JS.ACK.EV_01.fed_01.1.42.7.1795975414027789593.2") == 2
    assert pending_after("$JS.ACK.u01.HASH.EV_01.fed_01.1.42.7.1795975414027789593.18000.tok") == 18000
    assert pending_after("$JS.ACK.u01.HASH.EV_01.fed_01.1.42.7.1795975414027789593.0") == 0
    assert pending_after("not an ack subject") == 0


def test_the_publisher_keeps_order_and_ids_when_some_messages_go_through_publish(nats_url: str) -> None:
    """Commands written at once (wire.hpub) and a message publish judges itself (a header value with a
    space) reach the stream in the items' order, each with its Nats-Msg-Id; a second publish of the same
    ids is acknowledged as duplicates and stores nothing."""

    async def go() -> tuple[list[tuple[bytes, str]], int]:
        nc = await nats.connect(nats_url)
        js = nc.jetstream()
        await js.add_stream(StreamConfig(name="W", subjects=["w.>"], duplicate_window=3600))
        items = [(f"w.{i}", f"body {i}".encode(), f"id-{i}" if i != 3 else "id 3") for i in range(6)]
        publisher = Publisher(nc)
        assert await publisher.publish(items) == 6
        assert await publisher.publish(items) == 6  # duplicates: acknowledged, not stored again
        got = []
        for seq in range(1, 7):
            msg = await js.get_msg("W", seq)
            got.append((msg.data or b"", (msg.headers or {}).get("Nats-Msg-Id", "")))
        stored = (await js.stream_info("W")).state.messages
        await publisher.close()
        await nc.close()
        return got, stored

    got, stored = asyncio.run(go())
    assert got == [(f"body {i}".encode(), f"id-{i}" if i != 3 else "id 3") for i in range(6)]
    assert stored == 6
