"""The parent's federation consumer: the children's events, sourced into the node's hub stream, applied in
batches exactly once (inbox, outbox copy, summary and agency feeds in one transaction; sharing/service).

A durable pull consumer with AckAll, pulled through sharing/wire.Puller: one acknowledgement, of a batch's
last message, once the batch is committed. The next batch is fetched and decoded while one is being written
(worker threads), and is applied only after it, so batches are applied and acknowledged in stream order. A
batch that fails is tried again (after 0.5, 1, 2 ... s, at most every 30 s) and nothing after it is applied
meanwhile: acknowledging a later batch would acknowledge the failed one too (AckAll), and it would never be
delivered again.

A fetch waits 30 ms at most to fill a batch (the lag it adds); once a fetch brings nothing, the next asks
for one message and waits up to a second for it, then for the rest of a batch as usual: an idle parent
asks its hub once a second, not thirty times."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import nats
import structlog
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, ConsumerInfo, DeliverPolicy

from haiquan.kit import clock
from haiquan.kit.backlog import Busy
from haiquan.kit.db import Database
from haiquan.sharing import domain, service
from haiquan.sharing import metrics as m
from haiquan.sharing.domain import NodeLayout
from haiquan.sharing.wire import Puller

log = structlog.get_logger(__name__)
RETRY_MAX = 30.0


def source_node(msg: Msg) -> str | None:
    """The child node a sourced message came from (Nats-Stream-Source: "EV_01AB:<id> <seq>")."""
    src = (msg.headers or {}).get("Nats-Stream-Source", "")
    name = src.split(":", 1)[0].split(" ", 1)[0]
    return name[3:] if name.startswith("EV_") else None


def _ack_tokens(reply: str) -> list[str]:
    """The tokens after the consumer's name in a JetStream ack subject, in either form
    ($JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<time>.<pending> or
    $JS.ACK.<domain>.<hash>.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<time>.<pending>[.<token>]),
    without building nats-py's Metadata; [] for a subject of neither form."""
    tokens = reply.split(".")
    if len(tokens) == 9:
        return tokens[4:]
    return tokens[6:11] if len(tokens) >= 11 else []


def stream_seq(reply: str) -> int:
    """The stream sequence of a delivered message (0 if its ack subject has neither form: the sequence is
    kept for information only)."""
    tokens = _ack_tokens(reply)
    return int(tokens[1]) if tokens and tokens[1].isdigit() else 0


def pending_after(reply: str) -> int:
    """How many messages the consumer had still to deliver after this one (0 if unknown)."""
    tokens = _ack_tokens(reply)
    return int(tokens[4]) if tokens and tokens[4].isdigit() else 0


def received(msgs: list[Msg]) -> tuple[list[service.Received], service.Totals]:
    """The children's events of a fetched batch (this node's own events are applied locally already), each
    with its envelope's text, and their summary rows summed: worked out while the batch before is written."""
    batch: list[service.Received] = []
    sums: service.Totals = {}
    for msg in msgs:
        node = source_node(msg)
        if node is None or not msg.reply:
            continue
        try:
            text = msg.data.decode()  # once: decoded here, kept for the outbox copy
            ev = domain.decode(text, origin=node)
        except (domain.EnvelopeError, UnicodeDecodeError) as exc:
            log.error("bad_envelope", node=node, error=str(exc))
            continue
        batch.append(service.Received(ev, node, stream_seq(msg.reply), text))
        service.sum_into(sums, ev)
    return batch, sums


async def _from_ack_floor(js: JetStreamContext, stream: str, cfg: ConsumerConfig, info: ConsumerInfo) -> None:
    """Messages delivered and never acknowledged (a process killed, or a link stopped, before it committed
    a batch) are delivered again only after ack_wait, and the next puller would meanwhile take the messages
    after them, whose acknowledgement (AckAll) would acknowledge them unapplied: lost. So a link starting
    while some are pending starts its consumer again from the acknowledgement floor (what was applied
    again is skipped by its id)."""
    floor = info.ack_floor.stream_seq if info.ack_floor is not None else 0
    log.warning("federation_consumer_from_ack_floor", pending=info.num_ack_pending, floor=floor)
    await js.delete_consumer(stream, cfg.durable_name or "")
    start = replace(cfg, deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=(floor or 0) + 1)
    await js.add_consumer(stream, config=start)


@dataclass
class Federation:
    db: Database
    layout: NodeLayout
    on_applied: Callable[[], None] = lambda: None
    batch: int = 1000
    fetch_wait: float = 0.03  # longest a fetch waits to fill a batch: bounds the added lag
    idle_wait: float = 1.0  # while nothing comes, a request waits this long for the first message
    ack_wait: float = 60.0  # a batch fetched and not acknowledged is delivered again after this
    busy: Busy = field(default_factory=Busy)  # marked while a batch or more waits in the hub (kit/backlog)
    source_pending: dict[str, int] = field(default_factory=dict)  # per child: not yet sourced up
    _status_at: float = 0.0
    _quiet: bool = False  # the last fetch brought nothing

    async def run(self, nc: Client, js: JetStreamContext) -> None:
        puller = await self._consumer(nc, js)
        applying: asyncio.Task[None] | None = None
        try:
            while True:
                msgs = await self._fetch(puller)
                # decoded in a worker thread while the batch before is still being written (its time in
                # the database leaves the interpreter free)
                ready = await asyncio.to_thread(received, msgs) if msgs else None
                if applying is not None:
                    await applying  # committed and acknowledged (it retries until it is)
                    applying = None
                if ready is not None:
                    applying = asyncio.create_task(self.apply(msgs, ready))
                if nc.is_connected:  # while reconnecting it would only time out, every 2 s
                    await self._refresh_sources(js)
        finally:
            if applying is not None:
                applying.cancel()
            await puller.close()

    async def _consumer(self, nc: Client, js: JetStreamContext) -> Puller:
        stream, durable = domain.event_stream(self.layout.unit), f"fed_{self.layout.unit}"
        cfg = ConsumerConfig(
            durable_name=durable, ack_policy=AckPolicy.ALL, max_ack_pending=50_000, ack_wait=self.ack_wait
        )
        while True:
            try:
                try:
                    info = await js.consumer_info(stream, durable)
                    if info.num_ack_pending:
                        await _from_ack_floor(js, stream, cfg, info)
                except nats.js.errors.NotFoundError:
                    await js.add_consumer(stream, config=cfg)
                return Puller(nc, stream, durable)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("federation_consumer_not_ready", error=str(exc))
                await asyncio.sleep(1)

    async def _fetch(self, puller: Puller) -> list[Msg]:
        try:
            if self._quiet:  # nothing came last time: one request waits for the first message, up to a second
                msgs = await puller.fetch(1, self.idle_wait)
                if msgs:  # and the rest of a batch as usual
                    msgs += await puller.fetch(self.batch - 1, self.fetch_wait)
            else:
                msgs = await puller.fetch(self.batch, self.fetch_wait)
            self._quiet = not msgs
            # behind by a batch or more: a fetch may come back short of a batch while the hub still holds
            # thousands (it waits fetch_wait at most), so the pending count says it, not the batch's size
            if msgs and (len(msgs) == self.batch or pending_after(msgs[-1].reply or "") >= self.batch):
                self.busy.mark()
            return msgs
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a broker hiccup: ask again
            log.warning("federation_fetch_failed", error=str(exc))
            await asyncio.sleep(0.5)
            return []

    async def apply(self, msgs: list[Msg], ready: tuple[list[service.Received], service.Totals]) -> None:
        """Apply a fetched batch (`ready`: its events and summary, from `received`), trying again until it
        is committed, then acknowledge it (AckAll)."""
        events, sums = ready
        delay = 0.5
        while True:
            try:  # written in a worker thread: the loop goes on fetching
                applied = await asyncio.to_thread(self._ingest, events, sums) if events else 0
                break
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # not acknowledged; nothing after it is applied meanwhile
                if delay == 0.5:
                    log.exception("federation_apply_failed", batch=len(msgs))
                else:
                    log.warning("federation_apply_failed_again", batch=len(msgs), error=repr(exc))
                await asyncio.sleep(delay)
                delay = min(RETRY_MAX, delay * 2)
        if applied:
            self.on_applied()
        try:
            await msgs[-1].ack()
        except Exception as exc:  # not acknowledged: delivered again after ack_wait, skipped by its id
            log.warning("federation_ack_failed", error=str(exc))

    def _ingest(self, batch: list[service.Received], sums: service.Totals) -> int:
        with self.db.unit_of_work() as uow:
            applied, refused = service.ingest(uow.session, batch=batch, layout=self.layout, sums=sums)
            uow.commit()
        now = clock.now()
        last: dict[str, float] = {}
        for r in batch:
            lag = (now - r.event.occurred_at).total_seconds()
            m.LAG_HIST.observe(max(0.0, lag))
            last[r.node] = lag
        for node, lag in last.items():
            m.LAG.labels(node).set(lag)
            m.RECEIVED.labels(node).inc(sum(1 for r in batch if r.node == node))
        for r in refused:
            m.REFUSED.labels(r.node).inc()
            log.error("event_refused", node=r.node, unit=r.event.unit, event_id=r.event.id)
        m.DUPLICATES.inc(len(batch) - applied - len(refused))
        return applied

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
