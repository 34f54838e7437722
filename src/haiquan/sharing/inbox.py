"""Writing a batch of federated events, exactly once: the outbox copy (`origin` set: the node's in-process
consumers apply it, the relay never sends it up again) of every event whose id the outbox does not hold,
in the caller's transaction. The outbox's unique id is the inbox: a redelivered event is a no-op.

On PostgreSQL the batch goes to the server once, by COPY into a temporary table, and one INSERT ... SELECT
... ON CONFLICT DO NOTHING keeps the events that are new and returns their ids: no IN list of a thousand bind
parameters, no per-row statement. The ids already held are left out before the insert, not by the conflict
alone: a row that conflicts has taken a sequence number already, and a hole in the sequence holds the
dispatcher's marks back until it settles. Elsewhere (SQLite, one writer at a time) the ids already held are
read first and the rest inserted with executemany.

Until migration 0011 each event was also written to an inbox table of its own (`federated_events`): two
inserts and four index entries per event instead of one insert and two (decision 0004, fourth pass)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from psycopg.types.json import Jsonb
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from haiquan.kit.outbox import Event
from haiquan.kit.tables import OutboxEvent

IN_LIST = 500  # ids per IN (...) on SQLite

BATCH_TABLE = """CREATE TEMP TABLE IF NOT EXISTS hq_federated_events (
    ord integer, id varchar(32), node varchar(16), unit varchar(16), type varchar(80), version integer,
    subject varchar(200), occurred_at timestamptz, actor varchar(120), payload jsonb, envelope text
) ON COMMIT DELETE ROWS"""
BATCH_COLUMNS = "ord, id, node, unit, type, version, subject, occurred_at, actor, payload, envelope"
# in batch (stream) order, so the Dispatcher applies them in the order they arrived. OFFSET 0 keeps the
# NOT EXISTS a subplan, one probe of the outbox's unique index per event: written as a plain NOT EXISTS (an
# anti-join) the database's time per event grew with the outbox, 23 -> 55 us from 20,000 to 100,000 rows
# in the same micro-benchmark where the subplan stayed at 23-29 us (the plan at fault was not pinned down:
# EXPLAIN showed index probes in both forms)
APPLY_NEW = """INSERT INTO outbox (id, type, version, unit, subject, occurred_at, actor, payload, published_at, origin)
SELECT b.id, b.type, b.version, b.unit, b.subject, b.occurred_at, b.actor,
    COALESCE(b.payload, CAST(b.envelope AS jsonb) -> 'payload'), %(now)s, b.node
FROM hq_federated_events b WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.id = b.id OFFSET 0) ORDER BY b.ord
ON CONFLICT (id) DO NOTHING
RETURNING id"""


class Item(Protocol):
    """What is written of an event received (sharing/service.Received)."""

    @property
    def event(self) -> Event: ...
    @property
    def node(self) -> str: ...  # the child node it came through
    @property
    def envelope(self) -> str | None: ...  # the event's envelope as received (JSON text), if kept


def write_new(session: Session, items: Sequence[Item], now: datetime) -> set[str]:
    """The outbox copy of each event whose id the outbox does not hold; returns the ids written. Ids must be
    distinct within `items`."""
    if not items:
        return set()
    if session.get_bind().dialect.name == "postgresql":
        return _write_new_pg(session, items, now)
    return _write_new_portable(session, items, now)


def _write_new_pg(session: Session, items: Sequence[Item], now: datetime) -> set[str]:
    raw = session.connection().connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur:
        # one round trip: the table (once per connection) and emptied (a second batch in one transaction)
        cur.execute(f"{BATCH_TABLE}; DELETE FROM hq_federated_events")
        with cur.copy(f"COPY hq_federated_events ({BATCH_COLUMNS}) FROM STDIN") as cp:
            for i, it in enumerate(items):
                ev = it.event
                head = (i, ev.id, it.node, ev.unit, ev.type, ev.version, ev.subject, ev.occurred_at)
                # the payload is read by the database from the envelope as received, when it was kept
                payload = Jsonb(ev.payload) if it.envelope is None else None
                cp.write_row((*head, ev.actor, payload, it.envelope))
        cur.execute(APPLY_NEW, {"now": now})
        return {row[0] for row in cur.fetchall()}


def _write_new_portable(session: Session, items: Sequence[Item], now: datetime) -> set[str]:
    ids = [it.event.id for it in items]
    seen: set[str] = set()
    for i in range(0, len(ids), IN_LIST):
        chunk = ids[i : i + IN_LIST]
        seen.update(session.scalars(select(OutboxEvent.id).where(OutboxEvent.id.in_(chunk))))
    copies: list[dict[str, Any]] = [
        {
            "id": ev.id,
            "type": ev.type,
            "version": ev.version,
            "unit": ev.unit,
            "subject": ev.subject,
            "occurred_at": ev.occurred_at,
            "actor": ev.actor,
            "payload": ev.payload,
            "published_at": now,
            "origin": it.node,
        }
        for it in items
        if (ev := it.event).id not in seen
    ]
    if copies:
        session.execute(insert(OutboxEvent), copies)
    return {row["id"] for row in copies}
