"""A federated node's link to NATS JetStream, run in its own thread with its own event loop:
- the relay (sharing/relay) publishes the outbox (and agency feeds) in sequence order, the event id as
  Nats-Msg-Id, and marks what JetStream acknowledged; woken by the events committed in this process, and
  every 50 ms it asks the database, in one cheap query, whether another process committed any;
- on a parent, the federation consumer (sharing/federation) applies the children's events sourced into its
  hub stream;
- on every node, the reference consumer (sharing/downward) applies reference data flowing down, in version
  order."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import nats
import structlog
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import ExternalStream, StreamConfig, StreamSource

from haiquan.kit import threads
from haiquan.kit.backlog import Busy
from haiquan.kit.db import Database
from haiquan.organization import service as org
from haiquan.sharing import domain, work
from haiquan.sharing import metrics as m
from haiquan.sharing.domain import NodeLayout
from haiquan.sharing.downward import follow_references
from haiquan.sharing.federation import Federation
from haiquan.sharing.relay import Relay
from haiquan.sharing.wire import Publisher, quicken

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
    return [events, ref, *work.stream_configs(layout)]  # work routed down: sharing/work


@dataclass
class SharingNode:
    db: Database
    url: str
    layout: NodeLayout
    on_applied: Callable[[], None] = lambda: None
    batch: int = 2000  # events per relayed or applied batch (1,000: 8 % slower; 5,000: overlapped less)
    interval: float = 0.05  # relay poll when not woken (events committed by other processes)
    fetch_wait: float = 0.03  # longest a parent waits to fill a batch: bounds the added lag
    _loop: asyncio.AbstractEventLoop | None = None
    _wake: asyncio.Event | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    ready: threading.Event = field(default_factory=threading.Event)
    source_pending: dict[str, int] = field(default_factory=dict)  # per child: not yet sourced up
    busy: Busy = field(default_factory=Busy)  # marked while the relay or the consumer takes full batches
    _pending_at: float = 0.0
    options: dict[str, Any] = field(default_factory=dict)  # nats.connect's: nkey seed, TLS (sharing/connect)
    agency_feeds: bool = True  # relays the agency feeds (on a regional hub, one department's link only)

    def relay(self) -> Relay:
        routes = bool(self.layout.children)  # sharing/work
        kids = frozenset(self.layout.children)
        return Relay(
            self.db,
            self.layout.own_units,
            batch=self.batch,
            busy=self.busy,
            routes_work=routes,
            work_nodes=kids,
        )

    def federation(self) -> Federation:
        fed = Federation(self.db, self.layout, self.on_applied, self.batch, self.fetch_wait, busy=self.busy)
        fed.source_pending = self.source_pending  # shown by the status page while the link runs
        return fed

    # --- lifecycle (called from other threads) ---
    def start(self) -> None:
        """Run the link in its thread; again after `stop` (the process took the link back, sharing/holding)."""
        if self._thread is not None:
            if not self._stop.is_set():
                return  # running
            self._thread.join(timeout=10)  # a stop that outlasted its wait: let it end first
        self._stop.clear()
        self._thread = threads.start(self._run, "hq-link")

    def wake(self) -> None:
        loop, ev = self._loop, self._wake
        if loop is not None and ev is not None and not loop.is_closed():
            loop.call_soon_threadsafe(ev.set)

    def stop(self) -> None:
        """Stop the link: its tasks cancelled, its connection closed (the process gave the link up or lost
        it; its thread is waited for, up to 10 s, so that a link taken again does not overlap it)."""
        self._stop.set()
        self.wake()
        if self._thread is not None:
            self._thread.join(timeout=10)
            if self._thread.is_alive():
                log.warning("link_thread_still_running")  # waited for again by the next start
            else:
                self._thread = None
        self.ready.clear()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        loop.set_default_executor(threads.executor("hq-link-work"))  # asyncio.to_thread's workers
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
            asyncio.create_task(self._relay(js, self.relay(), Publisher(nc))),
            asyncio.create_task(
                follow_references(js, db=self.db, unit=self.layout.unit, on_applied=self.on_applied)
            ),
            *self._work_tasks(js),
        ]
        if self.layout.children:
            tasks.append(asyncio.create_task(self.federation().run(nc, js)))
        while not self._stop.is_set():
            await asyncio.sleep(0.1)
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        with contextlib.suppress(Exception):  # the server may be gone: do not wait on it
            await asyncio.wait_for(nc.close(), 2)

    def _work_tasks(self, js: JetStreamContext) -> list[asyncio.Task[None]]:
        """On a child node: applying the work its parent routes down to it (sharing/work)."""
        if not self.layout.parent:
            return []
        apply = work.follow_work(js, db=self.db, unit=self.layout.unit, on_applied=self.on_applied)
        return [asyncio.create_task(apply)]

    async def _connect(self, on_error: Callable[[Exception], Any]) -> Client | None:
        while not self._stop.is_set():
            try:
                nc: Client = await nats.connect(
                    self.url,
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=0.5,
                    error_cb=on_error,
                    **self.options,
                )
                return quicken(nc)
            except Exception as exc:
                log.warning("nats_connect_failed", error=str(exc))
                await asyncio.sleep(1)
        return None

    async def _idle(self) -> bool:
        """Wait to be woken (an event committed in this process) or `interval` seconds; True if woken."""
        assert self._wake is not None
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.interval):  # not wait_for: it can lose a cancellation (3.11)
                await self._wake.wait()
        woken = self._wake.is_set()
        self._wake.clear()
        return woken

    # --- relay ---
    async def _relay(self, js: JetStreamContext, relay: Relay, publisher: Publisher) -> None:
        try:
            while True:
                if await self._relay_once(js, relay, publisher) == 0:
                    await self._report_pending(relay)
                    # not woken: another process may have committed events; a cheap look first
                    while not await self._idle() and not await self._worth_relaying(relay):
                        await self._report_pending(relay)
        finally:
            relay.close()

    async def _relay_once(self, js: JetStreamContext, relay: Relay, publisher: Publisher) -> int:
        try:
            sent = await relay.relay_events(publisher)
            sent = await relay.relay_events(publisher)
            sent += await relay.relay_work(publisher)
            if not self.agency_feeds:  # a hub's other departments: the first one's link carries them
                return sent
            return sent + await relay.relay_agency(js, publisher, _ensure_stream)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("relay_failed", error=str(exc))
            await asyncio.sleep(0.5)
            return -1  # tried again at once

    async def _worth_relaying(self, relay: Relay) -> bool:
        try:
            return await asyncio.to_thread(relay.anything_to_send)
        except Exception as exc:  # the database is away: the relay will say it too
            log.warning("relay_poll_failed", error=str(exc))
            return True

    async def _report_pending(self, relay: Relay) -> None:
        """The metric of events still to send. It never raises: a database going away here ended the relay
        task for good (issue #25: nothing relayed after a PostgreSQL restart)."""
        loop = asyncio.get_running_loop()
        if loop.time() - self._pending_at >= 2:
            self._pending_at = loop.time()
            try:
                m.RELAY_PENDING.set(await asyncio.to_thread(relay.pending_count))
            except Exception as exc:
                log.warning("relay_pending_unknown", error=str(exc)[:200])


async def _ensure_stream(js: JetStreamContext, cfg: StreamConfig) -> None:
    try:
        await js.stream_info(cfg.name or "")
    except nats.js.errors.NotFoundError:
        await js.add_stream(cfg)
        return
    await js.update_stream(cfg)
