"""Work that crosses nodes (decision 0039): an event that concerns a unit of another child node than the
one it came from is routed down to that node by the department, applied there once, and what the other
node does about it comes back up as its own event, routed down to the origin the same way.

- Domains register, per event type, the units an event concerns and how a routed event is applied
  (`register`); the routing rule (`targets`) is pure.
- At a parent: `route` (in the transaction that applies the children's events) writes `work_deliveries`
  rows, which the relay publishes (`pending`, `mark`) to hq.work.<parent>.<child>.<unit>.<type>, kept in
  the parent's WORK_<parent> stream; a unit of the parent's own is applied at once.
- At a child: WORKIN_<child> sources its parent's stream, filtered to its own subject; `follow_work`
  applies each message once (`work_received`, the event id as key), acknowledged after the commit."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable
from typing import Any

import nats
import structlog
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, ExternalStream, StreamConfig, StreamSource
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from haiquan.kit import clock
from haiquan.kit.db import Database
from haiquan.kit.outbox import Event
from haiquan.sharing import domain
from haiquan.sharing.domain import NodeLayout
from haiquan.sharing.tables import WorkDelivery, WorkReceived
from haiquan.sharing.wire import Item

log = structlog.get_logger(__name__)
WORK_PREFIX = domain.WORK_PREFIX
DUPLICATE_WINDOW_S = 3600.0

Concerns = Callable[[Event], Iterable[str]]  # the units an event concerns (its own unit may be among them)
Applier = Callable[[Session, Event, str], None]  # (session, event, the node it was recorded at)
CONCERNS: dict[str, Concerns] = {}
APPLIERS: dict[str, Applier] = {}


def register(types: Iterable[str], *, concerns: Concerns, apply: Applier) -> None:
    """A domain says which units its events concern and how one routed to this node is applied."""
    for t in types:
        CONCERNS[str(t)], APPLIERS[str(t)] = concerns, apply


# --- the rule (pure) ---------------------------------------------------------------------------------


def targets(layout: NodeLayout, event: Event, came_from: str | None) -> list[str]:
    """The nodes an event must reach, seen from `layout`'s node, for an event that came through the child
    node `came_from` (None: recorded here): the child nodes (or this node itself) holding a unit the event
    concerns, less the node it came from (the same database has it). Units outside this node's subtree are
    not routed from here."""
    concerns = CONCERNS.get(event.type)
    if concerns is None:
        return []
    here = came_from or layout.unit
    out: list[str] = []
    for unit in concerns(event):
        node = layout.child_of(unit) or (layout.unit if unit in layout.own_units else None)
        if node is not None and node != here and node not in out:
            out.append(node)
    return out


def work_subject(parent: str, child: str, event: Event) -> str:
    return f"{WORK_PREFIX}.{parent}.{child}.{event.unit}.{event.type}"


def work_stream(unit: str) -> str:
    """A parent's stream of what it routes down to its children."""
    return f"WORK_{unit}"


def inbound_stream(unit: str) -> str:
    """A child's stream of what its parent routed down to it."""
    return f"WORKIN_{unit}"


def stream_configs(layout: NodeLayout) -> list[StreamConfig]:
    out = []
    if layout.children:
        out.append(
            StreamConfig(
                name=work_stream(layout.unit),
                subjects=[f"{WORK_PREFIX}.{layout.unit}.>"],
                duplicate_window=DUPLICATE_WINDOW_S,
            )
        )
    if layout.parent:
        src = StreamSource(
            name=work_stream(layout.parent),
            filter_subject=f"{WORK_PREFIX}.{layout.parent}.{layout.unit}.>",
            external=ExternalStream(api=f"$JS.{domain.domain_of(layout.parent)}.API"),
        )
        out.append(StreamConfig(name=inbound_stream(layout.unit), sources=[src]))
    return out


# --- at a parent: routing and the relay's part ---------------------------------------------------------


def route(session: Session, *, layout: NodeLayout, events: Iterable[tuple[Event, str | None]]) -> int:
    """Route newly applied events (each with the child node it came through, None: recorded here), in the
    caller's transaction: a delivery row per child node to reach, applied at once where the unit is this
    node's own. Returns how many deliveries were written."""
    rows: list[dict[str, Any]] = []
    now = clock.now()
    for event, came_from in events:
        for node in targets(layout, event, came_from):
            origin = came_from or layout.unit
            if node == layout.unit:
                _apply_here(session, event, origin)
                continue
            body = {"from_node": origin, "event": domain.envelope(event)}
            subject = work_subject(layout.unit, node, event)
            rows.append(
                {"node": node, "event_id": event.id, "subject": subject, "body": body, "created_at": now}
            )
    if rows:
        session.execute(insert(WorkDelivery), rows)
    return len(rows)


def _apply_here(session: Session, event: Event, origin: str) -> None:
    """A routed event for a unit of this (parent) node, applied in the batch's transaction, in a savepoint:
    an applier that fails is logged and skipped, it never holds the federation link back (the batch would
    be tried again for ever)."""
    try:
        with session.begin_nested():
            apply_routed(session, event, origin)
    except Exception:
        log.exception("work_apply_failed", event_id=event.id, type=event.type, from_node=origin)


def pending(db: Database, nodes: Iterable[str] = (), limit: int = 500) -> list[tuple[int, Item]]:
    """The deliveries still to publish, in order; only those to `nodes` when named (on a regional hub each
    department's link publishes its own children's)."""
    q = (
        select(WorkDelivery.seq, WorkDelivery.node, WorkDelivery.event_id, WorkDelivery.subject)
        .add_columns(WorkDelivery.body)
        .where(WorkDelivery.published_at.is_(None))
        .order_by(WorkDelivery.seq)
        .limit(limit)
    )
    if nodes:
        q = q.where(WorkDelivery.node.in_(sorted(nodes)))
    with db.reading() as uow:
        rows = uow.session.execute(q).all()
    return [
        (seq, (subject, json.dumps(body, default=str).encode(), f"{event_id}:{node}"))
        for seq, node, event_id, subject, body in rows
    ]


def mark(db: Database, seqs: list[int]) -> None:
    with db.unit_of_work() as uow:
        stmt = update(WorkDelivery).where(WorkDelivery.seq.in_(seqs)).values(published_at=clock.now())
        uow.session.execute(stmt.execution_options(synchronize_session=False))
        uow.commit()


# --- at the node it reaches: applied once ----------------------------------------------------------------


def apply_routed(session: Session, event: Event, from_node: str) -> bool:
    """Apply a routed event once (the inbox row first: a redelivery is a no-op); False if it was already
    applied. A type no domain registered is noted and skipped."""
    if session.get(WorkReceived, event.id) is not None:
        return False
    session.add(
        WorkReceived(event_id=event.id, type=event.type, from_node=from_node, received_at=clock.now())
    )
    session.flush()
    applier = APPLIERS.get(event.type)
    if applier is None:
        log.warning("work_type_unknown", type=event.type, event_id=event.id)
        return True
    applier(session, event, from_node)
    return True


def apply_message(db: Database, data: bytes) -> bool:
    """One message of the node's WORKIN stream, applied in its own transaction (False: already applied or
    malformed, nothing written)."""
    try:
        body = json.loads(data)
        from_node = str(body["from_node"])
        event = domain.decode(json.dumps(body["event"]))
    except (KeyError, TypeError, ValueError) as exc:
        log.error("bad_work_message", error=str(exc))
        return False
    with db.unit_of_work() as uow:
        applied = apply_routed(uow.session, event, from_node)
        if applied:
            uow.commit()
    return applied


async def follow_work(
    js: JetStreamContext, *, db: Database, unit: str, on_applied: Callable[[], None]
) -> None:
    """Pull the node's WORKIN stream for ever; a message is acknowledged once applied (or malformed), so a
    crash redelivers it and the inbox makes applying it again a no-op."""
    sub = await _subscription(js, unit)
    while True:
        try:
            msgs = await sub.fetch(50, timeout=1)
        except asyncio.CancelledError:
            raise
        except (nats.errors.TimeoutError, TimeoutError):
            continue
        except Exception as exc:
            log.warning("work_fetch_failed", error=str(exc))
            await asyncio.sleep(0.5)
            continue
        for msg in msgs:
            try:
                if await asyncio.to_thread(apply_message, db, msg.data):
                    on_applied()
            except Exception:  # not acknowledged: redelivered; the inbox makes it idempotent
                log.exception("work_apply_failed")
                await asyncio.sleep(0.5)
                break
            await msg.ack()


async def _subscription(js: JetStreamContext, unit: str) -> JetStreamContext.PullSubscription:
    cfg = ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, ack_wait=60)
    while True:
        try:
            return await js.pull_subscribe(
                "", durable=f"work_{unit}", stream=inbound_stream(unit), config=cfg
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("work_consumer_not_ready", error=str(exc))
            await asyncio.sleep(1)
