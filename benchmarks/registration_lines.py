"""Lodging and registering declarations of 50, 1,000, 5,000 and 10,000 lines on PostgreSQL, in process
(FastAPI's TestClient: the server's memory is this process's), with a channel engine that gives one reason
per line (value control flagging every line: the declaration then carries as many reasons as lines).

Per size and per call: wall time and the peak resident memory it added (sampled from /proc/self/statm:
libpq's result rows are outside Python's allocator, so tracemalloc would miss them), each also as a ratio
to the 50-line one. The calls: lodge (201), register by its
declarant (200), register by another declarant (404), register again by its declarant (409). Then, for
issue #25 item 11, the latency of small lodgings sent while a 10,000-line one is in the group commit.

Usage: python benchmarks/registration_lines.py [--sizes 50,1000,5000,10000] [--small 20]

Measured on the shared 2-core development machine (PostgreSQL 127.0.0.1), before the change (the line x
declaration join) and after (the row checked first, the lines in their own statement):
Before (the line x declaration join; 10,000 lines not attempted: the 404 alone grows as N squared):
    lines   lodge s  register s  other's 404 s  again 409 s | memory added by the 404
       50     0.029       0.040          0.031        0.020 |   0.2 MiB
     1000     0.215       0.141          1.185        1.484 |  81 MiB
     2000     0.427       0.507         10.612       11.761 | 251 MiB (1309x the 50-line one)
  2-line lodgings beside a 2,000-line lodging (0.8 s): p50 23 ms, max 509 ms (alone: p50 11 ms)
After:
    lines   lodge s  register s  other's 404 s  again 409 s | memory added: lodge, register, 404
       50     0.045       0.038          0.020        0.009 |  0.5, 0.3, 0.01 MiB
     1000     0.189       0.121          0.009        0.010 |  8.2, 2.9, 0.00 MiB
     5000     1.009       0.821          0.042        0.017 | 40.4, 18.4, 0.00 MiB
    10000     2.005       1.361          0.061        0.029 | 60.9, 34.2, 0.00 MiB (133x, 98x)
  2-line lodgings beside a 10,000-line lodging (2.3 s), lodged in the shared batch: p50 20 ms, max 2,460 ms;
  lodged alone (more than 500 lines, changes.ALONE_LINES): p50 75 ms, max 289 ms (alone: p50 10 ms; what
  is left is the big one's CPU on the same 2 cores and the GIL). The whole run takes ~20 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._support import pct, scratch_database
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from tests.support import World, build_world, import_declaration

from haiquan.kit import auth
from haiquan.kit.db import Database
from haiquan.kit.settings import Settings
from haiquan.risk.channel import ChannelDecision, DeclarationFacts

OWNER, OTHER = "0100109106", "0101248141"
CALLS = ("lodge", "register", "other_404", "again_409")
PAGE = os.sysconf("SC_PAGE_SIZE")


class ReasonPerLine:
    """Yellow, with one reason per line."""

    def assign(self, facts: DeclarationFacts, *, session: Session) -> ChannelDecision:
        reasons = [
            {"kind": "value_control", "line": i, "en": f"line {i}: value below the reference"}
            for i in range(len(facts.lines))
        ]
        return ChannelDecision("yellow", reasons)


def declaration(n: int) -> dict[str, Any]:
    line = import_declaration()["lines"][0]
    body = import_declaration(lines=[dict(line, description=f"lot {i}", value="100") for i in range(n)])
    body["invoice"] = dict(body["invoice"], amount=str(100 * n))
    return body


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE / 2**20


def measure(call: Callable[[], Any]) -> tuple[float, float, Any]:
    """(seconds, peak resident memory above the level before the call in MiB, answer). Resident memory,
    sampled every 2 ms, not tracemalloc: libpq holds a result's rows outside Python's allocator."""
    before, peak, stop = rss_mib(), [0.0], threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], rss_mib())
            stop.wait(0.002)

    sampler = threading.Thread(target=sample)
    sampler.start()
    t0 = time.perf_counter()
    try:
        answer = call()
    finally:
        seconds = time.perf_counter() - t0
        stop.set()
        sampler.join()
    return seconds, max(peak[0], rss_mib()) - before, answer


def one_size(world: World, n: int) -> tuple[dict[str, float], dict[str, float]]:
    """(seconds, MiB) per call."""
    body = declaration(n)
    times: dict[str, float] = {}
    mems: dict[str, float] = {}
    s, m, r = measure(lambda: world.lodge(body))
    assert r.status_code == 201, r.text[:300]
    times["lodge"], mems["lodge"] = s, m
    url = f"/api/v1/declarations/{r.json()['number']}/register"
    for name, who, status in (("register", OWNER, 200), ("other_404", OTHER, 404), ("again_409", OWNER, 409)):
        s, m, r = measure(lambda w=who: world.post(url, world.ent(w), None))  # type: ignore[misc]
        assert r.status_code == status, (name, r.status_code, r.text[:300])
        times[name], mems[name] = s, m
    return times, mems


def small_lodgings_beside(world: World, n_big: int, count: int) -> tuple[list[float], float]:
    """Latencies of `count` 2-line lodgings sent one after another while an `n_big`-line one is under way
    (started first), and the big one's own time."""
    big = declaration(n_big)
    done: dict[str, float] = {}

    def lodge_big() -> None:
        t0 = time.perf_counter()
        assert world.lodge(big).status_code == 201
        done["big"] = time.perf_counter() - t0

    thread = threading.Thread(target=lodge_big)
    thread.start()
    time.sleep(0.3)  # the big body parsed and validated, its work with the writer
    latencies = []
    for _ in range(count):
        t0 = time.perf_counter()
        assert world.lodge(declaration(2)).status_code == 201
        latencies.append(time.perf_counter() - t0)
    thread.join()
    return latencies, done["big"]


def report(label: str, unit: str, rows: dict[int, dict[str, float]]) -> None:
    base = rows[min(rows)]
    print(f"\n{label} ({unit}; ratio to {min(rows)} lines)")
    print(f"{'lines':>7} " + " ".join(f"{c:>19}" for c in CALLS))
    for n, row in rows.items():
        cells = [f"{row[c]:9.3f} ({row[c] / max(base[c], 1e-3):6.1f}x)" for c in CALLS]
        print(f"{n:>7} " + " ".join(f"{c:>19}" for c in cells))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="50,1000,5000,10000")
    ap.add_argument("--small", type=int, default=20, help="small lodgings beside the largest one")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    auth.configure_password_hashing(time_cost=1, memory_cost=1024)
    from haiquan.app import create_app

    with scratch_database("hq_bench_lines") as url, tempfile.TemporaryDirectory() as tmp:
        db = Database(url)
        db.create_all()
        app = create_app(Settings(data_dir=Path(tmp), secret_key="b" * 40, run_dispatcher=False), db)
        with TestClient(app) as client:
            world = build_world(app, client)
            app.state.channel_engine = ReasonPerLine()
            world.lodge(declaration(2))  # warm up
            measured = {n: one_size(world, n) for n in sizes}
            alone = [measure(lambda: world.lodge(declaration(2)))[0] for _ in range(args.small)]
            beside, big = small_lodgings_beside(world, max(sizes), args.small)
        db.dispose()
    report("time per call", "s", {n: t for n, (t, _) in measured.items()})
    report("peak resident memory added per call", "MiB", {n: m for n, (_, m) in measured.items()})
    print(f"\n2-line lodging alone: p50 {pct(alone, 50) * 1000:.0f} ms, max {max(alone) * 1000:.0f} ms")
    print(
        f"2-line lodging beside a {max(sizes):,}-line one ({big:.2f} s): p50 {pct(beside, 50) * 1000:.0f} ms,"
        f" max {max(beside) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
