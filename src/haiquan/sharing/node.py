"""A federated node's link to NATS JetStream, run in its own thread with its own event loop:
- the relay publishes the outbox (and agency feeds) in sequence order, the event id as Nats-Msg-Id, and
  marks what JetStream acknowledged;
- on a parent, the federation consumer applies the children's events sourced into its hub stream;
- on every node, the reference consumer applies reference data flowing down, in version order."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import nats
import structlog
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, ExternalStream, StreamConfig, StreamSource
from sqlalchemy import func, select, update

from haiquan.kit import clock
from haiquan.kit.db import Database
from haiquan.kit.outbox import Event
from haiquan.kit.tables import OutboxEvent
from haiquan.organization import service as org
from haiquan.sharing import domain, service
from haiquan.sharing import metrics as m
from haiquan.sharing.domain import NodeLayout
from haiquan.sharing.downward import follow_references
from haiquan.sharing.tables import AgencyDelivery

log = structlog.get_logger(__name__)
DUPLICATE_WINDOW_S = 3600.0


def load_layout(db: Database, unit: str, parent: str, children: str) -> NodeLayout:
    with db.unit_of_work() as uow:
        tree = org.load_tree(uow.session)
    kids = [c.strip() for c in children.split(",") if c.strip()]
    return NodeLayout.build(tree, unit, parent=parent or None, children=kids)


def stream_configs(layout: NodeLayout) -> list[StreamConfig]:
    unit = layout.unit
    sources = [
        StreamSource(
            name=domain.event_stream(c), external=ExternalStream(api=f"$JS.{domain.domain_of(c)}.API")
        )
        for c in layout.children
    ]
    events = StreamConfig(
        name=domain.event_stream(unit),
        subjects=domain.unit_subjects(layout.own_units),
        sources=sources or None,
        duplicate_window=DUPLICATE_WINDOW_S,
    )
    if layout.parent:
        ext = ExternalStream(api=f"$JS.{domain.domain_of(layout.parent)}.API")
        ref = StreamConfig(
            name=domain.ref_stream(unit),
            sources=[StreamSource(name=domain.ref_stream(layout.parent), external=ext)],
        )
    else:
        ref = StreamConfig(
            name=domain.ref_stream(unit),
            subjects=[f"{domain.REF_PREFIX}.>"],
            duplicate_window=DUPLICATE_WINDOW_S,
        )
    return [events, ref]


def source_node(msg: Msg) -> str | None:
    """The child node a sourced message came from (Nats-Stream-Source: "EV_01AB:<id> <seq>")."""
    src = (msg.headers or {}).get("Nats-Stream-Source", "")
    name = src.split(":", 1)[0].split(" ", 1)[0]
    return name[3:] if name.startswith("EV_") else None


@dataclass
class SharingNode:
    db: Database
    url: str
    layout: NodeLayout
    on_applied: Callable[[], None] = lambda: None
    batch: int = 1000
    interval: float = 0.05  # relay poll when not woken (events committed by other processes)
    fetch_wait: float = 0.1  # longest a parent waits to fill a batch: bounds the added lag
    _loop: asyncio.AbstractEventLoop | None = None
    _wake: asyncio.Event | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _agency_streams: set[str] = field(default_factory=set)
    ready: threading.Event = field(default_factory=threading.Event)
    source_pending: dict[str, int] = field(default_factory=dict)  # per child: not yet sourced up
    _status_at: float = 0.0
    _pending_at: float = 0.0

    # --- lifecycle (called from other threads) ---
    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, name=f"haiquan-sharing-{self.layout.unit}", daemon=True
        )
        self._thread.start()

    def wake(self) -> None:
        loop, ev = self._loop, self._wake
        if loop is not None and ev is not None and not loop.is_closed():
            loop.call_soon_threadsafe(ev.set)

    def stop(self) -> None:
        self._stop.set()
        self.wake()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main())
        finally:
            loop.close()

    async def _main(self) -> None:
        self._wake = asyncio.Event()

        last: dict[str, float] = {}

        async def on_error(exc: Exception) -> None:  # the same error at most every 30 s (reconnect loops)
            key, now = str(exc), asyncio.get_running_loop().time()
            if now - last.get(key, -60.0) >= 30:
                last[key] = now
                log.warning("nats_error", error=key)

        nc = await self._connect(on_error)
        if nc is None:
            return
        js = nc.jetstream(timeout=5)
        while not self._stop.is_set():
            try:
                for cfg in stream_configs(self.layout):
                    await _ensure_stream(js, cfg)
                break
            except Exception as exc:
                log.warning("streams_not_ready", error=str(exc))
                await asyncio.sleep(1)
        self.ready.set()
        tasks = [
            asyncio.create_task(self._relay(js)),
            asyncio.create_task(
                follow_references(js, db=self.db, unit=self.layout.unit, on_applied=self.on_applied)
            ),
        ]
        if self.layout.children:
            tasks.append(asyncio.create_task(self._federate(js)))
        while not self._stop.is_set():
            await asyncio.sleep(0.1)
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        with contextlib.suppress(Exception):  # the server may be gone: do not wait on it
            await asyncio.wait_for(nc.close(), 2)

    async def _connect(self, on_error: Callable[[Exception], Any]) -> Client | None:
        while not self._stop.is_set():
            try:
                nc: Client = await nats.connect(
                    self.url, max_reconnect_attempts=-1, reconnect_time_wait=0.5, error_cb=on_error
                )
                return nc
            except Exception as exc:
                log.warning("nats_connect_failed", error=str(exc))
                await asyncio.sleep(1)
        return None

    async def _idle(self) -> None:
        assert self._wake is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), self.interval)
        self._wake.clear()

    # --- relay ---
    async def _relay(self, js: JetStreamContext) -> None:
        while True:
            try:
                sent = await self._relay_events(js)
                sent += await self._relay_agency(js)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("relay_failed", error=str(exc))
                await asyncio.sleep(0.5)
                continue
            if sent == 0:
                await self._report_pending()
                await self._idle()

    async def _report_pending(self) -> None:
        loop = asyncio.get_running_loop()
        if loop.time() - self._pending_at >= 2:
            self._pending_at = loop.time()
            m.RELAY_PENDING.set(await asyncio.to_thread(pending_count, self.db))

    async def _publish_in_order(self, js: JetStreamContext, items: list[tuple[str, bytes, str]]) -> int:
        """Publish pipelined; return how many, from the first, JetStream acknowledged."""
        futures = [await js.publish_async(s, body, headers={"Nats-Msg-Id": mid}) for s, body, mid in items]
        with contextlib.suppress(TimeoutError):  # unacknowledged ones are published again
            await asyncio.wait_for(asyncio.gather(*futures, return_exceptions=True), timeout=10)
        acked = 0
        for f in futures:
            if not f.done() or f.cancelled() or f.exception() is not None:
                break
            acked += 1
        for f in futures[acked:]:
            f.cancel()
        return acked

    async def _relay_events(self, js: JetStreamContext) -> int:
        events = await asyncio.to_thread(self._unpublished)
        if not events:
            return 0
        items = [(e.subject, domain.encode(e), e.id) for e in events]
        acked = await self._publish_in_order(js, items)
        if acked:
            await asyncio.to_thread(self._mark, OutboxEvent, OutboxEvent.id, [e.id for e in events[:acked]])
            m.RELAYED.inc(acked)
        if acked < len(events):
            log.warning("relay_incomplete", acked=acked, batch=len(events))
            await asyncio.sleep(0.5)
        return acked

    def _unpublished(self) -> list[Event]:
        with self.db.unit_of_work() as uow:
            rows = uow.session.scalars(
                select(OutboxEvent)
                .where(
                    OutboxEvent.published_at.is_(None),
                    OutboxEvent.origin.is_(None),
                    OutboxEvent.unit.in_(sorted(self.layout.own_units)),
                )
                .order_by(OutboxEvent.seq)
                .limit(self.batch)
            ).all()
            return [Event.from_row(r) for r in rows]

    def _mark(self, table: Any, key: Any, ids: list[Any]) -> None:
        with self.db.unit_of_work() as uow:
            uow.session.execute(update(table).where(key.in_(ids)).values(published_at=clock.now()))
            uow.commit()

    async def _relay_agency(self, js: JetStreamContext) -> int:
        rows = await asyncio.to_thread(self._agency_pending)
        if not rows:
            return 0
        for agency in {r[1] for r in rows} - self._agency_streams:
            name = domain.agency_stream(agency)
            await _ensure_stream(js, StreamConfig(name=name, subjects=[f"{domain.AGENCY_PREFIX}.{agency}.>"]))
            self._agency_streams.add(agency)
        items = [
            (subject, json.dumps(body, default=str).encode(), f"{agr}:{body['id']}")
            for _, _, subject, body, agr in rows
        ]
        acked = await self._publish_in_order(js, items)
        if acked:
            await asyncio.to_thread(
                self._mark, AgencyDelivery, AgencyDelivery.seq, [r[0] for r in rows[:acked]]
            )
            for _, agency, *_rest in rows[:acked]:
                m.AGENCY_RELAYED.labels(agency).inc()
        return acked

    def _agency_pending(self) -> list[tuple[int, str, str, dict[str, Any], str]]:
        with self.db.unit_of_work() as uow:
            rows = uow.session.scalars(
                select(AgencyDelivery)
                .where(AgencyDelivery.published_at.is_(None))
                .order_by(AgencyDelivery.seq)
                .limit(self.batch)
            ).all()
            return [(r.seq, r.agency, r.subject, r.body, r.agreement_id) for r in rows]

    # --- federation consumer (parent) ---
    async def _federate(self, js: JetStreamContext) -> None:
        stream = domain.event_stream(self.layout.unit)
        durable = f"fed_{self.layout.unit}"
        cfg = ConsumerConfig(ack_policy=AckPolicy.ALL, max_ack_pending=50_000, ack_wait=60)
        sub = None
        while sub is None:
            try:
                sub = await js.pull_subscribe("", durable=durable, stream=stream, config=cfg)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("federation_consumer_not_ready", error=str(exc))
                await asyncio.sleep(1)
        while True:
            try:
                msgs = await sub.fetch(self.batch, timeout=self.fetch_wait)
            except asyncio.CancelledError:
                raise
            except (nats.errors.TimeoutError, TimeoutError):  # nothing new
                await self._refresh_sources(js)
                continue
            except Exception as exc:  # a broker hiccup: ask again
                log.warning("federation_fetch_failed", error=str(exc))
                await asyncio.sleep(0.5)
                continue
            try:
                await self._apply_batch(msgs)
            except asyncio.CancelledError:
                raise
            except Exception:  # not acknowledged: redelivered after ack_wait, applied once
                log.exception("federation_apply_failed", batch=len(msgs))
                await asyncio.sleep(1)
            await self._refresh_sources(js)

    async def _refresh_sources(self, js: JetStreamContext) -> None:
        loop = asyncio.get_running_loop()
        if loop.time() - self._status_at < 2:
            return
        self._status_at = loop.time()
        try:
            info = await js.stream_info(domain.event_stream(self.layout.unit))
        except Exception as exc:
            log.warning("stream_info_failed", error=str(exc))
            return
        for src in info.sources or []:
            name = src.name or ""
            if name.startswith("EV_"):
                self.source_pending[name[3:]] = int(src.lag or 0)

    async def _apply_batch(self, msgs: list[Msg]) -> None:
        if not msgs:  # a fetch can end with a status only
            return
        batch: list[service.Received] = []
        for msg in msgs:
            node = source_node(msg)
            if node is None:
                continue  # this node's own events: applied locally already
            try:
                ev = domain.decode(msg.data, origin=node)
            except domain.EnvelopeError as exc:
                log.error("bad_envelope", node=node, error=str(exc))
                continue
            batch.append(service.Received(ev, node, msg.metadata.sequence.stream))
        if batch:
            applied, _refused = await asyncio.to_thread(self._ingest, batch)
            now = clock.now()
            for r in batch:
                m.LAG.labels(r.node).set((now - r.event.occurred_at).total_seconds())
            if applied:
                self.on_applied()
        await msgs[-1].ack()

    def _ingest(self, batch: list[service.Received]) -> tuple[int, list[service.Received]]:
        with self.db.unit_of_work() as uow:
            applied, refused = service.ingest(uow.session, batch=batch, layout=self.layout)
            uow.commit()
        now = clock.now()
        for r in batch:
            m.LAG_HIST.observe(max(0.0, (now - r.event.occurred_at).total_seconds()))
        for r in refused:
            m.REFUSED.labels(r.node).inc()
            log.error("event_refused", node=r.node, unit=r.event.unit, event_id=r.event.id)
        m.DUPLICATES.inc(len(batch) - applied - len(refused))
        for node in {r.node for r in batch}:
            m.RECEIVED.labels(node).inc(sum(1 for r in batch if r.node == node))
        return applied, refused


async def _ensure_stream(js: JetStreamContext, cfg: StreamConfig) -> None:
    try:
        await js.stream_info(cfg.name or "")
    except nats.js.errors.NotFoundError:
        await js.add_stream(cfg)
        return
    await js.update_stream(cfg)


def pending_count(db: Database) -> int:
    with db.unit_of_work() as uow:
        n = uow.session.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(OutboxEvent.published_at.is_(None), OutboxEvent.origin.is_(None))
        )
    return int(n or 0)
