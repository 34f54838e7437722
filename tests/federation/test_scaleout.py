"""A federated node served by several workers on one database (issue 24, item 5): one of them holds the
link (sharing/holding), the others stand by and one takes over within seconds when the holder is killed
(kill -9, under load); nothing is lost and nothing arrives twice.

The sub-department (01AB) runs as two `haiquan serve` processes on their own ports (the shape of two hosts
on one PostgreSQL database); the department (01) as one `haiquan serve --workers 2` (uvicorn's workers,
restarted by uvicorn when one dies). Each node's database on PostgreSQL, then on SQLite (two processes on
one file: the file lock instead of the advisory lock)."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from haiquan.kit import clock
from haiquan.kit.db import new_id
from haiquan.kit.outbox import default_subject
from haiquan.kit.tables import OutboxEvent
from haiquan.sharing.holding import DUTY
from haiquan.sharing.tables import FederatedNode, LinkHolder
from tests.federation.harness import ROOT, SECRET, SRC, Node, free_port, port_open, wait_for
from tests.federation.test_federation import (
    LODGED,
    _stream_count,
    assert_exactly_once,
    count,
    declaration,
    drop_databases,
    federated,
    node_databases,
)
from tests.services import nats_server

log = logging.getLogger(__name__)
pytestmark = [pytest.mark.nats, pytest.mark.timeout(300)]
TAKEOVER_S = 10.0  # the floor: another worker holds the link within this after the holder is killed


class Workers:
    """The `haiquan serve` processes of one node, each started and stopped by its own handle."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.procs: dict[int, subprocess.Popen[bytes]] = {}  # by port

    def serve(self, workers: int = 1) -> int:
        node, port = self.node, free_port()
        assert node.config is not None
        env = {
            **os.environ,
            "PYTHONPATH": SRC + os.pathsep + ROOT,
            "HAIQUAN_DATABASE_URL": node.db_url,
            "HAIQUAN_DATA_DIR": str(node.dir),
            "HAIQUAN_SECRET_KEY": SECRET,
            "HAIQUAN_DISPATCHER_INTERVAL_SECONDS": "0.2",
            "PYTHONUNBUFFERED": "1",  # the log as it happens, also of a worker killed
        }
        args = [sys.executable, "-m", "haiquan.cli", "serve", "--port", str(port), "--workers", str(workers)]
        args += ["--unit", node.unit, "--nats", node.config.app_url()]
        args += ["--children", ",".join(node.children), "--parent", node.parent or ""]
        log = (node.dir / f"app-{port}.log").open("ab")
        proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.procs[port] = proc
        wait_for(lambda: port_open(port) or proc.poll() is not None, 90, f"{node.unit} on {port}")
        assert proc.poll() is None, self.log(port)[-3000:]
        return port

    def log(self, port: int) -> str:
        return (self.node.dir / f"app-{port}.log").read_text(errors="replace")

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs.clear()


def holder(node: Node) -> tuple[int, datetime] | None:
    """The process holding a node's link, as it wrote itself: (pid, taken_at)."""
    assert node.db is not None
    with node.db.engine.connect() as conn:
        row = conn.execute(select(LinkHolder.pid, LinkHolder.taken_at).where(LinkHolder.duty == DUTY)).first()
    return (int(row[0]), row[1]) if row else None


def cli_status(node: Node) -> dict[str, Any]:
    assert node.config is not None
    env = {
        **os.environ,
        "PYTHONPATH": SRC + os.pathsep + ROOT,
        "HAIQUAN_DATABASE_URL": node.db_url,
        "HAIQUAN_DATA_DIR": str(node.dir),
        "HAIQUAN_SECRET_KEY": SECRET,
        "HAIQUAN_UNIT": node.unit,
        "HAIQUAN_PARENT_NODE": node.parent or "",
        "HAIQUAN_NATS_URL": node.config.app_url(),
    }
    args = [sys.executable, "-m", "haiquan.cli", "sharing", "status", "--json"]
    out = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120, check=True).stdout
    return dict(json.loads(out[out.index("{") :]))


def children(pid: int) -> list[int]:
    """The worker processes of a `haiquan serve --workers N` (uvicorn's supervisor)."""
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout
    return sorted(int(p) for p in out.split())


def received_from(dept: Node, child: str) -> int:
    q = select(FederatedNode.received).where(FederatedNode.node == child)
    return count(dept.db, q)


def backlog(node: Node, n: int) -> list[str]:
    """n events committed in one transaction (a backlog for the parent to apply in several batches)."""
    assert node.db is not None
    now, rows = clock.now(), []
    for i in range(n):
        rows.append({
            "id": new_id(), "type": LODGED, "version": 1, "unit": "01B1", "subject": default_subject(LODGED, "01B1"),
            "occurred_at": now, "actor": "officer:test", "payload": declaration(100_000 + i),
        })  # fmt: skip
    with node.db.engine.begin() as conn:
        conn.execute(insert(OutboxEvent), rows)
    return [str(r["id"]) for r in rows]


def _nth(first: int, k: int) -> dict[str, Any]:
    return declaration(first + k)


class Writer:
    """Records events at a node steadily (a transaction of five every 20 ms), as requests committed by
    processes that do not hold the link: the holder's relay finds them by its 50 ms look at the database."""

    def __init__(self, node: Node) -> None:
        self.node, self.ids = node, list[str]()
        self._stop = threading.Event()
        self.failed: Exception | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        n = 0
        try:
            while not self._stop.is_set():
                self.ids += self.node.record(5, unit="01B3", type=LODGED, payload=functools.partial(_nth, n))
                n += 5
                self._stop.wait(0.02)
        except Exception as exc:  # said by stop()
            self.failed = exc

    def stop(self) -> list[str]:
        self._stop.set()
        self._thread.join(timeout=30)
        assert self.failed is None, repr(self.failed)
        return self.ids


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def scaled(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Node, Workers, Node, Workers]]:
    nats_server()
    base = tmp_path_factory.mktemp("scaleout")
    urls = (
        node_databases(request.getfixturevalue("pg_url"), ("01", "01ab")) if request.param != "sqlite" else {}
    )
    dept = Node("01", base / "n01", None, ["01AB"], database_url=urls.get("01", ""))
    sub = Node("01AB", base / "n01AB", "01", [], database_url=urls.get("01ab", ""))
    at_dept, at_sub = Workers(dept), Workers(sub)
    try:
        dept.prepare(None)
        sub.prepare(dept.leaf_port)
        for n in (dept, sub):
            assert n.nats is not None
            n.nats.start()
        at_dept.serve(workers=2)  # uvicorn's workers
        at_sub.serve()  # two processes on their own ports: two hosts' shape
        at_sub.serve()
        yield dept, at_dept, sub, at_sub
    finally:
        at_sub.stop()
        at_dept.stop()
        sub.stop()
        dept.stop()
        if urls:
            drop_databases(urls)


def test_the_sub_departments_link_holder_killed_under_load(
    scaled: tuple[Node, Workers, Node, Workers],
) -> None:
    dept, _, sub, at_sub = scaled
    pids = {p.pid for p in at_sub.procs.values()}
    first = wait_for(lambda: (h := holder(sub)) and h[0] in pids and h, 30, "one worker to hold the link")
    before, before_received = federated(dept), received_from(dept, "01AB")
    # an event committed outside the holder is relayed at once (its relay looks every 50 ms)
    (one,) = sub.record(1, unit="01AB", type=LODGED, payload=declaration)
    sent = select(func.count()).where(OutboxEvent.id == one, OutboxEvent.published_at.is_not(None))
    wait_for(lambda: count(sub.db, sent), 1.0, "the relay", every=0.02)
    writer = Writer(sub)
    try:
        published = select(func.count()).select_from(OutboxEvent).where(OutboxEvent.published_at.is_not(None))
        now = count(sub.db, published)
        wait_for(lambda: count(sub.db, published) > now + 100, 30, "the relay to be under way", every=0.05)
        os.kill(first[0], signal.SIGKILL)
        killed_at = time.monotonic()
        taken = wait_for(
            lambda: (h := holder(sub)) and h[0] != first[0] and h, 30, "another worker to take it"
        )
        took = time.monotonic() - killed_at
        assert taken[0] in pids
        time.sleep(2)  # still writing, the new holder relaying
    finally:
        ids = [one, *writer.stop()]
    log.warning(f"[{sub.db_url.split(':')[0]}] link taken over {took:.2f}s after kill -9; {len(ids)} events")
    assert took < TAKEOVER_S
    wait_for(lambda: federated(dept) >= before + len(ids), 90, "the department to receive every event")
    assert_exactly_once(dept, ids)
    time.sleep(1)  # nothing more arrives
    assert federated(dept) == before + len(ids)
    assert received_from(dept, "01AB") - before_received == len(ids)
    shown = cli_status(sub)["link_holder"]  # `haiquan sharing status` names the worker that took over
    assert shown["pid"] == taken[0]
    local = count(sub.db, select(func.count()).select_from(OutboxEvent))
    assert asyncio.run(_stream_count(sub, "EV_01AB")) == local - 1  # each once (the units load is local)


def test_the_departments_consumer_holder_killed_while_applying(
    scaled: tuple[Node, Workers, Node, Workers],
) -> None:
    dept, at_dept, sub, _ = scaled
    (server,) = at_dept.procs.values()
    first = wait_for(lambda: (h := holder(dept)) and h[0] != server.pid and h, 60, "a worker to hold it")
    before, before_received = federated(dept), received_from(dept, "01AB")
    writer = Writer(sub)
    try:
        ids = backlog(sub, 6000)
        wait_for(lambda: federated(dept) > before + 300, 60, "the department to be applying", every=0.02)
        workers = children(server.pid)
        os.kill(first[0], signal.SIGKILL)  # uvicorn starts another worker in its place
        killed_at = time.monotonic()
        try:
            taken = wait_for(lambda: (h := holder(dept)) and h[0] != first[0] and h, 30, "another to take it")
        finally:
            log.warning(f"workers {workers} before the kill of {first[0]}, {children(server.pid)} after")
        took = time.monotonic() - killed_at
        assert taken[0] in workers  # the other worker, not the one uvicorn started in the killed one's place
        time.sleep(1)
    finally:
        ids += writer.stop()
    log.warning(
        f"[{dept.db_url.split(':')[0]}] consumer taken over {took:.2f}s after kill -9; {len(ids)} events"
    )
    assert took < TAKEOVER_S
    wait_for(lambda: federated(dept) >= before + len(ids), 120, "the department to receive every event")
    assert_exactly_once(dept, ids)
    time.sleep(1)
    assert federated(dept) == before + len(ids)
    assert received_from(dept, "01AB") - before_received == len(ids)
    assert server.poll() is None  # uvicorn's supervisor is still serving
