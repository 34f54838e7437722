"""A trader's transit as the outbox, the audit trail and the API tell it (shared by the use cases in
supervision.transit_declarations and by the overdue scan in supervision.alerts)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from haiquan.kit import audit, clock, outbox
from haiquan.supervision.catalogue import SupervisionEvent, TransitDeclarationChanged
from haiquan.supervision.schemas import TransitDeclarationOut
from haiquan.supervision.tables import TransitDeclarationRow


def payload(t: TransitDeclarationRow) -> TransitDeclarationChanged:
    return {
        "transit_id": t.id,
        "number": t.number,
        "transport": t.kind,
        "declarant_id": t.enterprise_id,
        "tax_code": t.tax_code,
        "departure_office": t.departure_office,
        "destination_office": t.destination_office,
        "status": t.status,
        "deadline": t.deadline.isoformat() if t.deadline else None,
        "outcome": t.outcome,
        "note": t.note,
        "seals": list(t.seals),
        "containers": list(t.containers),
        "route": list(t.route),
        "goods": t.goods,
        "hours_allowed": t.hours_allowed,
        "declared_at": t.declared_at.isoformat(),
    }


def record(session: Session, t: TransitDeclarationRow, kind: SupervisionEvent, *, actor: str) -> None:
    """The event (for the departure office's unit, where the record began) and the audit entry."""
    body = payload(t)
    outbox.record(session, type=kind, unit=t.departure_office, actor=actor, payload=dict(body))
    detail = {"number": t.number, "status": t.status, "to": t.destination_office, "outcome": t.outcome}
    audit.append(
        session, actor=actor, action=kind, target=f"transit:{t.id}", unit=t.departure_office, detail=detail
    )


def is_overdue(t: TransitDeclarationRow) -> bool:
    return t.status == "accepted" and t.deadline is not None and t.deadline < clock.now()


def out(t: TransitDeclarationRow) -> TransitDeclarationOut:
    return TransitDeclarationOut(
        id=t.id,
        number=t.number,
        transport=t.kind,
        tax_code=t.tax_code,
        departure_office=t.departure_office,
        destination_office=t.destination_office,
        route=list(t.route),
        distance_km=t.distance_km,
        hours_allowed=t.hours_allowed,
        goods=t.goods,
        seals=list(t.seals),
        containers=list(t.containers),
        duty_amount=t.duty_amount,
        guarantee=t.guarantee,
        status=t.status,
        declared_at=t.declared_at,
        accepted_at=t.accepted_at,
        accepted_by=t.accepted_by,
        deadline=t.deadline,
        overdue=is_overdue(t),
        closed_at=t.closed_at,
        closed_by=t.closed_by,
        outcome=t.outcome,
        seals_found=list(t.seals_found),
        note=t.note,
    )
