"""Federation speed: a sub-department node (01AB) and its department (01), each with its own nats-server
(leaf node and hub) and its own haiquan process on SQLite, as in tests/federation.

Measures, in one run:
1. raw JetStream publish rate on the sub-department's server (pipelined, acknowledged, nats-py's
   publish_async: the floor's reference); for information also the same publishes through the relay's own
   publisher (sharing/wire.Publisher), which costs half as much Python per message;
2. throughput from the sub-department's outbox to the department's read model (inbox, summary and agency
   feeds are written in one transaction; the figure counts inbox rows): a backlog of N events committed
   by the writer in one transaction. The rate is timed from that commit (the events are in the outbox from
   then on); the writer's own insert time is printed beside it, and the rate including it (the figure
   before 2026-11-29) too. Also when the department's in-process consumers (its reports, through the
   outbox copy) had applied the backlog;
3. lag p50/p99 (occurred at the sub-department -> applied at the department) at a steady 1,000 events/s;
4. catch-up time after a partition (the hub stopped while events keep coming at 1,000/s; scaled down
   from 10 minutes to PARTITION_S seconds, stated in the output).
Floors: throughput (from the commit) >= 50% of the raw publish rate (publish_async); lag p99 < 1 s.
Usage: PYTHONPATH=src:. python benchmarks/sharing.py [--events 20000] [--steady 20] [--partition 30]"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import nats
from nats.js.api import StreamConfig
from sqlalchemy import create_engine, func, insert, select, text
from tests.federation.harness import SECRET, Node, wait_for

from haiquan.kit import clock
from haiquan.kit.db import new_id
from haiquan.kit.outbox import default_subject
from haiquan.kit.tables import EventConsumption, OutboxEvent
from haiquan.sharing.natsconf import client_url, node_user
from haiquan.sharing.tables import FederatedEvent
from haiquan.sharing.wire import Publisher


def rows(n: int, unit: str = "01B1") -> list[dict[str, object]]:
    now = clock.now()
    t = "declaration.registered"
    return [
        {
            "id": new_id(),
            "type": t,
            "version": 1,
            "unit": unit,
            "subject": default_subject(t, unit),
            "occurred_at": now,
            "actor": "bench",
            "payload": {
                "number": f"{i:012d}",
                "status": "registered",
                "channel": "green",
                "total_duties": 1000,
            },
        }
        for i in range(n)
    ]


def write(node: Node, n: int) -> str:
    """Commit n events in one transaction; returns the last one's id."""
    assert node.db is not None
    batch = rows(n)
    with node.db.engine.begin() as conn:
        conn.execute(insert(OutboxEvent), batch)
    return str(batch[-1]["id"])


def has(node: Node, event_id: str, consumer: str | None = None) -> bool:
    """Whether the department holds an event (its inbox row, or a consumer's consumption row): one primary
    key look-up. Batches are applied in stream order, so once the last event written is there, so is every
    event before it; the caller then counts once to be sure. Polling by count(*) instead cost the database
    a scan of the whole table fifty times a second, during the very phase being measured."""
    assert node.db is not None
    if consumer is None:
        q = select(FederatedEvent.id).where(FederatedEvent.id == event_id)
    else:
        q = select(EventConsumption.event_id).where(
            EventConsumption.consumer == consumer, EventConsumption.event_id == event_id
        )
    with node.db.engine.connect() as conn:
        return conn.execute(q).first() is not None


def received(node: Node) -> int:
    assert node.db is not None
    with node.db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(FederatedEvent)).scalar() or 0)


def reported(node: Node) -> int:
    """Federated copies the department's reports consumer has applied (through its Dispatcher)."""
    assert node.db is not None
    q = (
        select(func.count())
        .select_from(EventConsumption)
        .where(EventConsumption.consumer == "reports.rollups")
    )
    with node.db.engine.connect() as conn:
        return int(conn.execute(q).scalar() or 0)


async def raw_publish_rate(node: Node, n: int) -> tuple[float, float]:
    """(publish_async, the relay's publisher): msg/s of pipelined, acknowledged publishes, 1,000 at a time."""
    nc = await nats.connect(client_url("127.0.0.1", node.nats_port, node_user(node.unit), SECRET))
    js = nc.jetstream()
    # a scratch stream on a subject the node may publish, removed afterwards
    await js.add_stream(StreamConfig(name="RAW", subjects=["hq.ev.01.01B3.bench.>"]))
    body = b"x" * 260  # about the size of an encoded declaration event
    subject = "hq.ev.01.01B3.bench.raw"
    start = time.perf_counter()
    for lo in range(0, n, 1000):
        futs = [
            await js.publish_async(subject, body, headers={"Nats-Msg-Id": new_id()})
            for _ in range(min(1000, n - lo))
        ]
        await asyncio.gather(*futs)
    rate = n / (time.perf_counter() - start)
    publisher = Publisher(nc)
    start = time.perf_counter()
    for lo in range(0, n, 1000):
        items = [(subject, body, new_id()) for _ in range(min(1000, n - lo))]
        assert await publisher.publish(items) == len(items)
    lean = n / (time.perf_counter() - start)
    await publisher.close()
    await js.delete_stream("RAW")
    await nc.close()
    return rate, lean


def steady(node: Node, seconds: float, rate: int = 1000) -> tuple[int, str]:
    """Commit `rate` events a second, 20 at a time (a fiftieth of a second's worth); returns how many, and
    the last one's id."""
    per_tick, sent, last = max(1, rate // 50), 0, ""
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        last = write(node, per_tick)
        sent += per_tick
        time.sleep(max(0.0, start + (sent / rate) - time.perf_counter()))
    return sent, last


def lags(node: Node, since: int) -> list[float]:
    assert node.db is not None
    with node.db.engine.connect() as conn:
        got = conn.execute(
            select(FederatedEvent.received_at, FederatedEvent.occurred_at)
            .order_by(FederatedEvent.stream_seq)
            .offset(since)
        ).all()
    return [(r - o).total_seconds() for r, o in got]


def backlog(dept: Node, sub: Node, n: int, raw: float, lean: float) -> tuple[float, Callable[[], None]]:
    """Events per second from the writer's commit to the department's read model, and how to print, later,
    when the department's reports had the backlog (the next phases do not wait for them)."""
    write(sub, 10)
    wait_for(lambda: received(dept) >= 10 and reported(dept) >= 10, 60, "the link to be up", every=0.05)
    start = time.perf_counter()
    last = write(sub, n)  # committed at once: the running node relays the backlog
    committed = time.perf_counter()
    # in the background (the next phases go on)
    reports = Watch(lambda: has(dept, last, "reports.rollups") and reported(dept) >= n + 10)
    wait_for(lambda: has(dept, last), 600, "backlog at the department", every=0.02)
    done = time.perf_counter()
    assert received(dept) == n + 10, "the last event arrived before others"
    thr = n / (done - committed)
    print(
        f"outbox -> parent read model: {n} events in {done - committed:.2f}s from the commit = "
        f"{thr:,.0f} ev/s ({thr / raw:.0%} of raw publish; {thr / lean:.0%} of the relay's publisher)"
    )
    with_write = n / (done - start)
    print(f"  the writer's insert took {committed - start:.2f}s more: {with_write:,.0f} ev/s with it", end="")
    print(f" ({with_write / raw:.0%} of raw publish)")

    def tell() -> None:
        at = reports.wait() - committed
        print(
            f"the department's reports (Dispatcher, outbox copies) had the backlog {at:.2f}s after the commit"
        )

    return thr, tell


class Watch(threading.Thread):
    """When a condition first held (polled every 0.2 s in a thread of its own: the figure is informative,
    and the poll must cost the measured nodes little)."""

    def __init__(self, check: Callable[[], bool]) -> None:
        super().__init__(daemon=True)
        self.check, self.at = check, 0.0
        self.start()

    def run(self) -> None:
        while not self.check():
            time.sleep(0.2)
        self.at = time.perf_counter()

    def wait(self) -> float:
        self.join(600)
        return self.at


def steady_lag(dept: Node, sub: Node, seconds: float) -> float:
    """Lag p99 at a steady 1,000 events/s (p50 and p99 printed)."""
    before = received(dept)
    t0 = time.perf_counter()
    sent, last = steady(sub, seconds)
    print(f"steady writer achieved {sent / (time.perf_counter() - t0):,.0f} ev/s")
    wait_for(lambda: has(dept, last), 120, "steady events", every=0.05)
    assert received(dept) == before + sent, "the last event arrived before others"
    lag = lags(dept, before)
    p50, p99 = statistics.median(lag), pct(lag, 0.99)
    print(f"steady 1,000 ev/s for {seconds:.0f}s ({sent} events): lag p50 {p50 * 1000:.0f} ms, ", end="")
    print(f"p99 {p99 * 1000:.0f} ms")
    return p99


def partition(dept: Node, sub: Node, seconds: float) -> None:
    before = received(dept)
    assert dept.nats is not None
    dept.nats.stop()
    sent, last = steady(sub, seconds)
    dept.nats.start()
    restored = time.perf_counter()
    wait_for(lambda: has(dept, last), 900, "catch-up", every=0.05)
    catch = time.perf_counter() - restored
    assert received(dept) == before + sent, "the last event arrived before others"
    print(
        f"partition of {seconds:.0f}s at 1,000 ev/s ({sent} events; scaled down from 10 min): "
        f"caught up {catch:.1f}s after the link returned"
    )


def make_databases(admin_url: str, names: list[str]) -> list[str]:
    eng = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    eng.dispose()
    return [admin_url.rsplit("/", 1)[0] + "/" + n for n in names]


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(len(s) * p))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=20000)
    ap.add_argument("--steady", type=float, default=20.0)
    ap.add_argument("--partition", type=float, default=30.0)
    ap.add_argument(
        "--pg",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
        help="PostgreSQL server for the nodes' databases ('' for SQLite files)",
    )
    a = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="hq-bench-sharing-"))
    urls = make_databases(a.pg, ["hq_bench_n01", "hq_bench_n01ab"]) if a.pg else ["", ""]
    dept = Node("01", base / "n01", None, ["01AB"], database_url=urls[0])
    sub = Node("01AB", base / "n01AB", "01", [], database_url=urls[1])
    kind = "PostgreSQL" if a.pg else "SQLite"
    print(f"databases: {kind}; nodes, nats-servers and this writer share the machine")
    try:
        dept.prepare(None)
        sub.prepare(dept.leaf_port)
        for n in (dept, sub):
            assert n.nats is not None
            n.nats.start()
        dept.start_app()
        raw, lean = asyncio.run(raw_publish_rate(sub, a.events))
        print(f"raw JetStream publish (pipelined, acked, publish_async): {raw:,.0f} msg/s")
        print(f"  the same through the relay's publisher (for information): {lean:,.0f} msg/s")
        sub.start_app()
        thr, tell_reports = backlog(dept, sub, a.events, raw, lean)
        p99 = steady_lag(dept, sub, a.steady)
        tell_reports()
        partition(dept, sub, a.partition)
        ok = thr >= 0.5 * raw and p99 < 1.0
        print(
            "floors:", "met" if ok else "NOT met", f"(throughput {thr / raw:.0%} >= 50%, p99 {p99:.3f}s < 1s)"
        )
        return 0 if ok else 1
    finally:
        sub.stop()
        dept.stop()


if __name__ == "__main__":
    sys.exit(main())
