"""Writing a batch of federated events, exactly once: the inbox row (`federated_events`, primary key = event
id) and the outbox copy (`origin` set) of every event not seen before, in the caller's transaction.

On PostgreSQL the batch goes to the server once, by COPY into a temporary table, and two INSERT ... SELECT
... ON CONFLICT DO NOTHING (one statement) keep the events that are new and return their ids: no IN list of a
thousand bind parameters, no per-row statement. Elsewhere (SQLite, one writer at a time) the ids already
seen are read first and the rest inserted with executemany."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from psycopg.types.json import Jsonb
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from haiquan.kit.outbox import Event
from haiquan.kit.tables import OutboxEvent
from haiquan.sharing.tables import FederatedEvent

IN_LIST = 500  # ids per IN (...) on SQLite

BATCH_TABLE = """CREATE TEMP TABLE IF NOT EXISTS hq_federated_batch (
    ord integer, id varchar(32), node varchar(16), unit varchar(16), type varchar(80), version integer,
    subject varchar(200), occurred_at timestamptz, actor varchar(120), payload jsonb, envelope text,
    stream_seq bigint
) ON COMMIT DELETE ROWS"""
BATCH_COLUMNS = (
    "ord, id, node, unit, type, version, subject, occurred_at, actor, payload, envelope, stream_seq"
)
# The inbox takes the events neither it nor the outbox holds; the outbox copy follows in batch (stream)
# order, so the Dispatcher applies them in the order they arrived.
APPLY_NEW = """WITH fresh AS (
    INSERT INTO federated_events (id, node, unit, type, occurred_at, received_at, stream_seq)
    SELECT b.id, b.node, b.unit, b.type, b.occurred_at, %(now)s, b.stream_seq FROM hq_federated_batch b
    WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.id = b.id) ORDER BY b.ord
    ON CONFLICT (id) DO NOTHING RETURNING id
)
INSERT INTO outbox (id, type, version, unit, subject, occurred_at, actor, payload, published_at, origin)
SELECT b.id, b.type, b.version, b.unit, b.subject, b.occurred_at, b.actor,
    COALESCE(b.payload, CAST(b.envelope AS jsonb) -> 'payload'), %(now)s, b.node
FROM hq_federated_batch b JOIN fresh f ON f.id = b.id ORDER BY b.ord
RETURNING id"""


class Item(Protocol):
    """What is written of an event received (sharing/service.Received)."""

    @property
    def event(self) -> Event: ...
    @property
    def node(self) -> str: ...  # the child node it came through
    @property
    def stream_seq(self) -> int: ...
    @property
    def envelope(self) -> str | None: ...  # the event's envelope as received (JSON text), if kept


def write_new(session: Session, items: Sequence[Item], now: datetime) -> set[str]:
    """Inbox row and outbox copy for each event whose id is neither in the inbox nor in the outbox;
    returns the ids written. Ids must be distinct within `items`."""
    if not items:
        return set()
    if session.get_bind().dialect.name == "postgresql":
        return _write_new_pg(session, items, now)
    return _write_new_portable(session, items, now)


def _write_new_pg(session: Session, items: Sequence[Item], now: datetime) -> set[str]:
    raw = session.connection().connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur:
        cur.execute(BATCH_TABLE)
        cur.execute("DELETE FROM hq_federated_batch")  # a second batch in the same transaction
        with cur.copy(f"COPY hq_federated_batch ({BATCH_COLUMNS}) FROM STDIN") as cp:
            for i, it in enumerate(items):
                ev = it.event
                head = (i, ev.id, it.node, ev.unit, ev.type, ev.version, ev.subject, ev.occurred_at)
                # the payload is read by the database from the envelope as received, when it was kept
                payload = Jsonb(ev.payload) if it.envelope is None else None
                cp.write_row((*head, ev.actor, payload, it.envelope, it.stream_seq))
        cur.execute(APPLY_NEW, {"now": now})
        return {row[0] for row in cur.fetchall()}


def _write_new_portable(session: Session, items: Sequence[Item], now: datetime) -> set[str]:
    ids = [it.event.id for it in items]
    seen: set[str] = set()
    for i in range(0, len(ids), IN_LIST):
        chunk = ids[i : i + IN_LIST]
        seen.update(session.scalars(select(FederatedEvent.id).where(FederatedEvent.id.in_(chunk))))
        seen.update(session.scalars(select(OutboxEvent.id).where(OutboxEvent.id.in_(chunk))))
    inbox: list[dict[str, Any]] = []
    copies: list[dict[str, Any]] = []
    for it in items:
        ev, node, seq = it.event, it.node, it.stream_seq
        if ev.id in seen:
            continue
        common = {"id": ev.id, "unit": ev.unit, "type": ev.type, "occurred_at": ev.occurred_at}
        inbox.append(common | {"node": node, "received_at": now, "stream_seq": seq})
        copies.append(
            common
            | {"version": ev.version, "subject": ev.subject, "actor": ev.actor, "payload": ev.payload}
            | {"published_at": now, "origin": node}
        )
    if inbox:
        session.execute(insert(FederatedEvent), inbox)
        session.execute(insert(OutboxEvent), copies)
    return {row["id"] for row in inbox}
