"""Reference data fan-out (issue 24, Speed): a full national tariff (11,000 lines, tests/federation/
reference_docs.py builds it from the HS 2022 subheadings the repository ships) and 5,000 risk profiles, published
at the General Department, reach and are applied at 50 nodes' worth of subjects, with real nats-servers.

Shape (decision 0037): the General Department's nats-server (its REF stream takes hq.ref.>) and a department's
server, a leaf node of it (its own JetStream domain) whose REF stream sources the top's, as in a federation;
on the department's server 50 node streams each source the department's REF stream, as the 50 sub-departments'
REF streams would (here on one server: 50 servers do not fit 2 cores). Every node stream has its own durable
consumer applying into its own SQLite file through the node's own code (sharing/downward.apply_reference: parts
staged, the version validated, the domain's tables replaced in bulk). The appliers run in as many processes as
the machine has cores, each taking its nodes in turn.

Figures, measured in the same run:
- reach: from the first publish to every message of both versions in all 50 node streams;
- applied at all 50: from the first publish to the 50th node's commit of both versions;
- the limit: applying the same messages once in this process (one node, no NATS), × 50 ÷ cores: what this
  machine needs at least to apply them 50 times; the ratio applied-at-50 ÷ limit is what the fan-out adds;
- per node (each node on its own machine): reach + one node's apply, against the 10 s budget.
Usage: PYTHONPATH=src:. python benchmarks/reference_fanout.py [--nodes 50] [--lines 11000] [--profiles 5000]"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nats
from nats.js.api import AckPolicy, ConsumerConfig, ExternalStream, StreamConfig, StreamSource
from tests.federation.harness import SECRET, Node
from tests.federation.reference_docs import national_tariff, risk_profiles

from haiquan.kit.db import Database
from haiquan.sharing import domain, downward, reference
from haiquan.sharing.natsconf import client_url, node_user

BUDGET_S = 10.0
KINDS = ("tariff", "risk_profiles")


def node_name(i: int) -> str:
    return f"REF_N{i:02d}"


async def make_streams(top: Node, dept: Node, n: int) -> None:
    nc = await nats.connect(client_url("127.0.0.1", top.nats_port, node_user("00"), SECRET))
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name=domain.ref_stream("00"), subjects=[f"{domain.REF_PREFIX}.>"]))
    await nc.close()
    nc = await nats.connect(client_url("127.0.0.1", dept.nats_port, node_user("01"), SECRET))
    js = nc.jetstream()
    ext = ExternalStream(api=f"$JS.{domain.domain_of('00')}.API")
    await js.add_stream(
        StreamConfig(
            name=domain.ref_stream("01"), sources=[StreamSource(name=domain.ref_stream("00"), external=ext)]
        )
    )
    for i in range(n):
        await js.add_stream(
            StreamConfig(name=node_name(i), sources=[StreamSource(name=domain.ref_stream("01"))])
        )
    await nc.close()


async def publish(top: Node, msgs: list[tuple[str, str, bytes]]) -> None:
    nc = await nats.connect(client_url("127.0.0.1", top.nats_port, node_user("00"), SECRET))
    js = nc.jetstream(timeout=20)
    for subject, msg_id, body in msgs:
        await js.publish(subject, body, headers={"Nats-Msg-Id": msg_id})
    await nc.close()


async def reach(dept: Node, n: int, total: int, t0: float) -> float:
    """Seconds from t0 until every node stream holds all `total` messages."""
    nc = await nats.connect(client_url("127.0.0.1", dept.nats_port, node_user("01"), SECRET))
    js = nc.jetstream()
    pending = set(range(n))
    while pending:
        for i in list(pending):
            if (await js.stream_info(node_name(i))).state.messages >= total:
                pending.discard(i)
        await asyncio.sleep(0.02)
    await nc.close()
    return time.perf_counter() - t0


def applier(url: str, dbs: list[tuple[int, str]], total: int, ready: mp.Queue, done: mp.Queue) -> None:  # type: ignore[type-arg]
    asyncio.run(_applier(url, dbs, total, ready, done))


async def _applier(url: str, dbs: list[tuple[int, str]], total: int, ready: mp.Queue, done: mp.Queue) -> None:  # type: ignore[type-arg]
    reference.kinds()
    nc = await nats.connect(url)
    js = nc.jetstream()
    cfg = ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, ack_wait=120)
    subs = [
        (i, Database(db), await js.pull_subscribe("", durable=f"a{i}", stream=node_name(i), config=cfg))
        for i, db in dbs
    ]
    ready.put(len(subs))
    for i, db, sub in subs:  # this process's nodes in turn, each to the end of both versions
        applied: list[int] = []
        seen = 0

        def note(a: list[int] = applied) -> None:
            a.append(1)

        while len(applied) < len(KINDS):
            try:
                msgs = await sub.fetch(50, timeout=5)
            except (nats.errors.TimeoutError, TimeoutError):
                continue
            for msg in msgs:
                downward.apply_reference(db, msg.data, note, node=f"N{i:02d}")
                await msg.ack()
                seen += 1
        done.put((i, time.time(), seen))
        db.dispose()
    await nc.close()


def local_apply(template: Path, msgs: list[tuple[str, str, bytes]], work: Path) -> tuple[float, float]:
    target = work / "local.db"
    shutil.copyfile(template, target)
    db = Database(f"sqlite:///{target}")
    reference.kinds()
    t, cpu = time.perf_counter(), time.process_time()
    for _, _, body in msgs:
        downward.apply_reference(db, body, lambda: None, node="N99")
    took, cpu = time.perf_counter() - t, time.process_time() - cpu
    db.dispose()
    return took, cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=50)
    ap.add_argument("--lines", type=int, default=11_000)
    ap.add_argument("--profiles", type=int, default=5_000)
    args = ap.parse_args()
    n, cores = args.nodes, os.cpu_count() or 1
    docs = {"tariff": national_tariff(args.lines), "risk_profiles": risk_profiles(args.profiles)}
    msgs = [
        (f"{domain.REF_PREFIX}.{kind}", mid, body)
        for kind in KINDS
        for mid, body in reference.messages(kind, 1, docs[kind], "bench:gdvc")
    ]
    size = sum(len(b) for _, _, b in msgs)
    work = Path(tempfile.mkdtemp(prefix="haiquan-refbench-"))
    top = Node("00", work / "n00", None, ["01"])
    dept = Node("01", work / "n01", "00", ["01TE"])
    procs: list[mp.Process] = []
    try:
        top.prepare(None)
        dept.prepare(top.leaf_port)
        assert top.nats is not None
        assert dept.nats is not None
        assert dept.db is not None
        template = Path(dept.db_url.removeprefix("sqlite:///"))  # migrated, with the units
        dept.db.dispose()
        top.nats.start()
        dept.nats.start()
        time.sleep(1.0)  # the leaf connection
        asyncio.run(make_streams(top, dept, n))
        limit_one, cpu_one = local_apply(template, msgs, work)
        dbs = []
        for i in range(n):
            shutil.copyfile(template, work / f"node{i:02d}.db")
            dbs.append((i, f"sqlite:///{work / f'node{i:02d}.db'}"))
        ready: mp.Queue = mp.Queue()  # type: ignore[type-arg]
        done: mp.Queue = mp.Queue()  # type: ignore[type-arg]
        url = client_url("127.0.0.1", dept.nats_port, node_user("01"), SECRET)
        for k in range(cores):
            mine = dbs[k::cores]
            if mine:
                procs.append(mp.Process(target=applier, args=(url, mine, len(msgs), ready, done)))
        for p in procs:
            p.start()
        for _ in procs:
            ready.get(timeout=120)
        t0_wall, t0 = time.time(), time.perf_counter()

        async def go() -> float:
            pub = asyncio.create_task(publish(top, msgs))
            took = await reach(dept, n, len(msgs), t0)
            await pub
            return took

        reach_s = asyncio.run(go())
        finished = [done.get(timeout=600) for _ in range(n)]
        all_s = max(t for _, t, _ in finished) - t0_wall
        assert all(seen == len(msgs) for _, _, seen in finished), finished
        for p in procs:
            p.join(timeout=60)
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
        dept.stop()
        top.stop()
        shutil.rmtree(work, ignore_errors=True)
    limit = limit_one * n / cores
    print(f"reference fan-out: {args.lines} tariff lines + {args.profiles} risk profiles = {len(msgs)} messages "
          f"({size / 1e6:.1f} MB), 50-node shape with {n} node streams, {cores} applier processes")  # fmt: skip
    print(f"  reach: all {n} node streams hold both versions after {reach_s:.2f} s")
    print(
        f"  one node applies both versions in {limit_one:.2f} s, {cpu_one:.2f} s of CPU (no NATS, this process)"
    )
    print(f"  applied at all {n} nodes: {all_s:.2f} s; limit on this machine (one apply x {n} / {cores} cores) "
          f"{limit:.2f} s; ratio {all_s / limit:.2f}")  # fmt: skip
    per_node = reach_s + limit_one
    print(f"  each node on its own machine: reach + apply = {per_node:.2f} s; vs the {BUDGET_S:.0f} s budget "
          f"{per_node / BUDGET_S:.2f}; all {n} on this machine vs the budget {all_s / BUDGET_S:.2f}")  # fmt: skip
    load = os.getloadavg()[0]
    print(
        f"  load average during the run: {load:.1f} on {cores} cores (other tenants slow every figure alike)"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
