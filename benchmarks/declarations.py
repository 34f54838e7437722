"""End-to-end lodging + registration over HTTP against PostgreSQL, beside raw psycopg inserts of the same rows.

The traders' systems are simulated by a lean keep-alive HTTP/1.1 client (benchmarks/_http.py) in this
process, on the same two cores as the server and PostgreSQL: httpx spent ~1.5 ms of CPU per request here,
which the server then lacked.

Prints: declarations/s end-to-end (lodge + register = 2 requests) at saturation; p50/p99 request latency
in open loop at 150/s (half the floor's rate, the floor's condition) and at half the measured rate; raw
insert rows/s of the same declaration rows, and the ratio. Floor (issue): 300 declarations/s, p99 < 100 ms at
half that rate, on a 2-core machine.  Usage: python benchmarks/declarations.py [--seconds 20] [--concurrency 64]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._http import Connection
from benchmarks._support import pct, scratch_database, server

from haiquan.declarations.tables import DeclarationRow
from haiquan.demo.traffic import random_declaration, tariff_codes
from haiquan.kit.db import Database

FLOOR = 300  # declarations/s (issue #2); latency floor: p99 < 100 ms at half that rate


def seed(url: str) -> list[str]:
    from haiquan.agencies import service as agencies
    from haiquan.organization import service as org
    from haiquan.organization.cli import DEFAULT_UNITS, read_units_file
    from haiquan.reference import service as reference

    db = Database(url)
    db.create_all()
    keys = []
    with db.unit_of_work() as uow:
        org.replace_units(uow.session, units=read_units_file(DEFAULT_UNITS), actor="bench")
        reference.load_hs(uow.session)
        reference.load_tariff(uow.session)
        reference.load_exchange_rates(uow.session)
        agencies.load_requirements(uow.session, actor="bench")  # other agencies' permits (issue #17)
        for tax in BENCH_DECLARANTS:
            _, key = org.add_enterprise(
                uow.session, tax_code=tax, name=f"Bench {tax}", roles=["declarant"], actor="bench"
            )
            keys.append(key)
        uow.commit()
    _representations(db, BENCH_DECLARANTS)
    db.dispose()
    from benchmarks import _registration_ab

    _registration_ab.prepare(url)  # the e-Form D that the before/after's ATIGA claims name
    return keys


BENCH_DECLARANTS = ("0100109106", "0101248141", "0302098785")


def _representations(db: Database, declarants: tuple[str, ...]) -> None:
    """Each declarant lets the others lodge in its name (random_declaration names any of them as the
    importer): without it two lodgings in three are refused 403 no_representation."""
    from datetime import timedelta

    from haiquan.kit import clock
    from haiquan.organization import representations
    from haiquan.organization import service as org
    from haiquan.organization.schemas import RepresentationIn

    since = clock.now() - timedelta(days=365)
    with db.unit_of_work() as uow:
        for importer in declarants:
            who = org.enterprise_principal(org.enterprise_by_tax_code(uow.session, importer))
            for agent in declarants:
                if agent != importer:
                    data = RepresentationIn(representative_tax_code=agent, kind="direct", valid_from=since)
                    representations.grant(uow.session, principal=who, data=data)
        uow.commit()


class Pool:
    """Keep-alive connections, one request at a time each, as traders' systems hold them."""

    def __init__(self, base: str, keys: list[str]) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.host, self.port, self.keys = host, int(port), keys
        self.idle: list[Connection] = []
        self.made = 0

    def take(self) -> Connection:
        if self.idle:
            return self.idle.pop()
        self.made += 1
        key = self.keys[self.made % len(self.keys)]
        return Connection(self.host, self.port, {"Authorization": f"Bearer {key}"})

    def give(self, conn: Connection) -> None:
        self.idle.append(conn)

    async def close(self) -> None:
        for c in self.idle:
            await c.close()


async def flow(conn: Connection, body: bytes, lat: list[float]) -> bool:
    t0 = time.perf_counter()
    r = await conn.request("POST", "/api/v1/declarations", body, {"Idempotency-Key": uuid.uuid4().hex})
    lat.append((time.perf_counter() - t0) * 1000)
    if r.status != 201:
        return False
    t1 = time.perf_counter()
    r2 = await conn.request("POST", f"/api/v1/declarations/{r.json()['number']}/register")
    lat.append((time.perf_counter() - t1) * 1000)
    return r2.status == 200


def bodies(seed: int, n: int = 2000) -> list[bytes]:
    rng, codes = random.Random(seed), tariff_codes()
    return [json.dumps(random_declaration(rng, codes)).encode() for _ in range(n)]


async def saturate(
    base: str, keys: list[str], seconds: float, concurrency: int, docs: list[bytes] | None = None
) -> tuple[float, int, list[float]]:
    docs, pool = docs or bodies(7), Pool(base, keys)
    done, failed = 0, 0
    lat: list[float] = []
    stop = time.perf_counter() + seconds

    async def worker(i: int) -> None:
        nonlocal done, failed
        conn, n = pool.take(), i
        while time.perf_counter() < stop:
            ok = await flow(conn, docs[n % len(docs)], lat)
            done, failed = done + ok, failed + (not ok)
            n += concurrency
        pool.give(conn)

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    elapsed = time.perf_counter() - t0
    await pool.close()
    return done / elapsed, failed, lat


async def paced(base: str, keys: list[str], rate: float, seconds: float) -> tuple[list[float], int]:
    """Open loop: a new declaration every 1/rate s whatever the answers, on as many connections as needed."""
    docs, pool = bodies(11), Pool(base, keys)
    lat: list[float] = []
    failed = 0

    async def one(body: bytes) -> None:
        nonlocal failed
        conn = pool.take()
        failed += not await flow(conn, body, lat)
        pool.give(conn)

    tasks = []
    t0 = time.perf_counter()
    for i in range(int(rate * seconds)):
        delay = t0 + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(docs[i % len(docs)])))
    await asyncio.gather(*tasks)
    await pool.close()
    return lat, failed


async def ceiling(base: str, key: str, seconds: float, concurrency: int) -> float:
    """Requests/s of the cheapest authenticated call (GET /api/v1/me): the framework's own limit here."""
    n = 0
    pool = Pool(base, [key])
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal n
        conn = pool.take()
        while time.perf_counter() < stop:
            await conn.request("GET", "/api/v1/me")
            n += 1
        pool.give(conn)

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    rate = n / (time.perf_counter() - t0)
    await pool.close()
    return rate


def raw_inserts(url: str, n: int) -> float:
    """psycopg executemany of copies of stored declaration rows: the floor of the database itself."""
    db = Database(url)
    with db.unit_of_work() as uow:
        rows = uow.session.scalars(select(DeclarationRow).limit(500)).all()
        cols = [c.name for c in DeclarationRow.__table__.columns]
        tmpl = [[getattr(r, c) for c in cols] for r in rows]
    db.dispose()
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        conn.execute("CREATE TEMP TABLE raw_decl (LIKE declarations INCLUDING DEFAULTS)")
        ni = cols.index("number")
        data = []
        for i in range(n):
            row = list(tmpl[i % len(tmpl)])
            row[ni] = f"{900000000000 + i}"
            data.append([json.dumps(v) if isinstance(v, list | dict) else v for v in row])
        t0 = time.perf_counter()
        with conn.cursor() as cur:
            for i in range(0, n, 1):  # one statement + commit per declaration, as a request does
                cur.execute(
                    f"INSERT INTO raw_decl ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})",
                    data[i],
                )
                conn.commit()
        return n / (time.perf_counter() - t0)


def backlog_done(url: str, limit: float = 300) -> float:
    """Seconds until every consumer's low-water mark reaches the last outbox event."""
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    t0 = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        while time.perf_counter() - t0 < limit:
            last = conn.execute("SELECT coalesce(max(seq), 0) FROM outbox").fetchone()
            low = conn.execute("SELECT coalesce(min(low_seq), 0) FROM consumer_cursors").fetchone()
            if last is not None and low is not None and low[0] >= last[0]:
                break
            time.sleep(0.2)
    return time.perf_counter() - t0


def features(url: str, tmp: str, keys: list[str], args: argparse.Namespace) -> list[str]:
    """Other agencies' permits and ATIGA e-Form D matching (issue #17): the registration path's CPU per
    declaration without and with them, interleaved rounds (benchmarks/_registration_ab.py). Served: the
    server as served, or with the hooks switched off, started in turn (one at a time: PostgreSQL's
    connections are shared), dispatcher off; CPU of its processes and of PostgreSQL per declaration. In
    process: the service functions, one transaction per declaration. Limit: after / before <= 1.10."""
    from benchmarks import _registration_ab as ab

    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    out = [f"permits + e-Form D matching, CPU per declaration (lodge + register), before/after (load average "
           f"{load} at the start):"]  # fmt: skip
    for share in (ab.SHARE, 1.0):
        docs = [json.dumps(d).encode() for _, d in ab.mix(int(share * 100), 3000, tariff_codes(), share)]
        out.append("  served, " + served_ab(url, tmp, keys, docs, share, args))
    return out + [
        "  in process, " + x for x in ab.in_process(url, tariff_codes(), args.ab_rounds, args.ab_per_round)
    ]


def served_ab(
    url: str, tmp: str, keys: list[str], docs: list[bytes], share: float, args: argparse.Namespace
) -> str:
    from benchmarks import _registration_ab as ab

    root = Path(__file__).resolve().parents[1]
    env = {"HAIQUAN_RUN_DISPATCHER": "false", "PYTHONPATH": f"{root / 'src'}:{root}"}
    apps = {True: "haiquan.app:create_served_app", False: "benchmarks._registration_ab:create_served_app"}
    cpu, done, failed = {False: 0.0, True: 0.0}, {False: 0, True: 0}, 0
    for r in range(args.ab_rounds):
        for on in (False, True) if r % 2 == 0 else (True, False):
            with server(url, tmp, args.workers, env, apps[on]) as base:
                asyncio.run(saturate(base, keys, 2, args.ab_concurrency, docs))  # warm up
                meter = ab.server_cpu(int(base.rsplit(":", 1)[1]), url.rsplit("/", 1)[1])
                c0, t0 = meter(), time.perf_counter()
                rate, bad, _ = asyncio.run(saturate(base, keys, args.ab_seconds, args.ab_concurrency, docs))
                cpu[on] += meter() - c0
                done[on] += round(rate * (time.perf_counter() - t0))
                failed += bad
    before, after = cpu[False] / done[False] * 1000, cpu[True] / done[True] * 1000
    ratio = after / before
    return (f"{share * 100:.0f} % of declarations claiming ATIGA ({args.ab_rounds} rounds of {args.ab_seconds:.0f} s "
            f"each way, {args.ab_concurrency} concurrent, {done[False]}/{done[True]} declarations, {failed} failed): "
            f"before {before:.2f} ms, after {after:.2f} ms; ratio {ratio:.3f} "
            f"(limit {ab.LIMIT:.2f}: {'met' if ratio <= ab.LIMIT else 'NOT met'})")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=20)
    # Traders' systems are many: 64 connections at once saturate the server here (24 left it waiting on
    # round trips between batches, ~25 % below its capacity).
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-consumers", action="store_true", help="the request path alone (dispatcher off)")
    ap.add_argument("--ab-rounds", type=int, default=4, help="rounds of the permits/origin before-after")
    ap.add_argument("--ab-seconds", type=float, default=5, help="seconds per arm and round, served")
    ap.add_argument("--ab-concurrency", type=int, default=16, help="connections, served before/after")
    ap.add_argument("--ab-per-round", type=int, default=60, help="declarations per arm and round, in process")
    ap.add_argument("--ab-only", action="store_true", help="only the permits/origin before-after")
    args = ap.parse_args()
    if args.ab_only:
        with scratch_database("hq_bench_decl") as url, tempfile.TemporaryDirectory() as tmp:
            print("\n".join(features(url, tmp, seed(url), args)))
        return
    dispatcher = "false" if args.no_consumers else "true"
    with scratch_database("hq_bench_decl") as url, tempfile.TemporaryDirectory() as tmp:
        keys = seed(url)
        with server(url, tmp, workers=args.workers, extra_env={"HAIQUAN_RUN_DISPATCHER": dispatcher}) as base:
            asyncio.run(saturate(base, keys, 3, args.concurrency))  # warm up
            backlog_done(url)
            rate, failed, lat = asyncio.run(saturate(base, keys, args.seconds, args.concurrency))
            behind = backlog_done(url) if not args.no_consumers else float("nan")
            floor_half, floor_failed = asyncio.run(paced(base, keys, FLOOR / 2, args.seconds))
            half, half_failed = asyncio.run(paced(base, keys, rate / 2, args.seconds))
            backlog_done(url)
            empty = asyncio.run(ceiling(base, keys[0], min(args.seconds, 10), args.concurrency))
        raw = raw_inserts(url, 3000)
        ab = features(url, tmp, keys, args)
    print(f"server: {args.workers} workers, consumers (notifications, payment references, reports, supervision, "
          f"sharing) {'OFF' if args.no_consumers else 'on, in the same processes'}")  # fmt: skip
    print(f"end-to-end: {rate:.0f} declarations/s (lodge + register, {args.concurrency} concurrent, {failed} failed); "
          f"request latency at saturation p50 {pct(lat, 50):.1f} ms p99 {pct(lat, 99):.1f} ms")  # fmt: skip
    if not args.no_consumers:
        print(f"consumers done with the saturation phase's events {behind:.1f} s after its last request")
    print(f"at {FLOOR / 2:.0f}/s, half the floor's rate (open loop, {floor_failed} failed): request p50 "
          f"{pct(floor_half, 50):.1f} ms, p99 {pct(floor_half, 99):.1f} ms (floor: p99 < 100 ms)")  # fmt: skip
    print(f"at half the measured rate ({rate / 2:.0f}/s, open loop, {half_failed} failed): request p50 "
          f"{pct(half, 50):.1f} ms, p99 {pct(half, 99):.1f} ms")  # fmt: skip
    print(f"raw psycopg inserts of the same declaration rows, one commit each: {raw:.0f} rows/s")
    print(f"the cheapest authenticated request (GET /api/v1/me), same server and client: {empty:.0f} requests/s; "
          f"a declaration is 2 requests, so {2 * rate / empty:.2f} of that ceiling")  # fmt: skip
    ok = rate >= FLOOR and pct(floor_half, 99) < 100
    print(f"ratio end-to-end / raw inserts: {rate / raw:.3f}")
    print(f"floors ({FLOOR} declarations/s; p99 < 100 ms at half that rate): {'met' if ok else 'NOT met'}")
    print("\n".join(ab))


if __name__ == "__main__":
    main()
