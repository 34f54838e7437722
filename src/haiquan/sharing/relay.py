"""The relay: a node's own outbox events published to its JetStream server in sequence order, each its own
message with the event id as Nats-Msg-Id, and marked `published_at` once JetStream acknowledged them; and
the agency feeds the same way.

Pipelined in three stages: while batch k is published and acknowledged (sharing/wire.Publisher), batch k+1
is read and encoded (a worker thread; the rows of batch k are left out by their sequence range); while
batch k+1 is published, batch k is marked (a worker thread, one UPDATE). A batch is published only once the one before is wholly acknowledged,
so per-unit order holds; a batch not wholly acknowledged drops the read-ahead, waits for the marks and
starts again from the oldest unpublished row. A crash between acknowledgement and mark republishes:
JetStream drops the duplicate (duplicate window one hour) and the parent's inbox would too."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from nats.js import JetStreamContext
from nats.js.api import StreamConfig
from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Text,
    any_,
    cast,
    exists,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql

from haiquan.kit import clock
from haiquan.kit.backlog import Busy
from haiquan.kit.db import Database
from haiquan.kit.outbox import Event
from haiquan.kit.tables import OutboxEvent
from haiquan.sharing import domain, work
from haiquan.sharing import metrics as m
from haiquan.sharing.tables import AgencyDelivery, WorkDelivery
from haiquan.sharing.wire import Item, Publisher

log = structlog.get_logger(__name__)
Ensure = Callable[[JetStreamContext, StreamConfig], Awaitable[None]]


PORTABLE_COLUMNS = (
    OutboxEvent.seq,
    OutboxEvent.id,
    OutboxEvent.type,
    OutboxEvent.version,
    OutboxEvent.unit,
    OutboxEvent.subject,
    OutboxEvent.occurred_at,
    OutboxEvent.actor,
)
# domain.encode_with_payload in SQL: strings as JSON by to_json (escapes as Python's json does, non-ASCII
# kept), the instant in UTC as datetime.isoformat writes it (microseconds only when there are some), the
# payload as jsonb's text
_UTC = "(outbox.occurred_at AT TIME ZONE 'UTC')"
PG_ENVELOPE = literal_column(
    f"""concat('{{"envelope":{domain.ENVELOPE_VERSION},"id":', to_json(outbox.id)::text,
    ',"type":', to_json(outbox.type)::text, ',"version":', outbox.version,
    ',"unit":', to_json(outbox.unit)::text, ',"subject":', to_json(outbox.subject)::text,
    ',"occurred_at":"', to_char({_UTC}, 'YYYY-MM-DD"T"HH24:MI:SS'),
    CASE WHEN to_char({_UTC}, 'US') = '000000' THEN '' ELSE '.' || to_char({_UTC}, 'US') END,
    '+00:00","actor":', to_json(outbox.actor)::text, ',"payload":', outbox.payload::text, '}}')""",
    Text,
)


@dataclass
class Outgoing:
    """A batch read from the outbox: sequence numbers in order and the messages to publish."""

    seqs: list[int]
    items: list[Item]


@dataclass
class Relay:
    db: Database
    own_units: frozenset[str]
    batch: int = 1000
    busy: Busy = field(default_factory=Busy)  # marked for each full batch read (kit/backlog)
    routes_work: bool = False  # a node with child nodes: it publishes the work routed to them
    work_nodes: frozenset[str] = frozenset()  # those child nodes (a regional hub: one department's link each)
    _agency_streams: set[str] = field(default_factory=set)
    _poll: Connection | None = None  # the idle poll's (anything_to_send)
    _pending_q: Select[tuple[bool]] | None = None

    # --- the idle poll ---
    def anything_to_send(self) -> bool:
        """Whether an event or an agency delivery waits to be published: the poll of an idle node (events
        committed by other processes wake nobody here), one query on a connection kept open, both
        partial indexes. Reading the outbox and the agency table as the relay does cost twenty times
        as much, twenty times a second, on every idle node."""
        if self._pending_q is None:  # built once: building it cost twice what running it does
            waiting = [
                exists().where(*self._unpublished()),
                exists().where(AgencyDelivery.published_at.is_(None)),
            ]
            if self.routes_work:
                mine = [WorkDelivery.node.in_(sorted(self.work_nodes))] if self.work_nodes else []
                waiting.append(exists().where(WorkDelivery.published_at.is_(None), *mine))
            self._pending_q = select(or_(*waiting))
        conn = self._poll
        try:
            if conn is None or conn.closed or conn.invalidated:
                conn = self._poll = self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            return bool(conn.execute(self._pending_q).scalar())
        except Exception:
            self.close()  # a fresh connection next time
            raise

    def close(self) -> None:
        if self._poll is not None:
            with contextlib.suppress(Exception):
                self._poll.close()
            self._poll = None

    def _unpublished(self) -> tuple[ColumnElement[bool], ...]:
        """The node's own events not yet published (federated copies never)."""
        return (
            OutboxEvent.published_at.is_(None),
            OutboxEvent.origin.is_(None),
            OutboxEvent.unit.in_(sorted(self.own_units)),
        )

    # --- outbox events ---
    def unpublished(self, skip: tuple[int, int] | None = None) -> Outgoing:
        """The oldest unpublished events of the node's own units (federated copies never), encoded, leaving
        out the sequence range `skip` (a batch in flight)."""
        o = OutboxEvent
        pg = self.db.dialect == "postgresql"
        # on PostgreSQL the database writes each envelope (the same bytes as domain.encode_with_payload):
        # encoding them here was the relay's largest share of the interpreter
        columns = (o.seq, o.id, o.subject, PG_ENVELOPE) if pg else (*PORTABLE_COLUMNS, cast(o.payload, Text))
        q = select(*columns).where(*self._unpublished()).order_by(OutboxEvent.seq).limit(self.batch)
        if skip is not None:
            q = q.where(not_(OutboxEvent.seq.between(*skip)))
        with self.db.reading() as uow:  # Core rows: the ORM's loading added a tenth to this read
            rows = uow.session.connection().execute(q).all()
        if len(rows) == self.batch:
            self.busy.mark()
        return _outgoing_pg(rows) if pg else _outgoing_portable(rows)

    def mark(self, seqs: list[int]) -> None:
        with self.db.unit_of_work() as uow:
            where = _seq_among(uow.session.get_bind().dialect.name, seqs)
            stmt = update(OutboxEvent).where(where).values(published_at=clock.now())
            # no objects of these rows in the session: nothing to synchronise (it fetched every key)
            uow.session.execute(stmt.execution_options(synchronize_session=False))
            uow.commit()

    async def relay_events(self, publisher: Publisher) -> int:
        """Publish until the outbox holds nothing unpublished (or a batch is not wholly acknowledged);
        returns how many events JetStream acknowledged."""
        if not publisher.connected:  # nats-py is reconnecting to the node's server: later
            return 0
        sent = 0
        marking: asyncio.Future[None] | None = None
        ahead: asyncio.Future[Outgoing] | None = None
        out = await asyncio.to_thread(self.unpublished)
        try:
            while out.seqs:
                if marking is not None:
                    await marking  # the batch before is marked: it cannot be read again
                ahead = asyncio.ensure_future(
                    asyncio.to_thread(self.unpublished, (out.seqs[0], out.seqs[-1]))
                )
                acked = await publisher.publish(out.items)
                if acked:
                    marking = asyncio.ensure_future(asyncio.to_thread(self.mark, out.seqs[:acked]))
                    sent += acked
                    m.RELAYED.inc(acked)
                if acked < len(out.seqs):  # published again from the first unacknowledged, after a pause
                    log.warning("relay_incomplete", acked=acked, batch=len(out.seqs))
                    await asyncio.sleep(0.5)
                    break
                out, ahead = await ahead, None
        finally:  # nothing left running; a read-ahead not taken is dropped
            await asyncio.gather(*(f for f in (ahead, marking) if f is not None), return_exceptions=True)
        error = marking.exception() if marking is not None else None
        if error is not None:  # not marked: published again and de-duplicated
            raise error
        return sent

    # --- agency feeds ---
    def agency_pending(self) -> list[tuple[int, str, str, dict[str, Any], str]]:
        with self.db.unit_of_work() as uow:
            rows = uow.session.scalars(
                select(AgencyDelivery)
                .where(AgencyDelivery.published_at.is_(None))
                .order_by(AgencyDelivery.seq)
                .limit(self.batch)
            ).all()
            return [(r.seq, r.agency, r.subject, r.body, r.agreement_id) for r in rows]

    def mark_agency(self, seqs: list[int]) -> None:
        with self.db.unit_of_work() as uow:
            stmt = update(AgencyDelivery).where(AgencyDelivery.seq.in_(seqs)).values(published_at=clock.now())
            uow.session.execute(stmt.execution_options(synchronize_session=False))
            uow.commit()

    async def relay_agency(self, js: JetStreamContext, publisher: Publisher, ensure_stream: Ensure) -> int:
        if not publisher.connected:
            return 0
        rows = await asyncio.to_thread(self.agency_pending)
        if not rows:
            return 0
        for agency in {r[1] for r in rows} - self._agency_streams:
            name = domain.agency_stream(agency)
            await ensure_stream(js, StreamConfig(name=name, subjects=[f"{domain.AGENCY_PREFIX}.{agency}.>"]))
            self._agency_streams.add(agency)
        items = [
            (subject, json.dumps(body, default=str).encode(), f"{agr}:{body['id']}")
            for _, _, subject, body, agr in rows
        ]
        acked = await publisher.publish(items)
        if acked:
            await asyncio.to_thread(self.mark_agency, [r[0] for r in rows[:acked]])
            for _, agency, *_rest in rows[:acked]:
                m.AGENCY_RELAYED.labels(agency).inc()
        return acked

    # --- work routed down to child nodes (sharing/work) ---
    async def relay_work(self, publisher: Publisher) -> int:
        """Publish the work routed to child nodes (the stream WORK_<unit> exists on a parent); the
        Nats-Msg-Id is the event id and the child, so a republished delivery is dropped by JetStream."""
        if not self.routes_work or not publisher.connected:
            return 0
        rows = await asyncio.to_thread(work.pending, self.db, self.work_nodes)
        if not rows:
            return 0
        acked = await publisher.publish([item for _, item in rows])
        if acked:
            await asyncio.to_thread(work.mark, self.db, [seq for seq, _ in rows[:acked]])
        return acked

    def pending_count(self) -> int:
        with self.db.reading() as uow:
            n = uow.session.scalar(
                select(func.count())
                .select_from(OutboxEvent)
                .where(OutboxEvent.published_at.is_(None), OutboxEvent.origin.is_(None))
            )
        return int(n or 0)


def _outgoing_pg(rows: Sequence[Sequence[Any]]) -> Outgoing:
    out = Outgoing([], [])
    for seq, id_, subject, body in rows:
        out.seqs.append(seq)
        out.items.append((subject, body.encode(), id_))
    return out


def _outgoing_portable(rows: Sequence[Sequence[Any]]) -> Outgoing:
    out = Outgoing([], [])
    for seq, id_, type_, version, unit, subject, occurred_at, actor, payload in rows:
        ev = Event(id_, seq, type_, version, unit, subject, occurred_at, actor, {})
        out.seqs.append(seq)
        out.items.append((subject, domain.encode_with_payload(ev, payload), id_))
    return out


def _seq_among(dialect: str, seqs: list[int]) -> ColumnElement[bool]:
    """The rows of a batch: a range when its sequence numbers are consecutive (the usual case), else one
    array parameter on PostgreSQL, an IN list elsewhere."""
    if seqs and seqs[-1] - seqs[0] + 1 == len(seqs):
        return OutboxEvent.seq.between(seqs[0], seqs[-1])
    if dialect == "postgresql":
        return OutboxEvent.seq == any_(literal(seqs, type_=postgresql.ARRAY(postgresql.BIGINT)))
    return OutboxEvent.seq.in_(seqs)
