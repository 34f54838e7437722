"""Phase h: a soak at half the measured capacity (lodgings and reads mixed), p99 latency and the server's
resident memory (supervisor and workers) sampled every 10 s; the figures and a chart."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

from benchmarks.reliability import probe
from benchmarks.reliability.context import Ctx, say
from benchmarks.reliability.workload import DECLARANTS, declaration

CLIENTS = 8


async def _paced(ctx: Ctx, rate: float, deadline: float, window: list[float], tally: probe.Tally) -> None:
    """Open-loop requests at `rate` per second in all (a lodging for every two reads), CLIENTS at a time."""
    counter, tag = itertools.count(), f"soak{ctx.run_id}-"
    start = time.monotonic()
    async with probe.client(ctx.base, ctx.cfg.answer_timeout_s, CLIENTS) as c:

        async def one() -> None:
            while (now := time.monotonic()) < deadline:
                i = next(counter)
                await asyncio.sleep(max(0.0, start + i / rate - now))
                who = DECLARANTS[i % 3]
                if i % 3 == 0:
                    o = await probe.call(c, "POST", "/api/v1/declarations", json=declaration(who, f"{tag}{i}"),
                                         headers=ctx.auth(who) | {"Idempotency-Key": f"{tag}{i}"})  # fmt: skip
                else:
                    o = await probe.call(c, "GET", "/api/v1/declarations?limit=20", headers=ctx.auth(who))
                tally.add(o)
                window.append(o.seconds)

        await asyncio.gather(*(one() for _ in range(CLIENTS)))


async def _sample(ctx: Ctx, deadline: float, window: list[float], samples: list[dict[str, float]]) -> None:
    assert ctx.api is not None
    t0 = time.monotonic()
    while time.monotonic() < deadline:
        await asyncio.sleep(min(ctx.cfg.sample_s, max(0.0, deadline - time.monotonic())))
        got, window[:] = list(window), []
        samples.append({"t_s": round(time.monotonic() - t0), "p99_ms": round(probe.pct(got, 99) * 1000, 1),
                        "p50_ms": round(probe.pct(got, 50) * 1000, 1), "requests": len(got),
                        "rss_mib": round(ctx.api.rss_mib(), 1)})  # fmt: skip


async def run(ctx: Ctx) -> dict[str, Any]:
    cap = ctx.results.get("phases", {}).get("capacity", {})
    lodgings, reads = cap.get("lodgings_per_s", 40.0), cap.get("reads_per_s", 80.0)
    # half of each measured rate, in the mix sent: one lodging for two reads
    rate = 0.5 / (1 / (3 * lodgings) + 2 / (3 * reads))
    deadline = time.monotonic() + ctx.cfg.soak_s
    tally, window, samples = probe.Tally(), [], []  # type: ignore[var-annotated]
    say(f"soak: {rate:.1f} requests/s for {ctx.cfg.soak_s:.0f}s")
    await asyncio.gather(_paced(ctx, rate, deadline, window, tally), _sample(ctx, deadline, window, samples))
    rss = [s["rss_mib"] for s in samples]
    figures = {"seconds": ctx.cfg.soak_s, "rate_per_s": round(rate, 1), "samples": samples, **tally.as_dict(),
               "achieved_per_s": round(sum(tally.kinds.values()) / ctx.cfg.soak_s, 1),
               "p99_ms": round(probe.pct(tally.latencies, 99) * 1000, 1), "five_xx": tally.fivexx(),
               "unanswered": tally.kinds.get(probe.UNANSWERED, 0), "rss_first_mib": rss[0] if rss else 0,
               "rss_last_mib": rss[-1] if rss else 0, "rss_max_mib": max(rss, default=0)}  # fmt: skip
    say(
        f"soak: {figures['achieved_per_s']}/s, p99 {figures['p99_ms']} ms, RSS {figures['rss_first_mib']} -> "
        f"{figures['rss_last_mib']} MiB, statuses {figures['statuses']}"
    )
    return figures
