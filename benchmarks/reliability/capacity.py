"""Phase a: lodgings per second and reads per second at saturation (concurrent clients as fast as they go)."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

from benchmarks.reliability import probe
from benchmarks.reliability.context import Ctx, say
from benchmarks.reliability.workload import DECLARANTS, declaration

CLIENTS = 16


async def _saturate(ctx: Ctx, seconds: float, send: Any) -> tuple[float, probe.Tally]:
    tally, counter = probe.Tally(), itertools.count()
    deadline = time.monotonic() + seconds
    async with probe.client(ctx.base, ctx.cfg.answer_timeout_s, CLIENTS) as c:

        async def one() -> None:
            while time.monotonic() < deadline:
                tally.add(await send(c, next(counter)))

        await asyncio.gather(*(one() for _ in range(CLIENTS)))
    return tally.statuses.get(201, 0) + tally.statuses.get(200, 0), tally


def _rate(ok: float, seconds: float) -> float:
    return round(ok / seconds, 1)


async def run(ctx: Ctx) -> dict[str, Any]:
    tag = f"cap{ctx.run_id}-"

    async def lodge(c: Any, i: int) -> probe.Outcome:
        who = DECLARANTS[i % len(DECLARANTS)]
        headers = ctx.auth(who) | {"Idempotency-Key": f"{tag}{i}"}
        return await probe.call(
            c, "POST", "/api/v1/declarations", json=declaration(who, f"{tag}{i}"), headers=headers
        )

    async def read(c: Any, i: int) -> probe.Outcome:
        who = DECLARANTS[i % len(DECLARANTS)]
        return await probe.call(c, "GET", "/api/v1/declarations?limit=20", headers=ctx.auth(who))

    seconds = ctx.cfg.capacity_s
    lodged, lt = await _saturate(ctx, seconds, lodge)
    read_ok, rt = await _saturate(ctx, seconds, read)
    figures = {"clients": CLIENTS, "seconds": seconds, "lodgings_per_s": _rate(lodged, seconds),
               "reads_per_s": _rate(read_ok, seconds), "lodging_p99_ms": round(probe.pct(lt.latencies, 99) * 1000),
               "read_p99_ms": round(probe.pct(rt.latencies, 99) * 1000), "lodging": lt.as_dict(), "reads": rt.as_dict(),
               "five_xx": lt.fivexx() + rt.fivexx()}  # fmt: skip
    say(
        f"capacity: {figures['lodgings_per_s']} lodgings/s, {figures['reads_per_s']} reads/s ({CLIENTS} clients)"
    )
    return figures
