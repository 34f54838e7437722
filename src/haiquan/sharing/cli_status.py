"""`haiquan sharing totals` and `haiquan sharing status`: what a node has received from each child node, its
per-unit totals, each node's reference versions and which worker holds the link."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from haiquan.kit import clock
from haiquan.kit.auth import UNSCOPED
from haiquan.kit.cli_support import database
from haiquan.kit.settings import get_settings
from haiquan.sharing import domain, reference, repository
from haiquan.sharing.connect import node_urls, unit_options
from haiquan.sharing.holding import DUTY

console = Console()


def register(app: typer.Typer) -> None:
    app.command("totals")(totals_cmd)
    app.command("status")(status)


def totals_cmd(
    since: Annotated[str, typer.Option(help="First day, YYYY-MM-DD (Vietnam time)")] = "",
    type_prefix: Annotated[str, typer.Option("--type", help="Only event types starting with this")] = "",
) -> None:
    """The per-unit summary this node holds (its own units and every child node's subtree)."""
    from datetime import date

    with database().unit_of_work() as uow:
        rows = repository.totals(
            uow.session, scope=UNSCOPED, since=date.fromisoformat(since) if since else None
        )
    table = Table()
    for col in ("unit", "type", "count", "amount (VND)"):
        table.add_column(col)
    for r in rows:
        if r.dim == "" and r.type.startswith(type_prefix):
            table.add_row(r.unit, r.type, str(r.count), f"{r.amount:,.0f}")
    console.print(table)


def status(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Per child node: events received, the last one, its delay, and what is still pending; per node (this
    one and those below it) and kind of reference data: the version applied and the refusals."""
    s = get_settings()
    children = [c.strip() for c in s.child_nodes.split(",") if c.strip()]
    with database().unit_of_work() as uow:
        rows = repository.child_status(uow.session, nodes=children, scope=UNSCOPED)
        pending_relay = (
            repository.unscoped_relay_pending(uow.session) if s.nats_url else None
        )  # embedded: no relay
        versions = reference.versions(uow.session, s.unit)
        holder = repository.unscoped_link_holder(uow.session, duty=DUTY) if s.nats_url else None
    sources = asyncio.run(asyncio.wait_for(_all_source_lags(), 10)) if s.nats_url else {}
    data: dict[str, Any] = {
        "unit": s.unit,
        "relay_pending": pending_relay,
        "children": [],
        "references": versions,
    }
    data["link_holder"] = _holder(holder)
    for r in rows:
        data["children"].append(
            {
                "node": r.node,
                "received": r.received,
                "last_received_at": r.last_received_at.isoformat() if r.last_received_at else None,
                "last_occurred_at": r.last_occurred_at.isoformat() if r.last_occurred_at else None,
                "last_lag_s": r.last_lag_s,
                "silent_s": r.silent_s,
                "pending": sources.get(r.node),
            }
        )
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    relay = "embedded, no NATS relay" if pending_relay is None else f"relay pending {pending_relay}"
    table = Table(title=f"node {s.unit}: {relay}")
    for col in ("child node", "received", "last event (VN)", "delay s", "silent s", "pending"):
        table.add_column(col)
    for c in data["children"]:
        last = r_vn(c["last_occurred_at"])
        table.add_row(
            c["node"],
            str(c["received"]),
            last,
            _num(c["last_lag_s"]),
            _num(c["silent_s"]),
            _num(c["pending"]),
        )
    console.print(table)
    refs = Table(title="reference data: versions applied per node (refusals: older or bad documents)")
    for col in ("node", "kind", "version", "applied (VN)", "refused", "last refused"):
        refs.add_column(col)
    for v in versions:
        last = f"v{v['last_refused_version']} {v['last_refused_why']}" if v["last_refused_version"] else "-"
        refs.add_row(
            v["node"], v["kind"], str(v["version"] or "-"), r_vn(v["applied_at"]), str(v["refused"]), last
        )
    console.print(refs)
    if s.nats_url:
        console.print(_holder_line(data["link_holder"]))


def _holder(h: repository.Holder | None) -> dict[str, Any] | None:
    if h is None:
        return None
    return {
        "host": h.host,
        "pid": h.pid,
        "taken_at": h.taken_at.isoformat(),
        "seen_at": h.seen_at.isoformat(),
        "silent_s": round(h.silent_s, 1),
    }


def _holder_line(h: dict[str, Any] | None) -> str:
    """Who holds the link (its relay and consumers) among the workers serving this node's database."""
    if h is None:
        return "link: not held (no worker running, or the last holder gave it up)"
    since = r_vn(h["taken_at"])
    stale = "" if h["silent_s"] < 15 else f" - silent for {h['silent_s']:.0f} s: gone? the others take over"
    return f"link held by pid {h['pid']} on {h['host']} since {since} (VN){stale}"


def r_vn(iso: str | None) -> str:
    if not iso:
        return "-"
    from datetime import datetime

    return clock.to_vn(datetime.fromisoformat(iso)).strftime("%Y-%m-%d %H:%M:%S")


def _num(v: float | int | None) -> str:
    return "-" if v is None else (f"{v:.2f}" if isinstance(v, float) else str(v))


async def _all_source_lags() -> dict[str, int]:
    """Per child node, from each served department's server (one, but for a regional hub)."""
    s = get_settings()
    out: dict[str, int] = {}
    try:
        urls = node_urls(s.nats_url, domain.hub_units(s.unit))
    except ValueError:
        return out
    for unit, url in urls.items():
        out.update(await _source_lags(url, unit, unit_options(s, unit)))
    return out


async def _source_lags(url: str, unit: str, options: dict[str, Any]) -> dict[str, int]:
    """Messages in each child's stream not yet sourced into this node's stream."""
    import nats

    try:
        nc = await nats.connect(
            url, connect_timeout=2, max_reconnect_attempts=0, allow_reconnect=False, **options
        )
    except Exception:
        return {}
    try:
        info = await nc.jetstream(timeout=3).stream_info(domain.event_stream(unit))
        return {
            (src.name or "")[3:]: int(src.lag or 0)
            for src in (info.sources or [])
            if (src.name or "").startswith("EV_")
        }
    except Exception:
        return {}
    finally:
        await nc.close()
