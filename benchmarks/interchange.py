"""CUSDEC lodging against its parts and against the JSON API, in process (FastAPI's TestClient).

Per declaration size (lines), rounds interleaved, median seconds of:
- parse: EDIFACT read, envelope checked, mapped to DeclarationIn and validated (no database);
- cusdec: POST /api/v1/interchange/cusdec (parse + validate + lodge + register + CUSRES);
- json: POST /api/v1/declarations then POST .../register (the JSON API's lodge and register).
Printed: the ratios cusdec / json (the limit measured in the same run: the message path should cost
about what the JSON path costs) and parse / cusdec (the share of the EDIFACT work).

Usage: python benchmarks/interchange.py [--database postgresql|sqlite] [--sizes 2,50,500] [--rounds 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._support import scratch_database
from fastapi.testclient import TestClient
from tests.interchange.conftest import cusdec_text
from tests.support import World, build_world, import_declaration

from haiquan.interchange import cusdec, edifact
from haiquan.kit import auth
from haiquan.kit.db import Database
from haiquan.kit.settings import Settings
from haiquan.risk.channel import RuleSetEngine

DECLARANT = "0100109106"


def declaration(n: int) -> dict[str, Any]:
    line = import_declaration()["lines"][0]
    body = import_declaration(lines=[dict(line, description=f"lot {i}", value="100") for i in range(n)])
    body["invoice"] = dict(body["invoice"], amount=str(100 * n))
    return body


def timed(fn: Callable[[], Any]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def by_cusdec(world: World, text: str) -> None:
    h = world.ent(DECLARANT) | {"Content-Type": "application/EDIFACT"}
    r = world.client.post("/api/v1/interchange/cusdec", content=text.encode(), headers=h)
    assert r.status_code == 201, r.text


def by_json(world: World, body: dict[str, Any]) -> None:
    r = world.lodge(body)
    assert r.status_code == 201, r.text
    reg = world.post(f"/api/v1/declarations/{r.json()['number']}/register", world.ent(DECLARANT), None)
    assert reg.status_code == 200, reg.text


def one_size(world: World, n: int, rounds: int) -> dict[str, float]:
    body = declaration(n)
    text = cusdec_text(body)
    runs: dict[str, list[float]] = {"parse": [], "cusdec": [], "json": []}
    for _ in range(rounds):
        runs["parse"].append(timed(lambda: cusdec.read(edifact.parse(text).messages[0])))
        runs["cusdec"].append(timed(lambda: by_cusdec(world, text)))
        runs["json"].append(timed(lambda: by_json(world, body)))
    return {k: statistics.median(v) for k, v in runs.items()}


@contextmanager
def database(kind: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/bench.db"
    else:
        with scratch_database("hq_bench_interchange") as url:
            yield url


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--database", default="postgresql", choices=["postgresql", "sqlite"])
    p.add_argument("--sizes", default="2,50,500")
    p.add_argument("--rounds", type=int, default=15)
    args = p.parse_args()
    auth.configure_password_hashing(time_cost=1, memory_cost=1024)
    from haiquan.app import create_app

    with database(args.database) as url, tempfile.TemporaryDirectory() as tmp:
        db = Database(url)
        db.create_all()
        app = create_app(Settings(data_dir=Path(tmp), secret_key="b" * 40, run_dispatcher=False), db)
        with TestClient(app) as client:
            world = build_world(app, client)
            app.state.channel_engine = RuleSetEngine(green=100.0, yellow=0.0, red=0.0)
            by_json(world, declaration(2))  # warm up
            by_cusdec(world, cusdec_text(declaration(2)))
            results = {int(n): one_size(world, int(n), args.rounds) for n in args.sizes.split(",")}
        db.dispose()
    print(f"{args.database}, median of {args.rounds} interleaved rounds, seconds per declaration")
    print(f"{'lines':>6} {'parse':>9} {'cusdec':>9} {'json':>9} | cusdec/json  parse/cusdec")
    for n, r in results.items():
        print(f"{n:>6} {r['parse']:>9.4f} {r['cusdec']:>9.4f} {r['json']:>9.4f} | "
              f"{r['cusdec'] / r['json']:>10.2f}  {r['parse'] / r['cusdec']:>11.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
