"""Run the campaign: a private PostgreSQL cluster, the demo world, `haiquan serve --workers 2`, then each phase;
the figures go to results.json and docs/reliability.md (with docs/img/reliability-soak.svg).

HAIQUAN_RELIABILITY_PHASES=capacity,storms,... runs only those (development); the report is then written to
the results folder only, never over docs/reliability.md."""

from __future__ import annotations

import asyncio
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from benchmarks.reliability import (
    access,
    capacity,
    config,
    floods,
    fuzz,
    kills,
    partition,
    report,
    soak,
    storms,
)
from benchmarks.reliability.cluster import private_cluster
from benchmarks.reliability.context import Ctx, log_in, say, seed
from benchmarks.reliability.server import UNLIMITED, Api
from benchmarks.reliability.workload import seed_dues

from haiquan.kit.db import Database

ROOT = Path(__file__).resolve().parents[2]
Phase = Callable[[Ctx], Coroutine[Any, Any, dict[str, Any]]]
# (name, run, server settings): the load phases without per-caller limits, the floods as served
LOADED: list[tuple[str, Phase]] = [("capacity", capacity.run), ("storms", storms.run), ("kills", kills.run),
                                   ("fuzz", fuzz.run), ("access", access.run), ("soak", soak.run)]  # fmt: skip
AS_SERVED: list[tuple[str, Phase]] = [("floods", floods.run)]


def wanted() -> set[str] | None:
    raw = os.environ.get(config.PREFIX + "PHASES", "")
    return {p.strip() for p in raw.split(",") if p.strip()} or None


def run_group(ctx: Ctx, phases: list[tuple[str, Phase]], env: dict[str, str], only: set[str] | None) -> None:
    todo = [(n, p) for n, p in phases if only is None or n in only]
    if not todo:
        return
    ctx.api = Api(ctx.cluster.url, ctx.folder, env)
    try:
        say(f"server up in {ctx.api.start():.1f}s on {ctx.api.base} (settings: {env or 'as served'})")
        log_in(ctx)
        for name, phase in todo:
            t0 = time.monotonic()
            try:
                figures = asyncio.run(phase(ctx))
            except Exception as exc:  # the campaign goes on; the report says which phase did not finish
                say(f"{name}: did not finish: {exc!r}")
                figures = {"error": repr(exc)[:300]}
            figures["phase_seconds"] = round(time.monotonic() - t0, 1)
            ctx.note(name, figures)
    finally:
        ctx.api.stop()


def campaign(ctx: Ctx, only: set[str] | None) -> None:
    seed(ctx)
    db = Database(ctx.cluster.url)
    seed_dues(db, 0, 50_000 if only is None or "kills" in only else 0)
    seed_dues(db, storms.DUE_BASE, storms.DUE_BASE + 100)
    db.dispose()
    say("seeded: demo world, payment references")
    run_group(ctx, LOADED, UNLIMITED, only)
    if only is None or "partition" in only:
        try:
            ctx.note("partition", partition.run(ctx))
        except Exception as exc:
            say(f"partition: did not finish: {exc!r}")
            ctx.note("partition", {"error": repr(exc)[:300]})
    run_group(ctx, AS_SERVED, {}, only)


def main() -> int:
    cfg, only = config.load(), wanted()
    started = time.time()
    folder = Path(tempfile.mkdtemp(prefix="haiquan-reliability-"))
    say(f"reliability campaign in {folder}; settings {config.described(cfg)}")
    with private_cluster() as cluster:
        ctx = Ctx(cfg, cluster, folder)
        ctx.results = {"started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(started)), "machine": machine(),
                       "config": config.described(cfg), "phases": {}}  # fmt: skip
        try:
            campaign(ctx, only)
        finally:
            ctx.results["minutes"] = round((time.time() - started) / 60, 1)
            ctx.note("_end", {})
    target = ROOT / "docs" if only is None else folder
    ok = report.write(ctx.results, target / "reliability.md", target / "img" / "reliability-soak.svg")
    say(f"report: {target / 'reliability.md'}; every criterion met: {ok}")
    shutil.rmtree(folder, ignore_errors=True) if only is None and ok else None
    return 0 if ok else 1


def machine() -> str:
    return f"{platform.node()}: {os.cpu_count()} CPUs seen ({platform.processor() or platform.machine()}), Python {sys.version.split()[0]}"


if __name__ == "__main__":
    raise SystemExit(main())
