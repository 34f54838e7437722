"""The officers' HTML pages, warm, with the demo data: p95 of each page (after a few warm-up reads) beside
the p95 of a static asset (the stylesheet at its hashed URL) in the same run, so the ratio says what the
page itself costs; the limit is 150 ms (issue 23). In-process (FastAPI's test client), a SQLite file.
Usage: python benchmarks/pages.py [DECLARATIONS] [RUNS]   (defaults 300 demo declarations, 40 runs)."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from haiquan.app import create_app
from haiquan.demo.world import DEMO_PASSWORD, seed
from haiquan.kit.db import Database
from haiquan.kit.settings import Settings
from haiquan.web import hashed

LIMIT_MS = 150.0
PAGES = ("/queue", "/declarations", "/reports", "/enforcement", "/risk", "/sharing", "/supervision/alerts")


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] * 1000


def timed(client: TestClient, path: str, runs: int) -> float:
    for _ in range(3):
        assert client.get(path).status_code == 200, path
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        r = client.get(path)
        samples.append(time.perf_counter() - t)
        assert r.status_code == 200, path
    return p95(samples)


def main(declarations: int, runs: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="hq-pages-"))
    db = Database(f"sqlite:///{tmp / 'haiquan.db'}")
    db.create_all()
    settings = Settings(data_dir=tmp, secret_key="bench-" + "k" * 40)
    t0 = time.perf_counter()
    seed(db, settings, declarations_count=declarations)
    print(f"demo data: {declarations} declarations seeded in {time.perf_counter() - t0:.0f} s (SQLite)")
    app = create_app(settings, db)
    with TestClient(app) as client:
        login = {"username": "cuc_hanoi", "password": DEMO_PASSWORD}
        token = client.post("/api/v1/auth/token", data=login).json()["access_token"]
        client.cookies.set("hq_session", token)
        static = timed(client, hashed.url("haiquan.css"), runs)
        print(
            f"static asset p95 {static:.1f} ms ({runs} runs after 3 warm-up reads); limit {LIMIT_MS:.0f} ms"
        )
        print(f"{'page':<22}{'p95 ms':>8}{'× static':>10}{'of limit':>10}")
        worst = 0.0
        for path in PAGES:
            ms = timed(client, path, runs)
            worst = max(worst, ms)
            print(f"{path:<22}{ms:>8.1f}{ms / static:>10.1f}{ms / LIMIT_MS:>10.2f}")
        print(f"slowest page p95 {worst:.1f} ms: {worst / LIMIT_MS:.2f} of the {LIMIT_MS:.0f} ms limit")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300, int(sys.argv[2]) if len(sys.argv) > 2 else 40)
    sys.stdout.flush()
    os._exit(0)  # the figures are out; a native library's thread aborts at interpreter teardown (rc 134)
