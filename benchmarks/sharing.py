"""Federation speed: a sub-department node (01AB) and its department (01), each with its own nats-server
(leaf node and hub) and its own haiquan process on PostgreSQL (--pg '' for SQLite), as in tests/federation.

Measures, in one run, --rounds times (3), each round the pair:
1. raw JetStream publish rate on the sub-department's server (pipelined, acknowledged, nats-py's
   publish_async: the floor's reference; both nodes running and idle); for information also the same
   publishes through the relay's own publisher (sharing/wire.Publisher), which costs less Python per
   message;
2. then throughput from the sub-department's outbox to the department's read model (outbox copy, summary
   and agency feeds are written in one transaction; the figure counts the copies): a backlog of N events
   committed by the writer in one transaction, relayed by the running node, timed from that commit (the
   events are in the outbox from then on; the writer's own insert time is printed beside it), the round
   ending once both nodes' reports have applied it;
the figure is the median over the rounds of each round's throughput / raw rate: the two halves of a pair
run within seconds of each other, under the same load from this shared machine's other tenants (the raw
rate alone swung 8,800-27,000 msg/s between runs on different days and machines).
3. lag p50/p99 (occurred at the sub-department -> applied at the department) at a steady 1,000 events/s;
4. catch-up time after a partition (the hub stopped while events keep coming at 1,000/s; scaled down
   from 10 minutes to PARTITION_S seconds, stated in the output).
Floors: throughput / raw publish (median of the rounds) >= 50%; lag p99 < 1 s.
Usage: PYTHONPATH=src:. python benchmarks/sharing.py [--events 20000] [--rounds 3] [--steady 20]
[--partition 30]"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import nats
from benchmarks import _cpu as cpu
from nats.js.api import StreamConfig
from sqlalchemy import Connection, create_engine, exists, func, insert, or_, select, text
from tests.federation.harness import SECRET, Node, wait_for

from haiquan.kit import clock
from haiquan.kit.db import new_id
from haiquan.kit.outbox import default_subject
from haiquan.kit.tables import ConsumerCursor, EventConsumption, OutboxEvent
from haiquan.sharing.natsconf import client_url, node_user
from haiquan.sharing.wire import Publisher


def rows(n: int, unit: str = "01B1") -> list[dict[str, object]]:
    now = clock.now()
    t = "declaration.lodged"  # a registration's payments consumer would want a whole declaration's payload
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


def published_at(node: Node, event_id: str) -> datetime:
    """When the node's relay marked an event acknowledged by its JetStream server."""
    assert node.db is not None
    with node.db.engine.connect() as conn:
        at = conn.execute(select(OutboxEvent.published_at).where(OutboxEvent.id == event_id)).scalar_one()
    assert at is not None
    return at


_HELD: dict[int, Connection] = {}
RAW_SUBJECT = "hq.agency.BENCH.raw"


def has(node: Node, event_id: str, consumer: str | None = None) -> bool:
    """Whether the department holds an event (its outbox copy), or whether a consumer of a node has applied
    it (the event at or below the consumer's mark, or its consumption row: kit/applying): primary key
    look-ups on a connection kept open (checking one out of the pool for each look-up cost twice the
    CPU). Batches are applied in stream order, so once the last event written is there, so is every
    event before it; the caller then counts once to be sure. Polling by count(*) instead cost the database
    a scan of the whole table fifty times a second, during the very phase being measured."""
    assert node.db is not None
    conn = _HELD.get(id(node))
    if conn is None:
        conn = _HELD[id(node)] = node.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    if consumer is None:
        q = select(OutboxEvent.id).where(OutboxEvent.id == event_id, OutboxEvent.origin.is_not(None))
        return conn.execute(q).first() is not None
    seq = select(OutboxEvent.seq).where(OutboxEvent.id == event_id).scalar_subquery()
    mark = select(ConsumerCursor.low_seq).where(ConsumerCursor.consumer == consumer).scalar_subquery()
    row = exists().where(EventConsumption.consumer == consumer, EventConsumption.event_id == event_id)
    return bool(conn.execute(select(or_(seq <= mark, row))).scalar())


def received(node: Node) -> int:
    assert node.db is not None
    with node.db.engine.connect() as conn:
        q = select(func.count()).select_from(OutboxEvent).where(OutboxEvent.origin.is_not(None))
        return int(conn.execute(q).scalar() or 0)


async def raw_publish_rate(node: Node, n: int) -> tuple[float, float]:
    """(publish_async, the relay's publisher): msg/s of pipelined, acknowledged publishes, 1,000 at a time."""
    nc = await nats.connect(client_url("127.0.0.1", node.nats_port, node_user(node.unit), SECRET))
    js = nc.jetstream()
    # a scratch stream on a subject the node may publish (an agency feed's, BENCH: see main) and its own
    # event stream does not take, removed afterwards
    await js.add_stream(StreamConfig(name="RAW", subjects=[RAW_SUBJECT]))
    body = b"x" * 260  # about the size of an encoded declaration event
    subject = RAW_SUBJECT
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
            select(OutboxEvent.published_at, OutboxEvent.occurred_at)  # published_at: when it arrived
            .where(OutboxEvent.origin.is_not(None))
            .order_by(OutboxEvent.seq)
            .offset(since)
        ).all()
    return [(r - o).total_seconds() for r, o in got if r is not None]


def backlog(dept: Node, sub: Node, n: int) -> float:
    """One round: a backlog of n events committed at once at the sub-department; events per second from
    that commit to the department's read model. The round ends once both nodes are idle again (both
    nodes' reports have applied it: the next round, and the phases after, start from a quiet machine)."""
    before = received(dept)
    start = time.perf_counter()
    last = write(sub, n)  # committed at once: the running node relays the backlog
    committed, committed_at = time.perf_counter(), clock.now()
    label = labeller(dept, sub)
    apps = frozenset({"department app", "sub-department app"})
    cpu_before = cpu.snapshot(label, apps)
    wait_for(lambda: has(dept, last), 600, "backlog at the department", every=0.02)
    done = time.perf_counter()
    used = cpu.spent(cpu_before, cpu.snapshot(label, apps))
    assert received(dept) == before + n, "the last event arrived before others"
    thr = n / (done - committed)
    relayed = (published_at(sub, last) - committed_at).total_seconds()
    print(f"  {n} events in {done - committed:.2f}s from the commit = {thr:,.0f} ev/s", end="")
    print(
        f" (the writer's insert took {committed - start:.2f}s more; all relayed after {relayed:.2f}s)", end=""
    )
    wait_for(lambda: has(dept, last, "reports.rollups"), 600, "the department's reports", every=0.1)
    print(
        f"; the department's reports had it {time.perf_counter() - committed:.2f}s after the commit", end=""
    )
    wait_for(lambda: has(sub, last, "reports.rollups"), 600, "the sub-department's reports", every=0.1)
    print(f", the sub-department's {time.perf_counter() - committed:.2f}s")
    shown = ", ".join(
        f"{name} {secs:.2f}" for name, secs in sorted(used.items(), key=lambda kv: -kv[1]) if secs >= 0.01
    )
    print(f"    CPU seconds until the department had it ({done - committed:.2f}s x 2 cores): {shown}")
    return thr


def labeller(dept: Node, sub: Node) -> cpu.Labeller:
    """Names the benchmark's processes for the CPU accounting of a round."""
    assert dept.app is not None
    assert sub.app is not None
    assert dept.nats
    assert sub.nats
    assert dept.nats.proc is not None
    assert sub.nats.proc is not None
    known = {
        dept.app.pid: "department app",
        sub.app.pid: "sub-department app",
        dept.nats.proc.pid: "hub nats-server",
        sub.nats.proc.pid: "leaf nats-server",
        os.getpid(): "this writer",
    }
    databases = {"hq_bench_n01": "PostgreSQL (department)", "hq_bench_n01ab": "PostgreSQL (sub-department)"}

    def label(pid: int, cmdline: str) -> str | None:
        if pid in known:
            return known[pid]
        if cmdline.startswith("postgres"):
            return databases.get(cpu.postgres_database(cmdline) or "", "PostgreSQL (other)")
        return None

    return label


def paired_rounds(dept: Node, sub: Node, events: int, rounds: int) -> float:
    """`rounds` times: the raw publish rate, then a backlog (seconds apart, under the same load); returns
    the median of the rounds' ratios, throughput / raw."""
    print(f"{rounds} rounds, each: raw JetStream publish of {events} messages (pipelined, acked,")
    print(f"publish_async), then a backlog of {events} events from the outbox to the parent's read model")
    raws: list[float] = []
    leans: list[float] = []
    thrs: list[float] = []
    for i in range(rounds):
        raw, lean = asyncio.run(raw_publish_rate(sub, events))
        print(f"round {i + 1}: raw {raw:,.0f} msg/s (the relay's publisher: {lean:,.0f})")
        thr = backlog(dept, sub, events)
        print(f"  = {thr / raw:.0%} of raw publish")
        raws.append(raw)
        leans.append(lean)
        thrs.append(thr)
    ratios = [t / r for t, r in zip(thrs, raws, strict=True)]
    ratio = statistics.median(ratios)
    print(
        f"medians: raw {statistics.median(raws):,.0f} msg/s, the relay's publisher "
        f"{statistics.median(leans):,.0f} msg/s, outbox -> parent read model {statistics.median(thrs):,.0f} "
        f"ev/s; throughput / raw, round by round: {', '.join(f'{r:.0%}' for r in ratios)}; median {ratio:.0%}"
    )
    return ratio


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
        f"partition of {seconds:.0f}s at 1,000 ev/s ({sent} events"
        f"{'; scaled down from 10 min' if seconds < 600 else ''}): "
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
    ap.add_argument("--rounds", type=int, default=3, help="raw publish and backlog measured this many times")
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
        # the sub-department's node user may publish an agency feed's subjects, BENCH's (no agreement
        # names it: the node never uses them): the raw reference publishes there while the node runs
        assert sub.config is not None
        assert sub.nats is not None
        sub.config = replace(sub.config, agencies=[*sub.config.agencies, "BENCH"])
        sub.nats.conf.write_text(sub.config.render())
        for n in (dept, sub):
            assert n.nats is not None
            n.nats.start()
        dept.start_app()
        sub.start_app()
        first = write(sub, 10)
        wait_for(lambda: has(dept, first, "reports.rollups"), 60, "the link to be up", every=0.05)
        ratio = paired_rounds(dept, sub, a.events, a.rounds)
        p99 = steady_lag(dept, sub, a.steady)
        partition(dept, sub, a.partition)
        ok = ratio >= 0.5 and p99 < 1.0
        print("floors:", "met" if ok else "NOT met", f"(throughput {ratio:.0%} >= 50%, p99 {p99:.3f}s < 1s)")
        return 0 if ok else 1
    finally:
        for conn in _HELD.values():
            conn.close()
        sub.stop()
        dept.stop()


if __name__ == "__main__":
    sys.exit(main())
