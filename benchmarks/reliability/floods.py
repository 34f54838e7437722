"""Phase g: floods and slow clients, on a server as served (every limit at its default). 500 concurrent reads
(503 with Retry-After when saturated, never a 500; /healthz answers during), 1,000 rapid authenticated GETs
(429 with Retry-After past the caller's burst), slow request bodies (408); after each burst, the time until
/healthz and a normal read answer 200 again (at most 10 s)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

from benchmarks.reliability import probe
from benchmarks.reliability.context import Ctx, say
from benchmarks.reliability.workload import DECLARANTS

READ = "/api/v1/declarations?limit=50"


async def _health_during(ctx: Ctx, done: asyncio.Event) -> Counter[str]:
    seen: Counter[str] = Counter()
    async with probe.client(ctx.base, ctx.cfg.answer_timeout_s, 1) as c:
        while not done.is_set():
            o = await probe.call(c, "GET", "/healthz")
            seen[str(o.status) if o.kind == probe.ANSWERED else o.kind] += 1
            await asyncio.sleep(0.2)
    return seen


async def recovery(ctx: Ctx, who: str) -> float:
    """Seconds until /healthz and a normal read (another caller's) both answer 200."""
    t0 = time.monotonic()
    async with probe.client(ctx.base, ctx.cfg.answer_timeout_s, 2) as c:
        while time.monotonic() - t0 < 120:
            h = await probe.call(c, "GET", "/healthz")
            r = await probe.call(c, "GET", "/api/v1/declarations?limit=20", headers=ctx.auth(who))
            if h.status == 200 and r.status == 200:
                break
            await asyncio.sleep(0.1)
    return round(time.monotonic() - t0, 2)


async def _burst(ctx: Ctx, n: int, width: int, who: str) -> tuple[probe.Tally, Counter[str], int]:
    """n reads of `who` on `width` connections at once; the tally, /healthz meanwhile, answers lacking Retry-After."""
    tally, done, missing = probe.Tally(), asyncio.Event(), 0
    health = asyncio.create_task(_health_during(ctx, done))
    async with probe.client(ctx.base, ctx.cfg.answer_timeout_s, width) as c:
        outs = await asyncio.gather(*(probe.call(c, "GET", READ, headers=ctx.auth(who)) for _ in range(n)))
    done.set()
    for o in outs:
        tally.add(o)
        missing += o.status in (429, 503) and not o.retry_after
    return tally, await health, missing


async def _flood(ctx: Ctx, name: str, n: int, width: int, who: str) -> dict[str, Any]:
    t0 = time.monotonic()
    tally, health, missing = await _burst(ctx, n, width, who)
    took = time.monotonic() - t0
    back = await recovery(ctx, DECLARANTS[2])
    say(
        f"floods: {name}: {tally.as_dict()} in {took:.1f}s, /healthz meanwhile {dict(health)}, served again after {back}s"
    )
    return {"requests": n, "connections": width, "seconds": round(took, 1), **tally.as_dict(), "five_xx": tally.fivexx(),
            "unanswered": tally.kinds.get(probe.UNANSWERED, 0), "without_retry_after": missing,
            "healthz_during": dict(health), "recovery_s": back}  # fmt: skip


async def _slow_body(ctx: Ctx, trickle: bool) -> str:
    """A POST announcing 1,000 bytes that sends 10 (then, if trickle, one byte every 2 s); its answer's status."""
    assert ctx.api is not None
    reader, writer = await asyncio.open_connection("127.0.0.1", ctx.api.port)
    token = ctx.auth(DECLARANTS[0])["Authorization"]
    writer.write(f"POST /api/v1/declarations HTTP/1.1\r\nHost: x\r\nAuthorization: {token}\r\n"
                 "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"kind\": ".encode())  # fmt: skip
    await writer.drain()

    async def dribble() -> None:
        while trickle:
            await asyncio.sleep(2)
            writer.write(b" ")
            await writer.drain()

    feeder = asyncio.create_task(dribble())
    try:
        async with asyncio.timeout(ctx.cfg.answer_timeout_s):
            line = await reader.readline()
        return line.split(b" ")[1].decode() if line else "closed without answer"
    except TimeoutError:
        return probe.UNANSWERED
    except (ConnectionError, IndexError):
        return "closed without answer"
    finally:
        feeder.cancel()
        writer.close()


async def _slow(ctx: Ctx) -> dict[str, Any]:
    t0, n = time.monotonic(), ctx.cfg.slow_clients
    outs = await asyncio.gather(
        *(_slow_body(ctx, trickle=i % 2 == 1) for i in range(n)), recovery(ctx, DECLARANTS[2])
    )
    statuses = Counter(str(s) for s in outs[:-1])
    back = await recovery(ctx, DECLARANTS[2])
    say(f"floods: {n} slow bodies: {dict(statuses)} after {time.monotonic() - t0:.1f}s; a read meanwhile after "
        f"{outs[-1]}s; served again after {back}s")  # fmt: skip
    return {"clients": n, "answers": dict(statuses), "read_meanwhile_s": outs[-1], "recovery_s": back,
            "unanswered": statuses.get(probe.UNANSWERED, 0)}  # fmt: skip


async def run(ctx: Ctx) -> dict[str, Any]:
    concurrent = await _flood(
        ctx, "concurrent reads", ctx.cfg.flood_reads, ctx.cfg.flood_reads, DECLARANTS[0]
    )
    await asyncio.sleep(2)
    rapid = await _flood(ctx, "rapid GETs", ctx.cfg.rapid_gets, 50, DECLARANTS[1])
    slow = await _slow(ctx)
    worst = max(concurrent["recovery_s"], rapid["recovery_s"], slow["recovery_s"])
    return {"concurrent_reads": concurrent, "rapid_gets": rapid, "slow_bodies": slow, "worst_recovery_s": worst,
            "five_xx": concurrent["five_xx"] + rapid["five_xx"],
            "unanswered": concurrent["unanswered"] + rapid["unanswered"] + slow["unanswered"]}  # fmt: skip
