"""Benchmark: movement messages applied per second through the batch API, and status look-up latency,
against a real uvicorn server on a fresh PostgreSQL database. Each figure is printed with its ratio to
the raw operation on the same rows in the same run (raw inserts, raw primary-key reads).

    PYTHONPATH=src python benchmarks/supervision.py [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]
        [--containers 20000] [--batch 1000] [--lookups 2000]

Floors (the issue): >= 5,000 messages/s, status p99 <= 5 ms."""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, insert, text
from stdnum import iso6346

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from haiquan.cargo.tables import ConsignmentContainerRow, ConsignmentRow, ManifestRow  # noqa: E402
from haiquan.kit.db import Database, new_id  # noqa: E402
from haiquan.organization import service as org  # noqa: E402
from haiquan.organization.cli import DEFAULT_UNITS, read_units_file  # noqa: E402
from haiquan.supervision.tables import DeclarationLinkRow, LocationRow, OperatorRow  # noqa: E402

LOCATION = "03CCBENCH"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def container(i: int) -> str:
    body = f"BNC{'U'}{i:06d}"
    return body + str(iso6346.calc_check_digit(body))


TAX_CODES = ["0200519875", "0100109106", "0101248141", "0302098785"]  # terminal operators (valid MST)


@dataclass
class Terminal:
    key: str
    location: str
    numbers: list[str]


def _manifest(s: Any, carrier_id: str, location: str, ref: str, now: datetime) -> ManifestRow:
    m = ManifestRow(
        id=new_id(),
        carrier_id=carrier_id,
        reference=ref,
        mode="sea",
        vessel="BENCH",
        voyage=ref,
        loading_port="CNSHA",
        discharge_port="VNHPH",
        location_code=location,
        unit="03CC",
        expected_arrival=now + timedelta(days=1),
        deadline=now,
        received_at=now,
    )
    s.add(m)
    s.flush()
    return m


def _cargo(s: Any, manifest: ManifestRow, location: str, indices: list[int], now: datetime) -> None:
    cons: list[dict[str, Any]] = [
        {
            "id": new_id(),
            "manifest_id": manifest.id,
            "goods_id": f"BENCH{i:07d}",
            "cargo_type": "container",
            "purpose": "import",
            "consignee_tax_code": None,
            "consignee_name": "",
            "description": "bench",
            "hs_codes": [],
            "package_count": 10,
            "gross_mass_kg": Decimal("1000"),
            "unit": "03CC",
            "location_code": location,
            "risk_score": 0.0,
            "risk_reasons": [],
            "scan_required": False,
            "removed": False,
            "created_at": now,
            "extra": {},
        }
        for i in indices
    ]
    s.execute(insert(ConsignmentRow), cons)
    s.execute(
        insert(ConsignmentContainerRow),
        [
            {"consignment_id": c["id"], "number": container(i), "seal": f"S{i}", "iso_type": "45G1"}
            for i, c in zip(indices, cons, strict=True)
        ],
    )
    # half of the goods are declared and cleared (as the declaration events would have recorded)
    s.execute(
        insert(DeclarationLinkRow),
        [
            {
                "number": f"{100000000000 + i}",
                "goods_id": c["goods_id"],
                "containers": [container(i)],
                "kind": "import",
                "office": "03CC",
                "status": "cleared",
                "channel": "green",
                "package_count": 10,
                "gross_mass_kg": Decimal("1000"),
                "event_seq": 0,
                "updated_at": now,
            }
            for j, (i, c) in enumerate(zip(indices, cons, strict=True))
            if j % 2 == 0
        ],
    )


def seed(url: str, n: int, operators: int) -> list[Terminal]:
    """`operators` terminal operators, each with its location and its share of `n` manifested containers."""
    db = Database(url)
    db.create_all()
    now = datetime.now(UTC)
    out = []
    with db.unit_of_work() as uow:
        s = uow.session
        org.replace_units(s, units=read_units_file(DEFAULT_UNITS), actor="bench")
        carrier, _ = org.add_enterprise(
            s, tax_code="0300588569", name="Carrier", roles=["carrier"], actor="bench"
        )
        for k in range(operators):
            term, key = org.add_enterprise(
                s, tax_code=TAX_CODES[k], name=f"Terminal {k}", roles=["terminal_operator"], actor="bench"
            )
            s.flush()
            op = OperatorRow(
                id=new_id(),
                tax_code=term.tax_code,
                name=f"Terminal {k}",
                unit="03CC",
                enterprise_id=term.id,
                connection_status="live",
                updated_at=now,
            )
            s.add(op)
            s.flush()
            location = f"{LOCATION}{k}"
            s.add(
                LocationRow(
                    code=location, operator_id=op.id, name=f"Bench port {k}", kind="seaport", unit="03CC"
                )
            )
            indices = list(range(k, n, operators))
            _cargo(s, _manifest(s, carrier.id, location, f"B{k}", now), location, indices, now)
            out.append(Terminal(key, location, [container(i) for i in indices]))
        uow.commit()
    db.dispose()
    return out


def start_server(url: str, port: int, tmp: Path, workers: int = 1) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        HAIQUAN_DATABASE_URL=url,
        HAIQUAN_SECRET_KEY="bench-" + "x" * 40,
        HAIQUAN_DATA_DIR=str(tmp),
        HAIQUAN_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT / "src"),
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "haiquan.app:create_served_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--workers",
            str(workers),
        ],
        env=env,
    )
    for _ in range(200):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start")


def messages(
    kind: str, numbers: list[str], start: int, location: str = LOCATION + "0", **extra: Any
) -> list[dict[str, Any]]:
    at = datetime.now(UTC).isoformat()
    return [
        {
            "message_id": f"{kind}-{start + i}",
            "kind": kind,
            "location": location,
            "at": at,
            "container": c,
            "seal": f"S{int(c[4:10])}",
            **extra,
        }
        for i, c in enumerate(numbers)
    ]


def send_all(base: str, t: Terminal, batch: int) -> tuple[int, dict[str, int]]:
    """One operator's system: gate-in every container, then gate-out every one, batch after batch."""
    headers = {"Authorization": f"Bearer {t.key}"}
    totals = {"applied": 0, "refused": 0, "errors": 0, "duplicates": 0}
    count = 0
    with httpx.Client(base_url=base, timeout=60) as http:
        for kind, extra in (("gate_in", {}), ("gate_out", {"destination": "inland"})):
            for i in range(0, len(t.numbers), batch):
                msgs = messages(kind, t.numbers[i : i + batch], i, t.location, **extra)
                r = http.post("/api/v1/terminal-messages", json={"messages": msgs}, headers=headers)
                r.raise_for_status()
                out = r.json()
                for k in totals:
                    totals[k] += out[k]
                count += len(msgs)
    return count, totals


def apply_rate(base: str, terminals: list[Terminal], batch: int) -> tuple[float, int, dict[str, int]]:
    """Every operator sends at once (a port's terminals do); the rate is all messages over the wall time."""
    t0 = time.perf_counter()
    with ThreadPoolExecutor(len(terminals)) as pool:
        results = list(pool.map(lambda t: send_all(base, t, batch), terminals))
    elapsed = time.perf_counter() - t0
    totals = {k: sum(r[1][k] for r in results) for k in results[0][1]}
    count = sum(r[0] for r in results)
    return count / elapsed, count, totals


def raw_insert_rate(url: str, count: int, batch: int) -> float:
    """The same rows inserted straight into a copy of sv_movements, in batches of the same size, one
    transaction per batch (as the API commits per batch)."""
    eng = create_engine(url)
    now = datetime.now(UTC)
    rows = [
        {
            "operator_id": "x",
            "message_id": f"raw-{i}",
            "kind": "gate_in",
            "cargo_type": "container",
            "goods_id": f"G{i}",
            "container": "BNCU0000000",
            "location_code": LOCATION,
            "seal": "S",
            "at": now,
            "received_at": now,
            "outcome": "applied",
            "reasons": "[]",
            "unit": "03CC",
        }
        for i in range(count)
    ]
    stmt = text(
        "INSERT INTO raw_mv (operator_id, message_id, kind, cargo_type, goods_id, container, location_code,"
        " seal, at, received_at, outcome, reasons, unit, signed) VALUES (:operator_id, :message_id, :kind,"
        " :cargo_type, :goods_id, :container, :location_code, :seal, :at, :received_at, :outcome,"
        " CAST(:reasons AS JSONB), :unit, false)"
    )
    with eng.connect() as conn:
        conn.execute(text("CREATE TABLE raw_mv (LIKE sv_movements INCLUDING ALL)"))
        conn.commit()
        t0 = time.perf_counter()
        for i in range(0, count, batch):
            conn.execute(stmt, rows[i : i + batch])
            conn.commit()
        elapsed = time.perf_counter() - t0
    eng.dispose()
    return count / elapsed


def consumers_done(url: str, limit: float = 120) -> float:
    """Seconds until every consumer's saved low-water mark reaches the last outbox event."""
    eng = create_engine(url)
    t0 = time.perf_counter()
    with eng.connect() as conn:
        while time.perf_counter() - t0 < limit:
            last = conn.execute(text("SELECT max(seq) FROM outbox")).scalar() or 0
            low = conn.execute(text("SELECT min(low_seq) FROM consumer_cursors")).scalar() or 0
            conn.rollback()
            if low >= last:
                break
            time.sleep(0.2)
    eng.dispose()
    return time.perf_counter() - t0


def lookups(port: int, key: str, numbers: list[str], n: int) -> list[float]:
    """Sequential look-ups on one keep-alive connection, as a gate system holds one. The standard library's
    client: httpx costs ~0.6 ms more per request on this machine, which is the client's time, not ours."""
    headers = {"Authorization": f"Bearer {key}"}
    conn = http.client.HTTPConnection("127.0.0.1", port)
    out = []
    for i in range(n):
        c = numbers[(i * 7919) % len(numbers)]
        t0 = time.perf_counter()
        conn.request("GET", f"/api/v1/containers/{c}/status", headers=headers)
        r = conn.getresponse()
        r.read()
        out.append(time.perf_counter() - t0)
        if r.status != 200:
            raise SystemExit(f"look-up answered {r.status}")
    conn.close()
    return out


def raw_reads(url: str, n: int) -> list[float]:
    eng = create_engine(url)
    with eng.connect() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM sv_items LIMIT 5000"))]
        out = []
        for i in range(n):
            t0 = time.perf_counter()
            conn.execute(
                text("SELECT * FROM sv_items WHERE id = :i"), {"i": ids[(i * 7919) % len(ids)]}
            ).all()
            out.append(time.perf_counter() - t0)
    eng.dispose()
    return out


def server_mean_ms(http: httpx.Client, route: str) -> float:
    """Mean time the server itself spent on a route (its Prometheus histogram), without the client's side.
    Each worker keeps its own metrics: scrape on new connections until one that served the route answers."""
    for _ in range(20):
        total = count = 0.0
        for line in httpx.get(str(http.base_url).rstrip("/") + "/metrics").text.splitlines():
            if f'route="{route}"' in line and 'method="' in line:
                if line.startswith("haiquan_http_request_seconds_sum"):
                    total += float(line.rsplit(" ", 1)[1])
                elif line.startswith("haiquan_http_request_seconds_count"):
                    count += float(line.rsplit(" ", 1)[1])
        if count:
            return total / count * 1000
    return float("nan")


def p(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100)[int(q) - 1] * 1000 if len(values) >= 100 else max(values) * 1000
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--pg", default=os.environ.get("HAIQUAN_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    )
    ap.add_argument("--containers", type=int, default=20000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--lookups", type=int, default=2000)
    ap.add_argument("--operators", type=int, default=2, help="terminal operators sending at once (max 4)")
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    args = ap.parse_args()
    admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
    name = f"hq_bench_sv_{secrets.token_hex(3)}"
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = args.pg.rsplit("/", 1)[0] + "/" + name
    tmp = Path(tempfile.mkdtemp(prefix=name))
    proc = None
    try:
        terminals = seed(url, args.containers, args.operators)
        port = free_port()
        proc = start_server(url, port, tmp, args.workers)
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=60) as http:
            for t in terminals:  # warm every worker's caches
                for _ in range(args.workers):
                    http.post(
                        "/api/v1/terminal-messages",
                        json={"messages": messages("warm", t.numbers[:10], 0, t.location)},
                        headers={"Authorization": f"Bearer {t.key}"},
                    ).raise_for_status()
            rate, count, totals = apply_rate(base, terminals, args.batch)
            backlog = consumers_done(url)  # the batches' events applied by the consumers (exits, reports)
            everything = [n for t in terminals for n in t.numbers]
            lat = lookups(port, terminals[0].key, terminals[0].numbers, args.lookups)
            batch_ms = server_mean_ms(http, "/api/v1/terminal-messages")
            lookup_ms = server_mean_ms(http, "/api/v1/containers/{number}/status")
        assert len(everything) == args.containers
        raw_rate = raw_insert_rate(url, count, args.batch)
        raw_lat = raw_reads(url, args.lookups)
        print(
            f"movement messages: {count} in batches of {args.batch} from {args.operators} operators at once, "
            f"{args.workers} server workers: {rate:,.0f}/s (floor 5,000/s) "
            f"= {rate / raw_rate:.2f} x raw inserts of the same rows ({raw_rate:,.0f}/s); outcome {totals}"
        )
        print(
            f"consumers (exits, reports, feeds) done with the batches' events {backlog:.1f} s after the last"
        )
        print(
            f"status look-ups: {args.lookups}: p50 {p(lat, 50):.2f} ms, p99 {p(lat, 99):.2f} ms (floor 5 ms) "
            f"= {p(lat, 99) / p(raw_lat, 99):.1f} x raw primary-key reads (p99 {p(raw_lat, 99):.3f} ms)"
        )
        print(
            f"server side (one worker's metrics), mean: {batch_ms:.0f} ms per batch of {args.batch}, "
            f"{lookup_ms:.2f} ms per look-up"
        )
        ok = rate >= 5000 and p(lat, 99) <= 5
        print("floors met" if ok else "floors NOT met")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
