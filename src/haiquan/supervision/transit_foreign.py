"""The transits an officer sees and closes, wherever they were declared (decision 0039): those of this
node's database (supervision.transit_declarations) and those declared on another node for an office of
this one, kept as work items (supervision.transit_work). Closing one of the latter records
supervision.transit_arrival_recorded for the destination office; the origin node closes the transit."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from haiquan.kit import audit, clock, outbox
from haiquan.kit.auth import Principal, Scope
from haiquan.kit.errors import NotFound
from haiquan.sharing import repository as work_repository
from haiquan.sharing.tables import WorkItem
from haiquan.supervision import alerts, repository, transit_declarations
from haiquan.supervision.catalogue import SupervisionEvent, TransitArrivalRecorded
from haiquan.supervision.domain import AlertKind
from haiquan.supervision.schemas import TransitArrivalIn, TransitDeclarationOut
from haiquan.supervision.transit_events import out as local_out
from haiquan.supervision.transit_rules import TransitAct, check_seals, transition
from haiquan.supervision.transit_work import KIND


def listing(
    session: Session, *, scope: Scope, status: str | None, arriving: bool | None, limit: int
) -> list[TransitDeclarationOut]:
    """The caller's transits, newest first: this node's and (arriving) those of other nodes."""
    rows = [
        local_out(r)
        for r in repository.transit_declarations(
            session, scope=scope, status=status, arriving=arriving, limit=limit
        )
    ]
    if arriving is not False:
        items = work_repository.work_items(session, kind=KIND, scope=scope, status=status, limit=limit)
        rows += [out(i) for i in items]
        rows.sort(key=lambda t: (t.declared_at, t.id), reverse=True)
    return rows[:limit]


def find(session: Session, transit_id: str, *, scope: Scope) -> TransitDeclarationOut:
    """One transit the caller may see, this node's or another's (NotFound otherwise)."""
    try:
        return local_out(repository.transit_declaration(session, transit_id, scope=scope))
    except NotFound:
        item = work_repository.work_item(session, kind=KIND, record_id=transit_id, scope=scope)
        if item is None:
            raise
        return out(item)


def close(
    session: Session, *, principal: Principal, transit_id: str, data: TransitArrivalIn
) -> TransitDeclarationOut:
    """The destination office records the arrival, of a transit of this node or of another."""
    principal.require_officer()
    item = work_repository.work_item(session, kind=KIND, record_id=transit_id, scope=principal.scope)
    if item is None:  # this node's (or none: its 404)
        return local_out(
            transit_declarations.close(session, principal=principal, transit_id=transit_id, data=data)
        )
    return out(_close_foreign(session, item, principal=principal, data=data))


def _close_foreign(
    session: Session, item: WorkItem, *, principal: Principal, data: TransitArrivalIn
) -> WorkItem:
    status = transition(item.status, TransitAct.CLOSE)
    p = item.payload
    check = check_seals(p.get("seals", []), data.seals_found, reported_discrepancy=data.discrepancy)
    now = clock.now()
    item.status, item.updated_at = status.value, now
    item.payload = {
        **p, "status": status.value, "outcome": check.outcome, "seals_found": list(data.seals_found),
        "note": data.note, "closed_at": now.isoformat(), "closed_by": principal.label,
    }  # fmt: skip
    if check.outcome != "intact":
        _alert(session, item, check.missing, check.unexpected, actor=principal.label)
    payload: TransitArrivalRecorded = {
        "transit_id": item.record_id, "number": p.get("number", ""), "departure_office": item.origin_unit,
        "destination_office": item.unit, "origin_node": item.origin_node, "seals_found": list(data.seals_found),
        "discrepancy": data.discrepancy, "outcome": check.outcome, "note": data.note,
    }  # fmt: skip
    kind = SupervisionEvent.TRANSIT_ARRIVAL_RECORDED
    outbox.record(session, type=kind, unit=item.unit, actor=principal.label, payload=dict(payload))
    detail = {"number": payload["number"], "origin_node": item.origin_node, "outcome": check.outcome}
    audit.append(
        session, actor=principal.label, action=kind, target=f"transit:{item.record_id}", unit=item.unit,
        detail=detail,
    )  # fmt: skip
    return item


def _alert(
    session: Session, item: WorkItem, missing: list[str], unexpected: list[str], *, actor: str
) -> None:
    """The destination office's own alert (the origin node raises the departure office's)."""
    number = item.payload.get("number", item.record_id)
    detail = {
        "number": number,
        "missing_seals": missing,
        "unexpected_seals": unexpected,
        "note": item.payload.get("note", ""),
    }
    row = alerts.row(
        AlertKind.MISMATCH, unit=item.unit, goods_id=number, container=None, location_code=None,
        message_vi=f"Hàng vận chuyển {number} đến {item.unit} có sai lệch (seal, số kiện)",
        message_en=f"transit {number} arrived at {item.unit} with a discrepancy (seals, count)",
        detail=detail, at=clock.now(), dedupe_key=f"tdecl-arrival:{item.record_id}:{item.unit}",
    )  # fmt: skip
    alerts.raise_many(session, [row], source="transit", actor=actor)


def _at(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def out(item: WorkItem) -> TransitDeclarationOut:
    """A work item as the transit API shows a transit (what the origin node told of it)."""
    p = item.payload
    return TransitDeclarationOut(
        id=item.record_id, number=p.get("number", ""), transport=p.get("transport", ""),
        tax_code=p.get("tax_code", ""), departure_office=item.origin_unit, destination_office=item.unit,
        route=list(p.get("route", [])), distance_km=0, hours_allowed=int(p.get("hours_allowed", 0)),
        goods=p.get("goods", ""), seals=list(p.get("seals", [])), containers=list(p.get("containers", [])),
        duty_amount=Decimal(0), guarantee="", status=item.status,
        declared_at=_at(p.get("declared_at")) or item.created_at, accepted_at=None, accepted_by=None,
        deadline=_at(p.get("deadline")), overdue=False, closed_at=_at(p.get("closed_at")),
        closed_by=p.get("closed_by"), outcome=p.get("outcome", ""), seals_found=list(p.get("seals_found", [])),
        note=p.get("note", ""), origin_node=item.origin_node,
    )  # fmt: skip
