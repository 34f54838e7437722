"""Status look-ups for terminals (may the goods leave?), scoped to the caller: the operator that holds or
expects the goods, the carrier that manifested them, officers of the supervising unit.

A terminal asks this for every truck at the gate, so a look-up is three prepared Core statements built once
(the consignment with what scoping needs, its containers' state, its declarations) and no ORM objects."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from haiquan.agencies.repository import unscoped_holds as agency_holds
from haiquan.cargo.tables import ConsignmentContainerRow, ConsignmentRow, ManifestRow
from haiquan.kit.auth import Principal
from haiquan.kit.errors import NotFound
from haiquan.supervision.domain import RELEASING, DeclarationFacts, GoodsFacts, release_status
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


_C = ConsignmentRow.__table__.c
_M = ManifestRow.__table__.c
_CC = ConsignmentContainerRow.__table__.c
_I = ItemRow.__table__.c
_L = LocationRow.__table__.c
_T = TransitRow.__table__.c
_D = DeclarationLinkRow.__table__.c

_EXPECTED_OPERATOR = select(_L.operator_id).where(_L.code == _C.location_code).scalar_subquery()
_LAST_TRANSIT = (
    select(_T.id).where(_T.consignment_id == _C.id).order_by(_T.created_at.desc()).limit(1).scalar_subquery()
)
_FOUND = (
    _C.id,
    _C.goods_id,
    _C.cargo_type,
    _C.purpose,
    _C.package_count,
    _C.unit,
    _C.location_code,
    _M.carrier_id,
    _EXPECTED_OPERATOR.label("expected_operator"),
    _LAST_TRANSIT.label("transit_id"),
)
_MANIFESTED = ConsignmentRow.__table__.join(ManifestRow.__table__, _M.id == _C.manifest_id)


def _whole(found: Any) -> Any:
    """One statement, one round trip: the consignment (a CTE), each of its containers with its state, and
    each declaration covering it (rows = containers x declarations, a handful)."""
    c = found.cte("c")
    return select(
        c,
        _CC.number.label("item_container"),
        _I.state,
        _I.location_code.label("item_location"),
        _I.seal,
        _I.gate_in_at,
        _I.gate_out_at,
        _I.unit.label("item_unit"),
        _I.operator_id,
        _D.number.label("declaration"),
        _D.status,
        _D.channel,
        _D.package_count.label("declared_packages"),
    ).select_from(
        c.outerjoin(ConsignmentContainerRow.__table__, _CC.consignment_id == c.c.id)
        .outerjoin(
            ItemRow.__table__,
            and_(_I.consignment_id == c.c.id, _I.container == func.coalesce(_CC.number, "")),
        )
        .outerjoin(DeclarationLinkRow.__table__, _D.goods_id == c.c.goods_id)
    )


BY_CONTAINER = _whole(
    select(*_FOUND)
    .select_from(_MANIFESTED.join(ConsignmentContainerRow.__table__, _CC.consignment_id == _C.id))
    .where(_CC.number == bindparam("number"), _C.removed.is_(False))
    .order_by(_C.created_at.desc())
    .limit(1)
)
BY_BILL = _whole(
    select(*_FOUND)
    .select_from(_MANIFESTED)
    .where(or_(_C.goods_id == bindparam("ident"), _C.id == bindparam("ident")), _C.removed.is_(False))
    .limit(1)
)
OPERATOR_AT = select(_L.operator_id).where(_L.code == bindparam("code"))


@dataclass(frozen=True)
class _Item:
    container: str
    state: str | None  # None: expected, not yet in
    location_code: str | None
    seal: str | None
    gate_in_at: datetime | None
    gate_out_at: datetime | None
    unit: str | None
    operator_id: str | None


@dataclass(frozen=True)
class _Link:
    number: str
    status: str
    channel: str | None
    package_count: int


def _split(rows: list[Any]) -> tuple[list[_Item], list[_Link]]:
    items: dict[str, _Item] = {}
    links: dict[str, _Link] = {}
    for r in rows:
        container = r.item_container or ""
        if container not in items and (r.item_container is not None or r.state is not None or not items):
            items[container] = _Item(
                container,
                r.state,
                r.item_location,
                r.seal,
                r.gate_in_at,
                r.gate_out_at,
                r.item_unit,
                r.operator_id,
            )
        if r.declaration is not None and r.declaration not in links:
            links[r.declaration] = _Link(r.declaration, r.status, r.channel, r.declared_packages)
    return sorted(items.values(), key=lambda i: i.container), sorted(links.values(), key=lambda d: d.number)


def _visible(session: Session, principal: Principal, found: Any, items: list[_Item]) -> bool:
    present = [it for it in items if it.state is not None]
    if principal.is_officer:
        return principal.scope.covers_unit(found.unit) or any(
            it.unit is not None and principal.scope.covers_unit(it.unit) for it in present
        )
    if found.carrier_id == principal.id and "carrier" in principal.enterprise_roles:
        return True
    if "terminal_operator" not in principal.enterprise_roles:
        return False
    op = _operator_id(session, principal.id)
    if op is None:
        return False
    if op == found.expected_operator or any(it.operator_id == op for it in present):
        return True
    transit = session.get(TransitRow, found.transit_id) if found.transit_id else None
    if transit is None:
        return False
    return session.connection().execute(OPERATOR_AT, {"code": transit.to_location}).scalar() == op


def with_agencies(session: Session, facts: list[DeclarationFacts]) -> list[DeclarationFacts]:
    """The agencies a declaration not yet cleared waits for, or that refused it (a cleared one had every
    permit granted: nothing is read for it)."""
    waiting = [f.number for f in facts if f.status not in RELEASING]
    holds = agency_holds(session, waiting) if waiting else {}
    return [
        replace(f, agencies_awaited=tuple(holds[f.number][0]), agencies_refused=tuple(holds[f.number][1]))
        if f.number in holds
        else f
        for f in facts
    ]


def _answer(session: Session, principal: Principal, rows: list[Any], missing: str) -> StatusOut:
    if not rows:
        raise NotFound(missing)
    found = rows[0]
    items, links = _split(rows)
    if not _visible(session, principal, found, items):
        raise NotFound(missing)
    transit = session.get(TransitRow, found.transit_id) if found.transit_id else None
    permit = transit is not None and transit.status == "permitted"
    present = [it for it in items if it.state is not None]
    state = "out" if present and all(it.state == "out" for it in present) else "in" if present else "expected"
    goods = GoodsFacts(found.goods_id, "", found.purpose, found.package_count, state, None, "")
    facts = with_agencies(session, [DeclarationFacts(d.number, d.status, d.package_count) for d in links])
    decision = release_status(goods, facts, permit=permit)
    return StatusOut(
        goods_id=found.goods_id,
        consignment_id=found.id,
        cargo_type=found.cargo_type,
        purpose=found.purpose,
        package_count=found.package_count,
        may_leave=decision.allowed,
        reasons=[r.as_dict() for r in decision.reasons],
        declarations=[DeclarationRef(number=d.number, status=d.status, channel=d.channel) for d in links],
        items=[
            ItemState(
                container=it.container or None,
                state=it.state or "expected",
                location_code=it.location_code if it.state is not None else found.location_code,
                seal=it.seal if it.state is not None else None,
                gate_in_at=it.gate_in_at,
                gate_out_at=it.gate_out_at,
            )
            for it in items
        ],
        transit=transit_out(transit) if transit else None,
    )


def of_consignment(session: Session, *, principal: Principal, ident: str) -> StatusOut:
    """By goods identification number (bill number) or consignment id."""
    rows = list(session.connection().execute(BY_BILL, {"ident": ident}))
    return _answer(session, principal, rows, f"no consignment {ident} you may see")


def of_container(session: Session, *, principal: Principal, number: str) -> StatusOut:
    """The latest consignment that carries the container."""
    rows = list(session.connection().execute(BY_CONTAINER, {"number": number}))
    return _answer(session, principal, rows, f"no container {number} you may see")
