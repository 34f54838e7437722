"""Phase c: retry storms. 50 requests at once with one Idempotency-Key (a lodging) or one transaction id (a bank
confirmation), spread over both workers: exactly one effect each, one answer body for all, no 5xx."""

from __future__ import annotations

import asyncio
from typing import Any

from benchmarks.reliability import probe
from benchmarks.reliability.context import Ctx, say
from benchmarks.reliability.workload import BANK, DECLARANTS, MARK, declaration, payment
from sqlalchemy import func, select

from haiquan.declarations.tables import DeclarationRow
from haiquan.kit.db import Database
from haiquan.payments.tables import BankPaymentRow

DUE_BASE = 900_000  # payment references 900000.. are the storms' (seeded by the campaign)


async def _storm(ctx: Ctx, width: int, request: dict[str, Any]) -> tuple[probe.Tally, set[str]]:
    tally, bodies = probe.Tally(), set()
    # one connection per request: the answers come from both workers
    async with probe.client(ctx.base, ctx.cfg.answer_timeout_s, width) as c:
        outs = await asyncio.gather(*(probe.call(c, **request) for _ in range(width)))
    for o in outs:
        tally.add(o)
        if o.kind == probe.ANSWERED and o.status < 300:
            bodies.add(str(o.body.get("number") or o.body.get("id") or o.body))
    return tally, bodies


def _effects(db: Database, keys: list[str], txns: list[str]) -> tuple[list[int], list[int]]:
    with db.engine.connect() as conn:
        per_key = [int(conn.execute(select(func.count()).where(DeclarationRow.exporter_name == MARK + k)).scalar() or 0)
                   for k in keys]  # fmt: skip
        per_txn = [int(conn.execute(select(func.count()).where(BankPaymentRow.transaction_id == t)).scalar() or 0)
                   for t in txns]  # fmt: skip
    return per_key, per_txn


async def run(ctx: Ctx) -> dict[str, Any]:
    width, rounds, tag = ctx.cfg.storm_width, ctx.cfg.storm_rounds, f"storm{ctx.run_id}-"
    total, keys, txns, distinct = probe.Tally(), [], [], []
    for r in range(rounds):
        who, key = DECLARANTS[r % len(DECLARANTS)], f"{tag}{r}"
        req = {"method": "POST", "url": "/api/v1/declarations", "json": declaration(who, key),
               "headers": ctx.auth(who) | {"Idempotency-Key": key}}  # fmt: skip
        t, bodies = await _storm(ctx, width, req)
        total.kinds.update(t.kinds)
        total.statuses.update(t.statuses)
        keys.append(key)
        distinct.append(len(bodies))
        txn = f"{tag}txn{r}"
        req = {
            "method": "POST",
            "url": "/api/v1/payments",
            "json": payment(DUE_BASE + r, txn),
            "headers": ctx.auth(BANK),
        }
        t, bodies = await _storm(ctx, width, req)
        total.kinds.update(t.kinds)
        total.statuses.update(t.statuses)
        txns.append(txn)
        distinct.append(len(bodies))
    db = Database(ctx.cluster.url)
    per_key, per_txn = _effects(db, keys, txns)
    db.dispose()
    effects = per_key + per_txn
    figures = {"width": width, "storms": 2 * rounds, "requests": sum(total.kinds.values()), **total.as_dict(),
               "five_xx": total.fivexx(), "storms_with_exactly_one_effect": sum(1 for e in effects if e == 1),
               "effects_per_storm": effects, "distinct_answers_per_storm": distinct}  # fmt: skip
    say(f"retry storms: {figures['storms_with_exactly_one_effect']}/{2 * rounds} with exactly one effect, "
        f"statuses {figures['statuses']}")  # fmt: skip
    return figures
