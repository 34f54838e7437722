"""Phase d: a sub-department node (01AB) cut off from its department (01), each node with its own nats-server
(leaf node and hub, as tests/federation runs them) and its own database on the private cluster. The
sub-department's nats-server is killed (SIGKILL) while declarations are lodged there; half-way the PostgreSQL
cluster under both nodes is restarted; then the link heals. Every event the sub-department recorded must
arrive at the department exactly once (its outbox copy, and once in its subtree totals)."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Callable
from typing import Any

from benchmarks.reliability import probe
from benchmarks.reliability.context import Ctx, say
from benchmarks.reliability.workload import MARK, declaration
from sqlalchemy import create_engine, func, select, text
from tests.federation.harness import Node
from tests.support import load_reference

from haiquan.kit.tables import OutboxEvent
from haiquan.organization import service as org
from haiquan.sharing.tables import UnitEventTotal

TAX = "0100109106"
LODGED = "declaration.lodged"


def _nodes(ctx: Ctx) -> tuple[Node, Node, str]:
    """The department and the sub-department, prepared (databases, units, tariff, a declarant); its API key."""
    admin = create_engine(ctx.cluster.url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in ("fed_01", "fed_01ab"):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    base, folder = ctx.cluster.url.rsplit("/", 1)[0], ctx.folder / "federation"
    dept = Node("01", folder / "n01", None, ["01AB"], database_url=base + "/fed_01")
    sub = Node("01AB", folder / "n01ab", "01", [], database_url=base + "/fed_01ab")
    dept.prepare(None)
    sub.prepare(dept.leaf_port)
    assert sub.db is not None
    load_reference(sub.db)
    with sub.db.unit_of_work() as uow:
        _, key = org.add_enterprise(
            uow.session, tax_code=TAX, name="Declarant", roles=["declarant"], actor="bench"
        )
        uow.commit()
    return dept, sub, key


async def _lodge_until(ctx: Ctx, sub: Node, key: str, stop: asyncio.Event, tally: probe.Tally) -> list[str]:
    """Lodgings at a steady rate, each retried with its key until a 2xx; the acknowledged keys."""
    acked: list[str] = []
    headers = {"Authorization": f"Bearer {key}"}
    async with probe.client(f"http://127.0.0.1:{sub.http_port}", ctx.cfg.answer_timeout_s, 4) as c:
        i = 0
        while not stop.is_set():
            i += 1
            k = f"part{ctx.run_id}-{i}"
            for _ in range(600):
                o = await probe.call(c, "POST", "/api/v1/declarations", json=declaration(TAX, k),
                                     headers=headers | {"Idempotency-Key": k})  # fmt: skip
                tally.add(o)
                if o.kind == probe.ANSWERED and o.status < 300:
                    acked.append(k)
                    break
                await asyncio.sleep(0.5)
            await asyncio.sleep(1 / ctx.cfg.partition_rate)
    return acked


async def _cut(ctx: Ctx, sub: Node, stop: asyncio.Event) -> float:
    """Kill the sub-department's nats-server, restart PostgreSQL half-way, end the load; the restart's seconds."""
    assert sub.nats is not None
    assert sub.nats.proc is not None
    sub.nats.proc.send_signal(signal.SIGKILL)
    sub.nats.proc.wait()
    sub.nats.proc = None
    say(f"partition: the sub-department's nats-server killed for {ctx.cfg.partition_s:.0f}s")
    await asyncio.sleep(ctx.cfg.partition_s / 2)
    took = await asyncio.to_thread(ctx.cluster.restart)
    say(f"partition: PostgreSQL restarted ({took:.1f}s)")
    await asyncio.sleep(ctx.cfg.partition_s / 2)
    stop.set()
    return took


def _wait(check: Callable[[], bool], timeout: float) -> bool:
    """Poll `check` until true (True) or `timeout` seconds (False: counted, the campaign goes on)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return False


def _converged(dept: Node, ids: list[str]) -> int:
    assert dept.db is not None
    with dept.db.engine.connect() as conn:
        q = (
            select(func.count())
            .select_from(OutboxEvent)
            .where(OutboxEvent.id.in_(ids), OutboxEvent.origin.is_not(None))
        )
        return int(conn.execute(q).scalar() or 0)


def _sub_events(sub: Node, since: int) -> list[str]:
    assert sub.db is not None
    with sub.db.engine.connect() as conn:
        q = select(OutboxEvent.id).where(OutboxEvent.seq > since, OutboxEvent.origin.is_(None))
        return [str(i) for i in conn.execute(q).scalars()]


def _seq(node: Node) -> int:
    assert node.db is not None
    with node.db.engine.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.max(OutboxEvent.seq), 0))).scalar() or 0)


def _lodged_total(dept: Node) -> int:
    assert dept.db is not None
    with dept.db.engine.connect() as conn:
        q = select(func.coalesce(func.sum(UnitEventTotal.count), 0)).where(
            UnitEventTotal.type == LODGED, UnitEventTotal.dim == "", UnitEventTotal.unit.like("01AB%")
        )
        return int(conn.execute(q).scalar() or 0)


def _lodged_rows(sub: Node, acked: list[str]) -> int:
    assert sub.db is not None
    from haiquan.declarations.tables import DeclarationRow

    with sub.db.engine.connect() as conn:
        q = select(func.count()).where(DeclarationRow.exporter_name.in_([MARK + k for k in acked]))
        return int(conn.execute(q).scalar() or 0)


async def _campaign(ctx: Ctx, dept: Node, sub: Node, key: str) -> dict[str, Any]:
    since, tally, stop = _seq(sub), probe.Tally(), asyncio.Event()
    before = _lodged_total(dept)
    acked, took = await asyncio.gather(_lodge_until(ctx, sub, key, stop, tally), _cut(ctx, sub, stop))
    for n in (dept, sub):  # this process's own pooled connections did not survive the restart
        assert n.db is not None
        n.db.engine.dispose()
    assert sub.nats is not None
    if sub.nats.proc is None:
        sub.nats.start()
    healed = time.monotonic()
    ids = _sub_events(sub, since)
    converged = await asyncio.to_thread(_wait, lambda: _converged(dept, ids) >= len(ids), 600)
    caught_up = time.monotonic() - healed
    await asyncio.to_thread(_wait, lambda: _lodged_total(dept) - before >= len(acked), 120)
    return {"partition_s": ctx.cfg.partition_s, "shortened": ctx.cfg.partition_s < 600, "pg_restart_s": round(took, 1),
            "lodged_acknowledged": len(acked), "lodged_in_sub_database": _lodged_rows(sub, acked),
            "events_recorded_at_sub": len(ids), "events_at_department": _converged(dept, ids),
            "department_lodged_total": _lodged_total(dept) - before, "caught_up_after_heal_s": round(caught_up, 1) if converged else None,
            **tally.as_dict(), "five_xx": tally.fivexx(), "unanswered": tally.kinds.get(probe.UNANSWERED, 0)}  # fmt: skip


def run(ctx: Ctx) -> dict[str, Any]:
    dept, sub, key = _nodes(ctx)
    try:
        for n in (dept, sub):
            assert n.nats is not None
            n.nats.start()
        dept.start_app()
        sub.start_app()
        figures = asyncio.run(_campaign(ctx, dept, sub, key))
    finally:
        for n in (sub, dept):
            n.stop()
    figures["lost"] = figures["events_recorded_at_sub"] - figures["events_at_department"]
    figures["duplicated"] = max(0, figures["department_lodged_total"] - figures["lodged_acknowledged"])
    say(f"partition: {figures['lodged_acknowledged']} lodged while cut off, {figures['events_at_department']}/"
        f"{figures['events_recorded_at_sub']} events at the department, caught up {figures['caught_up_after_heal_s']}s "
        f"after healing; statuses {figures['statuses']}")  # fmt: skip
    return figures
