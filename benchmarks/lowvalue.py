"""Low-value goods at burst scale, against PostgreSQL, on the same cores as everything else.

(a) Bulk intake: express manifests of 5,000 parcels each sent one after another to ONE worker; parcels
    lodged per second end to end (validation, lanes, numbers, rows, events, answer per item), beside raw
    psycopg inserts of the same rows (executemany, one commit per 5,000), and the ratio.
(b) Isolation: commercial lodge + register in open loop at 150 declarations/s (2 requests each) on the
    commercial workers (HAIQUAN_LOWVALUE_SERVE=false), its request p99 without and with low-value load sent
    to a low-value worker of its own (HAIQUAN_LOWVALUE_NICE=10) on the same machine and database: 100
    parcels/s sustained (a bulk of 100 a second) with a burst of 500/s for 3 s in every 10 s. Without/with
    are run alternately (--rounds), the p99 ratio given per round and over all rounds.
    --shared: also the same load sent to the commercial workers themselves (no isolation), for comparison.
Targets (issue #22): (a) >= 2,000 parcels/s per worker; (b) p99 with / p99 without <= 1.10.
Usage: python benchmarks/lowvalue.py [--seconds 20] [--rounds 2] [--bulks 8] [--shared] [--rate 150]"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._http import Connection
from benchmarks._support import pct, scratch_database, server
from benchmarks.declarations import paced, seed

from haiquan.demo import lowvalue as demo
from haiquan.kit.db import Database

INTAKE_FLOOR = 2_000  # parcels/s per worker
P99_RATIO = 1.10
RATE = [150.0]  # commercial declarations/s (--rate)


def load_average() -> str:
    """The machine's 1-minute load: the cores are shared with whatever else runs here."""
    return f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


CARRIERS = (demo.EXPRESS, demo.POST)


def add_carriers(url: str) -> list[str]:
    from haiquan.organization import service as org

    db = Database(url)
    with db.unit_of_work() as uow:
        keys = [
            org.add_enterprise(uow.session, tax_code=t, name=n, roles=["carrier"], actor="bench")[1]
            for t, n in CARRIERS
        ]
        uow.commit()
    db.dispose()
    return keys


class Bulks:
    """Express manifests with house AWBs never sent before, as JSON bytes made ahead of time."""

    def __init__(self, seed_value: int) -> None:
        # house AWBs of each maker in a range of their own (another's would be "already lodged")
        self.rng, self.next = random.Random(seed_value), seed_value * 100_000_000
        self.pool = [demo.parcel(self.rng, n) for n in range(2_000)]

    def make(self, size: int) -> bytes:
        items = [
            self.pool[(self.next + i) % len(self.pool)] | {"house_awb": f"B{self.next + i:010d}"}
            for i in range(size)
        ]
        master = f"738{(self.next // 10_000_000) % 10:01d}{self.next % 10_000_000:07d}"
        body = demo.express_manifest(self.rng, 0, master=master) | {"items": items}
        self.next += size
        return json.dumps(body).encode()


async def post_bulk(conn: Connection, body: bytes) -> tuple[int, int]:
    """(parcels lodged, items rejected); (0, -1) for a bulk refused as a whole (503 busy)."""
    r = await conn.request("POST", "/api/v1/lowvalue/express-manifests", body)
    if r.status != 200:
        return 0, -1
    out = r.json()
    return int(out["new"]), int(out["rejected"])


async def intake(base: str, key: str, bodies: list[bytes]) -> tuple[float, int]:
    host, port = base.removeprefix("http://").split(":")
    conn = Connection(host, int(port), {"Authorization": f"Bearer {key}"})
    await post_bulk(conn, bodies[0])  # warm up: the first bulk loads the risk reference and the rates
    done, bad = 0, 0
    t0 = time.perf_counter()
    for body in bodies[1:]:
        new, rejected = await post_bulk(conn, body)
        done, bad = done + new, bad + rejected
    rate = done / (time.perf_counter() - t0)
    await conn.close()
    return rate, bad


def raw_inserts(url: str, n: int) -> float:
    """psycopg executemany of copies of lodged parcel rows, a commit per 5,000: the database's own floor."""
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        cols = [r[0] for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'lowvalue_parcels' ORDER BY ordinal_position"
        )]  # fmt: skip
        tmpl = [list(r) for r in conn.execute(f"SELECT {', '.join(cols)} FROM lowvalue_parcels LIMIT 1000")]
        conn.execute("CREATE TEMP TABLE raw_parcels (LIKE lowvalue_parcels INCLUDING DEFAULTS)")
        ni, ki = cols.index("number"), cols.index("item_key")
        data = []
        for i in range(n):
            row = list(tmpl[i % len(tmpl)])
            row[ni], row[ki] = f"{990000000000 + i}", f"RAW{i:09d}"
            data.append([json.dumps(v) if isinstance(v, list | dict) else v for v in row])
        sql = f"INSERT INTO raw_parcels ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})"
        t0 = time.perf_counter()
        with conn.cursor() as cur:
            for i in range(0, n, 5_000):
                cur.executemany(sql, data[i : i + 5_000])
                conn.commit()
        return n / (time.perf_counter() - t0)


async def lowvalue_load(base: str, key: str, seconds: float, bulks: Bulks) -> tuple[int, int, int]:
    """Each second one bulk: 100 parcels, or 500 in the first 3 s of every 10. Sent whatever the answers."""
    host, port = base.removeprefix("http://").split(":")
    sent, lodged, refused = 0, 0, 0
    conns: list[Connection] = []

    async def one(body: bytes) -> None:
        nonlocal lodged, refused
        conn = conns.pop() if conns else Connection(host, int(port), {"Authorization": f"Bearer {key}"})
        new, bad = await post_bulk(conn, body)
        lodged, refused = lodged + new, refused + (bad != 0)
        conns.append(conn)

    tasks, t0 = [], time.perf_counter()
    for s in range(int(seconds)):
        size = 500 if s % 10 < 3 else 100
        delay = t0 + s - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        sent += size
        tasks.append(asyncio.create_task(one(bulks.make(size))))
    await asyncio.gather(*tasks)
    for c in conns:
        await c.close()
    return sent, lodged, refused


async def commercial_with(
    base: str, keys: list[str], seconds: float, lv: tuple[str, str, Bulks] | None
) -> tuple[list[float], int, tuple[int, int, int] | None]:
    if lv is None:
        lat, failed = await paced(base, keys, 150, seconds)
        return lat, failed, None
    (lat, failed), load = await asyncio.gather(
        paced(base, keys, 150, seconds), lowvalue_load(*lv[:2], seconds, lv[2])
    )
    return lat, failed, load


def part_a(url: str, tmp: str, key: str, bulks: int) -> None:
    maker = Bulks(1)
    bodies = [maker.make(5_000) for _ in range(bulks + 1)]
    with server(url, tmp, workers=1) as base:
        rate, bad = asyncio.run(intake(base, key, bodies))
    raw = raw_inserts(url, 20_000)
    print(f"(a) bulk intake, 1 worker, {bulks} express manifests of 5,000 parcels one after another "
          f"({bad} items rejected, {load_average()}): {rate:,.0f} parcels/s")  # fmt: skip
    print(f"    raw psycopg executemany of the same rows, a commit per 5,000: {raw:,.0f} rows/s; "
          f"ratio end-to-end / raw: {rate / raw:.3f}")  # fmt: skip
    print(f"    floor {INTAKE_FLOOR:,} parcels/s per worker: {'met' if rate >= INTAKE_FLOOR else 'NOT met'}")


def part_b(url: str, tmp: str, keys: list[str], lv_key: str, args: argparse.Namespace) -> None:
    commercial_env = {"HAIQUAN_LOWVALUE_SERVE": "false"}
    lowvalue_env = {"HAIQUAN_LOWVALUE_NICE": "10", "HAIQUAN_RUN_DISPATCHER": "false"}
    bulks, without, with_ = Bulks(2), [], []
    with ExitStack() as stack:
        base = stack.enter_context(server(url, tmp, workers=2, extra_env=commercial_env))
        lv_base = stack.enter_context(server(url, tmp, workers=1, extra_env=lowvalue_env))
        asyncio.run(commercial_with(base, keys, 3, (lv_base, lv_key, bulks)))  # warm up both
        for r in range(args.rounds):
            a, fa, _ = asyncio.run(commercial_with(base, keys, args.seconds, None))
            la = load_average()
            b, fb, load = asyncio.run(commercial_with(base, keys, args.seconds, (lv_base, lv_key, bulks)))
            lb = load_average()
            without += a
            with_ += b
            assert load is not None
            print(f"(b) round {r + 1}, {RATE[0]:.0f} declarations/s: commercial p99 without {pct(a, 99):.1f} ms ({fa} failed, {la}), "
                  f"with low-value load {pct(b, 99):.1f} ms ({fb} failed, {lb}): ratio {pct(b, 99) / pct(a, 99):.2f}; "
                  f"low-value sent {load[0]:,} parcels, lodged {load[1]:,}, bulks refused or with rejected items {load[2]}")  # fmt: skip
    ratio = pct(with_, 99) / pct(without, 99)
    print(f"(b) all rounds: commercial p50 {pct(without, 50):.1f} -> {pct(with_, 50):.1f} ms, p99 {pct(without, 99):.1f}"
          f" -> {pct(with_, 99):.1f} ms; ratio {ratio:.2f} (target <= {P99_RATIO}): "
          f"{'met' if ratio <= P99_RATIO else 'NOT met'}")  # fmt: skip
    if args.shared:
        with server(url, tmp, workers=2) as base:
            a, _, _ = asyncio.run(commercial_with(base, keys, args.seconds, None))
            b, _, _ = asyncio.run(commercial_with(base, keys, args.seconds, (base, lv_key, bulks)))
        print(f"(b) no isolation (low-value sent to the commercial workers): p99 {pct(a, 99):.1f} -> "
              f"{pct(b, 99):.1f} ms, ratio {pct(b, 99) / pct(a, 99):.2f}")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--bulks", type=int, default=8)
    ap.add_argument("--shared", action="store_true")
    ap.add_argument("--only", choices=["a", "b"], default=None)
    ap.add_argument("--rate", type=float, default=150, help="commercial declarations/s in (b)")
    args = ap.parse_args()
    RATE[0] = args.rate
    with scratch_database("hq_bench_lv") as url, tempfile.TemporaryDirectory() as tmp:
        keys = seed(url)
        express, _post = add_carriers(url)
        if args.only != "b":
            part_a(url, tmp, express, args.bulks)
        if args.only != "a":
            part_b(url, tmp, keys, express, args)


if __name__ == "__main__":
    main()
