"""Status look-ups for terminals (may the goods leave?), scoped to the caller: the operator that holds or
expects the goods, the carrier that manifested them, officers of the supervising unit. Three queries per
look-up: the consignment with what scoping needs, its containers' state, its declarations."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from haiquan.cargo.tables import ConsignmentContainerRow, ConsignmentRow, ManifestRow
from haiquan.kit.auth import Principal
from haiquan.kit.errors import NotFound
from haiquan.supervision.domain import DeclarationFacts, GoodsFacts, release_status
from haiquan.supervision.schemas import DeclarationRef, ItemState, StatusOut, TransitOut
from haiquan.supervision.tables import DeclarationLinkRow, ItemRow, LocationRow, OperatorRow, TransitRow

_OPERATORS: dict[str, tuple[str, float]] = {}  # enterprise id -> (operator id, expiry)
OPERATOR_TTL = 30.0


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


def _operator_id(session: Session, enterprise_id: str) -> str | None:
    hit = _OPERATORS.get(enterprise_id)
    if hit is not None and hit[1] > time.monotonic():
        return hit[0]
    op = session.scalar(select(OperatorRow.id).where(OperatorRow.enterprise_id == enterprise_id))
    if op is not None:
        _OPERATORS[enterprise_id] = (op, time.monotonic() + OPERATOR_TTL)
    return op


def _consignment_query() -> Any:
    expected_op = select(LocationRow.operator_id).where(LocationRow.code == ConsignmentRow.location_code)
    last_transit = (
        select(TransitRow.id)
        .where(TransitRow.consignment_id == ConsignmentRow.id)
        .order_by(TransitRow.created_at.desc())
        .limit(1)
    )
    return (
        select(
            ConsignmentRow,
            ManifestRow.carrier_id,
            expected_op.scalar_subquery(),
            last_transit.scalar_subquery(),
        )
        .join(ManifestRow, ManifestRow.id == ConsignmentRow.manifest_id)
        .where(ConsignmentRow.removed.is_(False))
    )


def _items(session: Session, c: ConsignmentRow) -> list[tuple[str, ItemRow | None]]:
    if c.cargo_type != "container":
        return [
            (
                "",
                session.scalar(
                    select(ItemRow).where(ItemRow.consignment_id == c.id, ItemRow.container == "")
                ),
            )
        ]
    q = (
        select(ConsignmentContainerRow.number, ItemRow)
        .outerjoin(
            ItemRow, and_(ItemRow.consignment_id == c.id, ItemRow.container == ConsignmentContainerRow.number)
        )
        .where(ConsignmentContainerRow.consignment_id == c.id)
        .order_by(ConsignmentContainerRow.number)
    )
    return [(n, it) for n, it in session.execute(q)]


def _visible(
    session: Session,
    principal: Principal,
    c: ConsignmentRow,
    carrier: str,
    expected_op: str | None,
    transit: TransitRow | None,
    items: list[ItemRow],
) -> bool:
    if principal.is_officer:
        return principal.scope.covers_unit(c.unit) or any(principal.scope.covers_unit(i.unit) for i in items)
    if carrier == principal.id and "carrier" in principal.enterprise_roles:
        return True
    if "terminal_operator" not in principal.enterprise_roles:
        return False
    op = _operator_id(session, principal.id)
    if op is None:
        return False
    if op == expected_op or any(i.operator_id == op for i in items):
        return True
    if transit is None:
        return False
    dest = session.scalar(select(LocationRow.operator_id).where(LocationRow.code == transit.to_location))
    return dest == op


def _answer(session: Session, principal: Principal, found: Any, missing: str) -> StatusOut:
    if found is None:
        raise NotFound(missing)
    c, carrier, expected_op, transit_id = found
    transit = session.get(TransitRow, transit_id) if transit_id else None
    pairs = _items(session, c)
    items = [it for _, it in pairs if it is not None]
    if not _visible(session, principal, c, carrier, expected_op, transit, items):
        raise NotFound(missing)
    links = list(session.scalars(select(DeclarationLinkRow).where(DeclarationLinkRow.goods_id == c.goods_id)))
    permit = transit is not None and transit.status == "permitted"
    state = "out" if items and all(i.state == "out" for i in items) else "in" if items else "expected"
    goods = GoodsFacts(c.goods_id, "", c.purpose, c.package_count, state, None, "")
    facts = [DeclarationFacts(d.number, d.status, d.package_count) for d in links]
    decision = release_status(goods, facts, permit=permit)
    states = [
        ItemState(
            container=n or None,
            state=it.state if it else "expected",
            location_code=it.location_code if it else c.location_code,
            seal=it.seal if it else None,
            gate_in_at=it.gate_in_at if it else None,
            gate_out_at=it.gate_out_at if it else None,
        )
        for n, it in pairs
    ]
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
    found = session.execute(
        _consignment_query().where(or_(ConsignmentRow.goods_id == ident, ConsignmentRow.id == ident)).limit(1)
    ).first()
    return _answer(session, principal, found, f"no consignment {ident} you may see")


def of_container(session: Session, *, principal: Principal, number: str) -> StatusOut:
    """The latest consignment that carries the container."""
    found = session.execute(
        _consignment_query()
        .join(ConsignmentContainerRow, ConsignmentContainerRow.consignment_id == ConsignmentRow.id)
        .where(ConsignmentContainerRow.number == number)
        .order_by(ConsignmentRow.created_at.desc())
        .limit(1)
    ).first()
    return _answer(session, principal, found, f"no container {number} you may see")
