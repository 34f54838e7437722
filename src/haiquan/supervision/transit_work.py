"""A transit whose departure and destination offices are on different nodes (decision 0039): its events,
recorded at the departure office's node, concern the destination office too and are routed there
(sharing/work), where they keep a work item the destination's officers see; the destination's act
(supervision.transit_arrival_recorded, recorded at its own node) is routed back and closes the transit at
its origin, once."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import structlog
from sqlalchemy.orm import Session

from haiquan.kit import clock
from haiquan.kit.outbox import Event
from haiquan.sharing import work
from haiquan.sharing.tables import WorkItem
from haiquan.supervision import transit_declarations
from haiquan.supervision.catalogue import SupervisionEvent
from haiquan.supervision.tables import TransitDeclarationRow
from haiquan.supervision.transit_rules import TransitStatus

log = structlog.get_logger(__name__)
KIND = "transit"
E = SupervisionEvent
# recorded at the departure office's node (supervision.transit_events.record)
CHANGED = (
    E.TRANSIT_DECLARED,
    E.TRANSIT_ACCEPTED,
    E.TRANSIT_REFUSED,
    E.TRANSIT_CANCELLED,
    E.TRANSIT_ARRIVED,
    E.TRANSIT_DEADLINE_PASSED,
)
S = TransitStatus
RANK = {S.DECLARED: 0, S.ACCEPTED: 1, S.REFUSED: 2, S.CANCELLED: 2, S.ARRIVED: 2}


def concerns(event: Event) -> Iterable[str]:
    """Both offices of the transit (the routing leaves out the node the event came from)."""
    p = event.payload
    return [u for u in (p.get("departure_office"), p.get("destination_office")) if isinstance(u, str) and u]


def _rank(status: str) -> int:
    return RANK.get(TransitStatus(status), 0) if status in set(TransitStatus) else 0


def apply_changed(session: Session, event: Event, from_node: str) -> None:
    """At the destination office's node: the work item of the transit, created or brought up to date (never
    back to an earlier status: a closed item stays closed)."""
    p: dict[str, Any] = dict(event.payload)
    now = clock.now()
    item = session.get(WorkItem, (KIND, p["transit_id"]))
    if item is None:
        item = WorkItem(kind=KIND, record_id=p["transit_id"], unit=p["destination_office"])
        item.origin_node, item.origin_unit, item.created_at = from_node, p["departure_office"], now
        item.status, item.payload, item.updated_at, item.last_event_id = p["status"], p, now, event.id
        session.add(item)
        return
    if _rank(p["status"]) < _rank(item.status):
        return
    item.status, item.payload = p["status"], {**item.payload, **p}
    item.updated_at, item.last_event_id = now, event.id


def apply_arrival(session: Session, event: Event, from_node: str) -> None:
    """At the origin node: the destination office's arrival closes the transit (the seals found checked
    against those declared here), the guarantee released or the departure office alerted, and
    supervision.transit_arrived recorded (the trader hears of it; routed back, it confirms the item)."""
    p = event.payload
    t = session.get(TransitDeclarationRow, p.get("transit_id", ""))
    if t is None or t.destination_office != event.unit:
        log.warning("transit_arrival_unknown", transit_id=p.get("transit_id"), from_node=from_node)
        return
    if t.status != TransitStatus.ACCEPTED:
        log.warning("transit_arrival_ignored", transit_id=t.id, status=t.status, from_node=from_node)
        return
    transit_declarations.close_with(
        session, t, seals_found=list(p.get("seals_found", [])), discrepancy=bool(p.get("discrepancy")),
        note=str(p.get("note", "")), actor=event.actor, alert_units=(t.departure_office,),
    )  # fmt: skip


def register() -> None:
    work.register(CHANGED, concerns=concerns, apply=apply_changed)
    work.register((E.TRANSIT_ARRIVAL_RECORDED,), concerns=concerns, apply=apply_arrival)
