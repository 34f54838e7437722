"""The replicated read model of child nodes' records (decision 0038): a department opens a sub-department's
declaration, manifest, transit or enforcement case from its own database, as the events it has received
tell it, even while the link is down.

`project` runs in the outbox consumer `sharing.records` (sharing/handlers.py) over the events federated from
child nodes, which `service.ingest` wrote to this node's outbox (origin = the child node): exactly once, as
every consumer's events, and off the link's path (projected in ingest's transaction it took half of the
federation's throughput, decision 0038); while the link drains a backlog the dispatcher keeps to a fifth
of the time, so records follow the link by seconds then. Per chunk: one read of the rows the chunk touches
and one bulk upsert, whatever the number of events. The rules (which event tells which record what) are pure:
`fact_of` and `merge`. What is kept: the status, a small summary of fields the payloads carry (tax codes of
enterprises, amounts, the lane; never a person: enforcement payloads name none, and no declaration field
that names a person is picked) and the last HISTORY_MAX events (type and time)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from haiquan.cargo.catalogue import CargoEvent
from haiquan.declarations.catalogue import DeclarationEvent
from haiquan.enforcement.catalogue import EnforcementEvent
from haiquan.enforcement.domain import CaseStatus
from haiquan.kit import clock
from haiquan.kit.outbox import Event
from haiquan.sharing import records_repository as repo
from haiquan.supervision.catalogue import SupervisionEvent

HISTORY_MAX = 50  # events kept per record (the count of all is `events`)
TEXT_MAX = 80  # a summary's text value is cut to this length
ID_MAX = 64  # a record's id and reference
KINDS = ("declaration", "manifest", "transit", "case")


class Arrived(Protocol):
    """An event applied by ingest (service.Received): the event and the child node it came through."""

    @property
    def event(self) -> Event: ...
    @property
    def node(self) -> str: ...


@dataclass(frozen=True)
class Fact:
    """What one event tells of one record."""

    kind: str
    record_id: str
    reference: str
    status: str | None  # None: the event does not change the status
    summary: dict[str, Any]
    event: Event


Told = tuple[str, str, str | None, dict[str, Any]]  # record id, reference, status, summary


def _text(value: Any) -> str | None:
    return value[:TEXT_MAX] if isinstance(value, str) and value else None


SCALARS = frozenset({str, int, float, bool})


def _pick(payload: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """The payload's fields named (payload key -> summary key): texts cut, numbers and flags as they are,
    anything else (lists, objects, null) left out. In the federation's hot path: one pass, no call per field."""
    out = {name: v for key, name in names.items() if type(v := payload.get(key)) in SCALARS}
    for name, v in out.items():
        if type(v) is str and len(v) > TEXT_MAX:
            out[name] = v[:TEXT_MAX]
    return out


DECLARATION_FIELDS = {
    "kind": "kind",
    "category": "category",
    "declarant_tax_code": "declarant_tax_code",
    "importer_tax_code": "importer_tax_code",
    "exporter_tax_code": "exporter_tax_code",
    "channel": "lane",
    "transport_mode": "transport_mode",
    "transport_document": "transport_document",
    "package_count": "package_count",
    "customs_value_vnd": "customs_value_vnd",
    "total_duties": "total_duties",
    "duties_settled": "duties_settled",
    "amendment_no": "amendment_no",
    "lodged_at": "lodged_at",
    "registered_at": "registered_at",
    "cleared_at": "cleared_at",
}


def _declaration(type_: str, p: dict[str, Any]) -> Told | None:
    number = _text(p.get("number"))
    if number is None:
        return None
    summary = _pick(p, DECLARATION_FIELDS)
    trader = p.get("importer_tax_code") or p.get("exporter_tax_code")
    if isinstance(trader, str):
        summary["trader_tax_code"] = trader[:TEXT_MAX]
    return number, number, _text(p.get("status")), summary


MANIFEST_FIELDS = {
    "mode": "mode",
    "vessel": "vessel",
    "voyage": "voyage",
    "location_code": "location_code",
    "expected_arrival": "expected_arrival",
    "version": "version",
    "bills": "bills",
    "undischarged": "undischarged",
    "over_discharged": "over_discharged",
}
MANIFEST_STATUS: dict[str, str] = {
    CargoEvent.MANIFEST_RECEIVED: "received",
    CargoEvent.MANIFEST_AMENDED: "amended",
    CargoEvent.MANIFEST_WRITTEN_OFF: "written_off",
}


def _manifest(type_: str, p: dict[str, Any]) -> Told | None:
    manifest_id = _text(p.get("manifest_id"))
    if manifest_id is None:
        return None
    summary = _pick(p, MANIFEST_FIELDS)
    if isinstance(p.get("consignments"), list):
        summary["bills"] = len(p["consignments"])
    return manifest_id, _text(p.get("reference")) or manifest_id, MANIFEST_STATUS.get(type_), summary


TRANSIT_FIELDS = {
    "number": "number",
    "transport": "transport",
    "tax_code": "trader_tax_code",
    "departure_office": "departure_office",
    "destination_office": "destination_office",
    "deadline": "deadline",
    "outcome": "outcome",
    "goods_id": "goods_id",
    "from": "from",
    "to": "to",
    "permit": "permit",
    "hours_allowed": "hours_allowed",
}


def _transit(type_: str, p: dict[str, Any]) -> Told | None:
    transit_id = _text(p.get("transit_id"))
    if transit_id is None:
        return None
    status = "permitted" if type_ == SupervisionEvent.TRANSIT_PERMITTED else _text(p.get("status"))
    reference = _text(p.get("number")) or _text(p.get("permit")) or transit_id
    return transit_id, reference, status, _pick(p, TRANSIT_FIELDS)


CASE_FIELDS = {"field": "field", "route": "route", "province": "province", "region": "region"}


def _case(type_: str, p: dict[str, Any]) -> Told | None:
    case_id = _text(p.get("case_id"))
    if case_id is None:
        return None
    status = None
    if type_ == EnforcementEvent.CASE_OPENED:
        status = CaseStatus.DETECTED.value
    elif type_ == EnforcementEvent.CASE_STATUS_CHANGED:
        status = _text(p.get("to"))
    summary = _pick(p, CASE_FIELDS)
    if type_ == EnforcementEvent.CASE_STATUS_CHANGED and isinstance(p.get("outcome"), str):
        summary["outcome"] = p["outcome"][:TEXT_MAX]
    return case_id, _text(p.get("number")) or case_id, status, summary


TRANSIT_EVENTS = frozenset(
    {
        SupervisionEvent.TRANSIT_PERMITTED,
        SupervisionEvent.TRANSIT_DECLARED,
        SupervisionEvent.TRANSIT_ACCEPTED,
        SupervisionEvent.TRANSIT_REFUSED,
        SupervisionEvent.TRANSIT_CANCELLED,
        SupervisionEvent.TRANSIT_ARRIVED,
        SupervisionEvent.TRANSIT_DEADLINE_PASSED,
    }
)
# Which record kind each event type tells of, and how to read it: every type of the producers' catalogues
# that names one record (a batch of gate movements names many goods and is left to the totals)
READERS: dict[str, tuple[str, Callable[[str, dict[str, Any]], Told | None]]] = (
    {str(t): ("declaration", _declaration) for t in DeclarationEvent}
    | {str(t): ("manifest", _manifest) for t in CargoEvent}
    | {str(t): ("transit", _transit) for t in TRANSIT_EVENTS}
    | {str(t): ("case", _case) for t in EnforcementEvent}
)


TYPES = frozenset(READERS)


@dataclass(frozen=True)
class FromOutbox:
    """An event federated from a child node, read back from this node's outbox: `node` is its origin."""

    event: Event
    node: str


def project_federated(session: Session, events: Iterable[Event]) -> int:
    """`project` over outbox events: those federated from a child node (the others are skipped)."""
    return project(session, [FromOutbox(e, e.origin) for e in events if e.origin is not None])


def fact_of(event: Event) -> Fact | None:
    """What the event tells of the one record it names, or None (another type, or a payload without the
    record's id: never an error in the federation's path)."""
    reader = READERS.get(event.type)
    if reader is None:
        return None
    kind, read = reader
    told = read(event.type, event.payload)
    if told is None:
        return None
    record_id, reference, status, summary = told
    return Fact(kind, record_id[:ID_MAX], reference[:ID_MAX], status and status[:40], summary, event)


def _stamp(at: datetime) -> str:
    """The time as ISO 8601 in UTC (an event's time is UTC already but for a rare envelope)."""
    return (at if at.tzinfo is UTC else at.astimezone(UTC)).isoformat(timespec="microseconds")


def merge(row: dict[str, Any] | None, facts: Sequence[Fact], *, origin: str, now: datetime) -> dict[str, Any]:
    """The record's row after `facts` (one record's, in the order received) on top of `row` (as stored,
    or None). The newest event (by occurred_at) sets the status, unit and summary fields it carries; an older
    one arriving late only fills in fields still missing and takes its place in the history."""
    first = facts[0]
    if row is None and len(facts) == 1:  # the common case, a record new with this batch: no copies
        ev = first.event
        summary = first.summary
        summary["last_event"] = ev.type
        return {
            "record_id": first.record_id, "kind": first.kind, "reference": first.reference, "unit": ev.unit,
            "origin": origin, "status": first.status or "", "summary": summary,
            "history": [[ev.type, _stamp(ev.occurred_at)]], "events": 1, "last_event_id": ev.id,
            "updated_at": ev.occurred_at, "received_at": now,
        }  # fmt: skip
    if row is None:
        ev = first.event
        out: dict[str, Any] = {
            "record_id": first.record_id, "kind": first.kind, "reference": first.reference, "unit": ev.unit,
            "origin": origin, "status": first.status or "", "summary": {}, "history": [], "events": 0,
            "last_event_id": ev.id, "updated_at": ev.occurred_at,
        }  # fmt: skip
    else:
        out = dict(row)
    summary = dict(out["summary"])
    history = list(out["history"])
    for f in facts:
        ev = f.event
        history.append([ev.type, _stamp(ev.occurred_at)])
        if ev.occurred_at >= out["updated_at"]:
            summary.update(f.summary)
            summary["last_event"] = ev.type
            out.update(reference=f.reference, unit=ev.unit, origin=origin, last_event_id=ev.id)
            out["updated_at"] = ev.occurred_at
            if f.status:
                out["status"] = f.status
        else:  # late: its place in time, never over newer facts
            for k, v in f.summary.items():
                summary.setdefault(k, v)
            history.sort(key=lambda e: e[1])
        out["events"] += 1
    out["summary"], out["history"] = summary, history[-HISTORY_MAX:]
    out["received_at"] = now
    return out


def project(session: Session, arrived: Iterable[Arrived]) -> int:
    """Apply the events just ingested to the replicated records: one read of the rows they touch, one bulk
    upsert. Returns how many records changed."""
    facts: dict[tuple[str, str], list[Fact]] = {}
    origins: dict[tuple[str, str], str] = {}
    for r in arrived:
        f = fact_of(r.event)
        if f is not None:
            key = (f.kind, f.record_id)
            facts.setdefault(key, []).append(f)
            origins[key] = r.node
    if not facts:
        return 0
    stored = repo.stored(session, keys=list(facts))
    now = clock.now()
    fresh = [merge(None, fs, origin=origins[k], now=now) for k, fs in facts.items() if k not in stored]
    known = [merge(stored[k], fs, origin=origins[k], now=now) for k, fs in facts.items() if k in stored]
    repo.upsert(session, fresh + known, new=len(fresh))
    return len(fresh) + len(known)
