"""Status look-ups for terminals (may the goods leave?), scoped to the caller: the operator that holds or
expects the goods, the carrier that manifested them, officers of the supervising unit."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from haiquan.cargo.tables import ConsignmentContainerRow, ConsignmentRow, ManifestRow
from haiquan.kit.auth import Principal
from haiquan.kit.errors import NotFound
from haiquan.supervision.domain import DeclarationFacts, GoodsFacts, release_status
from haiquan.supervision.schemas import DeclarationRef, ItemState, StatusOut, TransitOut
from haiquan.supervision.tables import DeclarationLinkRow, ItemRow, LocationRow, OperatorRow, TransitRow


def transit_out(t: TransitRow) -> TransitOut:
    return TransitOut(
        id=t.id,
        goods_id=t.goods_id,
        permit=t.permit,
        from_location=t.from_location,
        to_location=t.to_location,
        seal=t.seal,
        route=t.route,
        status=t.status,
        departed_at=t.departed_at,
        deadline=t.deadline,
        arrived_at=t.arrived_at,
    )


def _visible(session: Session, principal: Principal, c: ConsignmentRow, items: list[ItemRow]) -> bool:
    if principal.is_officer:
        return principal.scope.covers_unit(c.unit) or any(principal.scope.covers_unit(i.unit) for i in items)
    if "carrier" in principal.enterprise_roles:
        carrier = session.scalar(select(ManifestRow.carrier_id).where(ManifestRow.id == c.manifest_id))
        if carrier == principal.id:
            return True
    if "terminal_operator" not in principal.enterprise_roles:
        return False
    op_id = session.scalar(select(OperatorRow.id).where(OperatorRow.enterprise_id == principal.id))
    if op_id is None:
        return False
    if any(i.operator_id == op_id for i in items):
        return True
    places = {c.location_code} | {
        t for (t,) in session.execute(select(TransitRow.to_location).where(TransitRow.consignment_id == c.id))
    }
    return (
        session.scalar(
            select(LocationRow.code)
            .where(LocationRow.code.in_(places), LocationRow.operator_id == op_id)
            .limit(1)
        )
        is not None
    )


def _answer(session: Session, principal: Principal, c: ConsignmentRow | None, missing: str) -> StatusOut:
    items = list(session.scalars(select(ItemRow).where(ItemRow.consignment_id == c.id))) if c else []
    if c is None or not _visible(session, principal, c, items):
        raise NotFound(missing)
    links = list(session.scalars(select(DeclarationLinkRow).where(DeclarationLinkRow.goods_id == c.goods_id)))
    transit = session.scalar(
        select(TransitRow)
        .where(TransitRow.consignment_id == c.id)
        .order_by(TransitRow.created_at.desc())
        .limit(1)
    )
    permit = transit is not None and transit.status == "permitted"
    state = "out" if items and all(i.state == "out" for i in items) else "in" if items else "expected"
    goods = GoodsFacts(c.goods_id, "", c.purpose, c.package_count, state, None, "")
    decision = release_status(
        goods, [DeclarationFacts(d.number, d.status, d.package_count) for d in links], permit=permit
    )
    by_container = {i.container: i for i in items}
    numbers = list(
        session.scalars(
            select(ConsignmentContainerRow.number).where(ConsignmentContainerRow.consignment_id == c.id)
        )
    )
    states = []
    for n in sorted(numbers) or [""]:
        it = by_container.get(n)
        states.append(
            ItemState(
                container=n or None,
                state=it.state if it else "expected",
                location_code=it.location_code if it else c.location_code,
                seal=it.seal if it else None,
                gate_in_at=it.gate_in_at if it else None,
                gate_out_at=it.gate_out_at if it else None,
            )
        )
    return StatusOut(
        goods_id=c.goods_id,
        consignment_id=c.id,
        cargo_type=c.cargo_type,
        purpose=c.purpose,
        package_count=c.package_count,
        may_leave=decision.allowed,
        reasons=[r.as_dict() for r in decision.reasons],
        declarations=[DeclarationRef(number=d.number, status=d.status, channel=d.channel) for d in links],
        items=states,
        transit=transit_out(transit) if transit else None,
    )


def of_consignment(session: Session, *, principal: Principal, ident: str) -> StatusOut:
    """By goods identification number (bill number) or consignment id."""
    c = session.scalar(
        select(ConsignmentRow)
        .where(
            or_(ConsignmentRow.goods_id == ident, ConsignmentRow.id == ident),
            ConsignmentRow.removed.is_(False),
        )
        .limit(1)
    )
    return _answer(session, principal, c, f"no consignment {ident} you may see")


def of_container(session: Session, *, principal: Principal, number: str) -> StatusOut:
    """The latest consignment that carries the container."""
    c = session.scalar(
        select(ConsignmentRow)
        .join(ConsignmentContainerRow, ConsignmentContainerRow.consignment_id == ConsignmentRow.id)
        .where(ConsignmentContainerRow.number == number, ConsignmentRow.removed.is_(False))
        .order_by(ConsignmentRow.created_at.desc())
        .limit(1)
    )
    return _answer(session, principal, c, f"no container {number} you may see")
