"""Transit under customs control (chuyển cửa khẩu): an officer permits the move; the gate-out at the
border gate departs it with its deadline; the gate-in at the inland depot closes it; the scan raises an
alert when it is late."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.cargo.tables import ConsignmentRow
from haiquan.kit import audit, clock, outbox
from haiquan.kit.auth import Principal
from haiquan.kit.db import new_id
from haiquan.kit.errors import Conflict, NotFound, ValidationFailed
from haiquan.supervision.catalogue import SupervisionEvent
from haiquan.supervision.schemas import TransitIn
from haiquan.supervision.tables import LocationRow, TransitRow


def permit(session: Session, *, principal: Principal, data: TransitIn) -> TransitRow:
    principal.require_officer()
    c = session.scalar(
        select(ConsignmentRow).where(
            ConsignmentRow.goods_id == data.goods_id, ConsignmentRow.removed.is_(False)
        )
    )
    if c is None or not principal.scope.covers_unit(c.unit):
        raise NotFound(f"no consignment {data.goods_id}", field="goods_id")
    src, dst = session.get(LocationRow, data.from_location), session.get(LocationRow, data.to_location)
    if src is None:
        raise ValidationFailed(f"unknown location {data.from_location}", field="from_location")
    if dst is None:
        raise ValidationFailed(f"unknown location {data.to_location}", field="to_location")
    if src.code == dst.code:
        raise ValidationFailed("a transit goes to another location", field="to_location")
    open_ = session.scalar(
        select(TransitRow).where(
            TransitRow.consignment_id == c.id, TransitRow.status.in_(("permitted", "departed"))
        )
    )
    if open_ is not None:
        raise Conflict(f"transit {open_.permit} of these goods is still open", field="goods_id")
    t = TransitRow(
        id=new_id(),
        consignment_id=c.id,
        goods_id=c.goods_id,
        permit=data.permit,
        from_location=src.code,
        to_location=dst.code,
        seal=data.seal,
        route=data.route,
        hours_allowed=data.hours_allowed,
        status="permitted",
        unit=src.unit,
        created_at=clock.now(),
    )
    session.add(t)
    outbox.record(
        session,
        type=SupervisionEvent.TRANSIT_PERMITTED,
        unit=src.unit,
        actor=principal.label,
        payload={
            "transit_id": t.id,
            "goods_id": c.goods_id,
            "from": src.code,
            "to": dst.code,
            "permit": data.permit,
            "hours_allowed": data.hours_allowed,
        },
    )
    audit.append(
        session,
        actor=principal.label,
        action=SupervisionEvent.TRANSIT_PERMITTED,
        target=f"transit:{t.id}",
        unit=src.unit,
        detail={"goods_id": c.goods_id, "to": dst.code},
    )
    return t


def get(session: Session, *, principal: Principal, transit_id: str) -> TransitRow:
    principal.require_officer()
    t = session.get(TransitRow, transit_id)
    if t is None or not any(principal.scope.covers_unit(u) for u in _units_of(session, t)):
        raise NotFound(f"no transit {transit_id}", field="transit_id")
    return t


def _units_of(session: Session, t: TransitRow) -> list[str]:
    """The units a transit concerns: where it began and where it goes (the destination location's unit),
    whose officers wait for the goods and see the transit."""
    to = session.get(LocationRow, t.to_location)
    return [t.unit, to.unit] if to is not None else [t.unit]
