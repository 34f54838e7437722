"""The replicated records' projection on PostgreSQL, in one statement: the batch's events are already in the
database (the inbox's temporary table, sharing/inbox.py), so the rules of sharing/records.py are applied
there, in SQL generated from the same tables (event type -> kind and status, payload field -> summary
field), with no Python per event: the federation's worker thread is the link's narrowest point (measured:
the Python projection doubled its CPU per event and halved the link's throughput).

Per record, the batch's events are folded as `records.merge` folds them: the newest by occurred_at sets the
status, unit and reference; each summary field is taken from the newest event that carries it; the history
is every event (type, time), oldest first, the last HISTORY_MAX kept. Then merged with the stored row: a
batch newer than the row overwrites the fields it carries, an older one only fills the missing ones."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import cache

from sqlalchemy import text
from sqlalchemy.orm import Session

from haiquan.enforcement.catalogue import EnforcementEvent
from haiquan.enforcement.domain import CaseStatus
from haiquan.kit.sql import pg_array
from haiquan.sharing import records
from haiquan.supervision.catalogue import SupervisionEvent

ORDER = "occurred_at DESC, ord DESC"  # the newest first (ord: the order received, for equal times)
STAMP = """to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')"""


def _q(value: str) -> str:
    """A SQL string literal of a constant of this module (catalogue names, field names: no quote in them)."""
    assert "'" not in value
    return f"'{value}'"


def _scalar(key: str) -> str:
    """The payload field as the summary keeps it (a scalar by its catalogue's TypedDict; null is left out)."""
    return f"p -> {_q(key)}"


def _summary(fields: dict[str, str], extra: Iterable[tuple[str, str]] = ()) -> str:
    pairs = [f"{_q(name)}, {_scalar(key)}" for key, name in fields.items()]
    pairs += [f"{_q(name)}, {expr}" for name, expr in extra]
    return f"jsonb_strip_nulls(jsonb_build_object({', '.join(pairs)}))"


def _case(kind: str, by_kind: dict[str, str], default: str = "NULL") -> str:
    whens = " ".join(f"WHEN {_q(k)} THEN {expr}" for k, expr in by_kind.items())
    return f"CASE {kind} {whens} ELSE {default} END"


def _status_by_type(mapping: dict[str, str], otherwise: str) -> str:
    whens = " ".join(f"WHEN {_q(t)} THEN {_q(s)}" for t, s in mapping.items())
    return f"CASE type {whens} ELSE {otherwise} END"


@cache
def statement() -> str:
    trader = "to_jsonb(left(COALESCE(p ->> 'importer_tax_code', p ->> 'exporter_tax_code'), 80))"
    case_outcome = (
        f"CASE WHEN type = {_q(EnforcementEvent.CASE_STATUS_CHANGED)} "
        f"AND jsonb_typeof(p -> 'outcome') = 'string' THEN to_jsonb(left(p ->> 'outcome', 80)) END"
    )
    bills = "CASE jsonb_typeof(p -> 'consignments') WHEN 'array' THEN to_jsonb(jsonb_array_length(p -> 'consignments')) END"
    record_id = _case("kind", {
        "declaration": "p ->> 'number'", "manifest": "p ->> 'manifest_id'",
        "transit": "p ->> 'transit_id'", "case": "p ->> 'case_id'",
    })  # fmt: skip
    reference = _case("kind", {
        "declaration": "p ->> 'number'",
        "manifest": "COALESCE(NULLIF(p ->> 'reference', ''), p ->> 'manifest_id')",
        "transit": "COALESCE(NULLIF(p ->> 'number', ''), NULLIF(p ->> 'permit', ''), p ->> 'transit_id')",
        "case": "COALESCE(NULLIF(p ->> 'number', ''), p ->> 'case_id')",
    })  # fmt: skip
    ev = EnforcementEvent
    status = _case("kind", {
        "declaration": "NULLIF(p ->> 'status', '')",
        "manifest": _status_by_type(records.MANIFEST_STATUS, "NULL"),
        "transit": _status_by_type({SupervisionEvent.TRANSIT_PERMITTED: "permitted"}, "NULLIF(p ->> 'status', '')"),
        "case": _status_by_type({ev.CASE_OPENED: CaseStatus.DETECTED.value}, f"CASE WHEN type = {_q(ev.CASE_STATUS_CHANGED)} THEN NULLIF(p ->> 'to', '') END"),
    })  # fmt: skip
    summary = _case("kind", {
        "declaration": _summary(records.DECLARATION_FIELDS, [("trader_tax_code", trader)]),
        "manifest": _summary({k: v for k, v in records.MANIFEST_FIELDS.items() if k != "bills"}, [("bills", f"COALESCE({bills}, {_scalar('bills')})")]),
        "transit": _summary(records.TRANSIT_FIELDS),
        "case": _summary(records.CASE_FIELDS, [("outcome", case_outcome)]),
    }, "'{}'::jsonb")  # fmt: skip
    keep = records.HISTORY_MAX
    bounded = (
        "(SELECT COALESCE(jsonb_agg(e ORDER BY e ->> 1, i), '[]'::jsonb) FROM (SELECT e, i FROM "
        "jsonb_array_elements({h}) WITH ORDINALITY AS x(e, i) ORDER BY e ->> 1 DESC, i DESC "
        f"LIMIT {keep}) AS kept)"
    )
    newer = "EXCLUDED.updated_at >= r.updated_at"
    return f"""WITH ev AS (
    SELECT b.ord, b.id, b.node, b.unit, b.type, b.occurred_at, k.kind,
        COALESCE(b.payload, CAST(b.envelope AS jsonb) -> 'payload') AS p
    FROM hq_federated_events b
    JOIN unnest(CAST(:types AS varchar[]), CAST(:kinds AS varchar[])) AS k(type, kind) ON k.type = b.type
    WHERE b.id IN (SELECT unnest(CAST(:ids AS varchar[])))
), f AS (
    SELECT ord, id, node, unit, type, occurred_at, kind, left({record_id}, 64) AS record_id,
        left({reference}, 64) AS reference, left({status}, 40) AS status, {summary} AS summary
    FROM ev
), facts AS (SELECT * FROM f WHERE record_id IS NOT NULL AND record_id <> ''),
g AS (
    SELECT kind, record_id, count(*) AS events, max(occurred_at) AS updated_at,
        (array_agg(status ORDER BY {ORDER}) FILTER (WHERE status IS NOT NULL))[1] AS status,
        jsonb_agg(jsonb_build_array(type, {STAMP}) ORDER BY occurred_at, ord) AS history
    FROM facts GROUP BY kind, record_id
), latest AS (
    SELECT DISTINCT ON (kind, record_id) kind, record_id, reference, unit, node, type, id, summary
    FROM facts ORDER BY kind, record_id, {ORDER}
), fields AS (  -- a record told by several events: each summary field from the newest event that carries it
    SELECT kind, record_id, jsonb_object_agg(key, value) AS summary FROM (
        SELECT DISTINCT ON (kind, record_id, e.key) kind, record_id, e.key, e.value
        FROM facts, jsonb_each(facts.summary) AS e
        WHERE (kind, record_id) IN (SELECT kind, record_id FROM g WHERE events > 1)
        ORDER BY kind, record_id, e.key, {ORDER}
    ) AS newest GROUP BY kind, record_id
)
INSERT INTO replicated_records AS r (record_id, kind, reference, unit, origin, status, summary, history, events,
    last_event_id, updated_at, received_at)
SELECT g.record_id, g.kind, l.reference, l.unit, l.node, COALESCE(g.status, ''),
    COALESCE(fields.summary, l.summary) || jsonb_build_object('last_event', l.type),
    CASE WHEN g.events > {keep} THEN {bounded.format(h="g.history")} ELSE g.history END,
    g.events, l.id, g.updated_at, :now
FROM g JOIN latest AS l USING (kind, record_id) LEFT JOIN fields USING (kind, record_id)
ON CONFLICT (record_id, kind) DO UPDATE SET
    reference = CASE WHEN {newer} THEN EXCLUDED.reference ELSE r.reference END,
    unit = CASE WHEN {newer} THEN EXCLUDED.unit ELSE r.unit END,
    origin = CASE WHEN {newer} THEN EXCLUDED.origin ELSE r.origin END,
    status = CASE WHEN {newer} AND EXCLUDED.status <> '' THEN EXCLUDED.status ELSE r.status END,
    summary = CASE WHEN {newer} THEN r.summary || EXCLUDED.summary ELSE EXCLUDED.summary || r.summary END,
    history = {bounded.format(h="r.history || EXCLUDED.history")},
    events = r.events + EXCLUDED.events,
    last_event_id = CASE WHEN {newer} THEN EXCLUDED.last_event_id ELSE r.last_event_id END,
    updated_at = GREATEST(r.updated_at, EXCLUDED.updated_at),
    received_at = EXCLUDED.received_at"""


@cache
def kinds() -> tuple[str, str]:
    """The event types that tell of a record and their kinds, as two array literals (catalogue members)."""
    types = sorted(records.READERS)
    return pg_array(types), pg_array(records.READERS[t][0] for t in types)


def project(session: Session, ids: list[str], now: datetime) -> None:
    """The records told by the events of these ids, which the inbox's temporary table holds."""
    types, kinds_ = kinds()
    params = {"types": types, "kinds": kinds_, "ids": pg_array(ids), "now": now}
    session.execute(text(statement()), params)
