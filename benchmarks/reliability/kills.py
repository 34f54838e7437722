"""Phase b: kill -9 under mixed load. Declarations (Idempotency-Key), terminal gate messages and bank payment
confirmations are sent by concurrent clients, each retried with the same key until a 2xx comes back; meanwhile
one worker (whose supervisor starts another, and which may hold the outbox dispatcher) or the whole server
is killed with SIGKILL, alternately. Afterwards the database must hold every acknowledged write exactly once."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from benchmarks.reliability import probe, verify
from benchmarks.reliability.context import Ctx, say
from benchmarks.reliability.workload import BANK, DECLARANTS, TERMINAL, declaration, gate_message, payment

STREAMS = {"declarations": 6, "gate_messages": 2, "payments": 2}  # concurrent clients per kind
GIVE_UP_S = 180.0  # one write retried this long without a 2xx: counted as not acknowledged


@dataclass
class Load:
    tally: probe.Tally = field(default_factory=probe.Tally)
    acked: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in STREAMS})
    abandoned: int = 0
    not_applied: int = 0  # a 2xx whose gate message was not applied (an error result): not acknowledged
    stop: bool = False
    counter: itertools.count[int] = field(default_factory=itertools.count)


def _request(ctx: Ctx, kind: str, i: int) -> tuple[str, dict[str, Any]]:
    """(the write's key, the request)."""
    if kind == "declarations":
        who, key = DECLARANTS[i % len(DECLARANTS)], f"k{ctx.run_id}-{i}"
        return key, {"method": "POST", "url": "/api/v1/declarations", "json": declaration(who, key),
                     "headers": ctx.auth(who) | {"Idempotency-Key": key}}  # fmt: skip
    if kind == "gate_messages":
        key = f"G{ctx.run_id}-{i}"
        return key, {"method": "POST", "url": "/api/v1/terminal-messages", "json": gate_message(key),
                     "headers": ctx.auth(TERMINAL)}  # fmt: skip
    key = f"P{ctx.run_id}-{i}"
    return key, {
        "method": "POST",
        "url": "/api/v1/payments",
        "json": payment(i, key),
        "headers": ctx.auth(BANK),
    }


async def _write(ctx: Ctx, c: Any, load: Load, kind: str) -> None:
    """One write, retried until a 2xx (acknowledged) or GIVE_UP_S."""
    key, req = _request(ctx, kind, next(load.counter))
    deadline = time.monotonic() + GIVE_UP_S
    while time.monotonic() < deadline:
        o = await probe.call(c, **req)
        load.tally.add(o)
        if o.kind == probe.ANSWERED and 200 <= o.status < 300:
            if _applied(kind, o.body):
                load.acked[kind].append(key)
            else:
                load.not_applied += 1
            return
        await asyncio.sleep(float(o.retry_after or 0.3) if o.status in (429, 503) else 0.3)
    load.abandoned += 1


def _applied(kind: str, body: Any) -> bool:
    if kind != "gate_messages":
        return True
    return bool(body) and body["results"][0]["status"] in ("applied", "duplicate")


async def _client(ctx: Ctx, load: Load, kind: str) -> None:
    async with probe.client(ctx.base, ctx.cfg.answer_timeout_s, 1) as c:
        while not load.stop:
            await _write(ctx, c, load, kind)


async def _worker_kill(ctx: Ctx) -> float:
    """SIGKILL one worker; seconds until the supervisor's replacement and /healthz are back."""
    assert ctx.api is not None
    before = set(ctx.api.worker_pids())
    victim, t0 = ctx.api.kill_worker(), time.monotonic()
    while time.monotonic() - t0 < 600:
        now = set(ctx.api.worker_pids())
        if victim not in now and len(now) >= len(before):
            break
        await asyncio.sleep(0.1)
    await asyncio.to_thread(ctx.api.wait_healthy, 600)
    return time.monotonic() - t0


async def _server_kill(ctx: Ctx) -> float:
    """SIGKILL the supervisor and both workers, then start the server again; seconds until it answers."""
    assert ctx.api is not None
    t0 = time.monotonic()
    ctx.api.kill_all()
    await asyncio.to_thread(ctx.api.start)
    return time.monotonic() - t0


async def _killer(ctx: Ctx, load: Load) -> list[dict[str, Any]]:
    cycles = []
    for n in range(ctx.cfg.kill_cycles):
        await asyncio.sleep(ctx.cfg.kill_interval_s)
        what = "worker" if n % 2 == 0 else "whole server"
        back = await (_worker_kill(ctx) if n % 2 == 0 else _server_kill(ctx))
        cycles.append({"killed": what, "back_after_s": round(back, 1)})
        say(f"kills: cycle {n + 1}/{ctx.cfg.kill_cycles}: {what} killed, serving again after {back:.1f}s")
    await asyncio.sleep(ctx.cfg.kill_interval_s)
    load.stop = True
    return cycles


async def run(ctx: Ctx) -> dict[str, Any]:
    load = Load()
    clients = [_client(ctx, load, kind) for kind, n in STREAMS.items() for _ in range(n)]
    cycles, *_ = await asyncio.gather(_killer(ctx, load), *clients)
    checked = await asyncio.to_thread(verify.writes, ctx, load.acked)
    figures = {"cycles": cycles, "acknowledged": {k: len(v) for k, v in load.acked.items()},
               "abandoned": load.abandoned, "not_applied": load.not_applied, **load.tally.as_dict(), "five_xx": load.tally.fivexx(),
               "unanswered": load.tally.kinds.get(probe.UNANSWERED, 0), **checked}  # fmt: skip
    say(
        f"kills: {sum(figures['acknowledged'].values())} acknowledged writes, lost {checked['lost']}, "
        f"duplicated {checked['duplicated']}, outcomes {figures['outcomes']}"
    )
    return figures
