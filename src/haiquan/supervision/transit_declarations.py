"""Transit and independent transport declared by the trader: the enterprise (declarant or carrier) declares
the route, the offices, the seals, the containers and the duty at stake, reserved on one of its guarantees;
the departure office accepts it (the deadline runs) or refuses it; the destination office sees it and closes
it on arrival, seals intact (the reservation is released) or with a discrepancy (alerts to both offices, the
reservation held). The overdue scan is supervision.alerts'."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.kit import clock
from haiquan.kit.auth import Principal
from haiquan.kit.db import new_id
from haiquan.kit.errors import Forbidden, ValidationFailed
from haiquan.organization.tables import UnitRow
from haiquan.payments import reservations
from haiquan.supervision import alerts, repository, transit_events
from haiquan.supervision.catalogue import SupervisionEvent
from haiquan.supervision.domain import AlertKind
from haiquan.supervision.schemas import TransitArrivalIn, TransitDeclarationIn
from haiquan.supervision.tables import TransitDeclarationRow
from haiquan.supervision.transit_rules import TransitAct, check_seals, hours_allowed, route_of, transition

DECLARERS = ("declarant", "carrier")


def _check_offices(session: Session, route: list[str], data: TransitDeclarationIn) -> None:
    known = set(
        session.scalars(select(UnitRow.code).where(UnitRow.code.in_(route), UnitRow.active.is_(True)))
    )
    for code, field in (
        (data.departure_office, "departure_office"),
        (data.destination_office, "destination_office"),
    ):
        if code not in known:
            raise ValidationFailed(f"unknown customs office {code}", field=field)
    for n, code in enumerate(data.route):
        if code not in known:
            raise ValidationFailed(f"unknown office or border gate {code} (route[{n}])", field="route")


def _reference(t: TransitDeclarationRow) -> str:
    return f"transit:{t.number}"


def declare(session: Session, *, principal: Principal, data: TransitDeclarationIn) -> TransitDeclarationRow:
    principal.require_enterprise(*DECLARERS)
    assert principal.tax_code is not None
    route = route_of(data.departure_office, data.destination_office, data.route)
    _check_offices(session, route, data)
    hours = hours_allowed(given=data.hours_allowed, distance_km=data.distance_km, stops=len(data.route))
    if data.duty_amount > 0 and data.guarantee is None:
        raise ValidationFailed("a guarantee must cover the duty at stake", field="guarantee")
    now = clock.now()
    t = TransitDeclarationRow(
        id=new_id(), number=f"TR{secrets.randbelow(10**10):010d}", kind=data.transport,
        enterprise_id=principal.id, tax_code=principal.tax_code, departure_office=data.departure_office,
        destination_office=data.destination_office, route=route, distance_km=data.distance_km or 0,
        hours_allowed=hours, goods=data.goods, seals=list(data.seals), containers=list(data.containers),
        duty_amount=data.duty_amount, guarantee="", status="declared", declared_at=now, seals_found=[],
        outcome="", note="", overdue_alerted=False,
    )  # fmt: skip
    if data.guarantee is not None and data.duty_amount > 0:
        g = data.guarantee
        reservations.reserve(
            session, bank=g.bank, guarantee_no=g.guarantee_no, tax_code=principal.tax_code,
            amount=data.duty_amount, reference=_reference(t), until=(now + timedelta(hours=hours)).date(),
            unit=t.departure_office, actor=principal.label,
        )  # fmt: skip
        t.guarantee = f"{g.bank}:{g.guarantee_no}"
    session.add(t)
    transit_events.record(session, t, SupervisionEvent.TRANSIT_DECLARED, actor=principal.label)
    return t


def _for_office(
    session: Session, principal: Principal, transit_id: str, *, departure: bool
) -> TransitDeclarationRow:
    """The transit, for an officer of its departure (or destination) office: 404 out of scope, 403 for the
    other office, which sees the transit but does not act for this step."""
    principal.require_officer()
    t = repository.transit_declaration(session, transit_id, scope=principal.scope)
    office = t.departure_office if departure else t.destination_office
    if not principal.scope.covers_unit(office):
        which = "departure" if departure else "destination"
        raise Forbidden(
            f"only the {which} office ({office}) does this", field="transit_id", code="other_office"
        )
    return t


def accept(session: Session, *, principal: Principal, transit_id: str) -> TransitDeclarationRow:
    t = _for_office(session, principal, transit_id, departure=True)
    t.status = transition(t.status, TransitAct.ACCEPT)
    t.accepted_at, t.accepted_by = clock.now(), principal.label
    t.deadline = t.accepted_at + timedelta(hours=t.hours_allowed)
    transit_events.record(session, t, SupervisionEvent.TRANSIT_ACCEPTED, actor=principal.label)
    return t


def refuse(session: Session, *, principal: Principal, transit_id: str, reason: str) -> TransitDeclarationRow:
    t = _for_office(session, principal, transit_id, departure=True)
    t.status = transition(t.status, TransitAct.REFUSE)
    t.note, t.closed_at, t.closed_by = reason, clock.now(), principal.label
    _release(session, t, because="refused", actor=principal.label)
    transit_events.record(session, t, SupervisionEvent.TRANSIT_REFUSED, actor=principal.label)
    return t


def cancel(session: Session, *, principal: Principal, transit_id: str) -> TransitDeclarationRow:
    principal.require_enterprise(*DECLARERS)
    t = repository.transit_declaration(session, transit_id, scope=principal.scope)
    t.status = transition(t.status, TransitAct.CANCEL)
    t.closed_at, t.closed_by = clock.now(), principal.label
    _release(session, t, because="cancelled", actor=principal.label)
    transit_events.record(session, t, SupervisionEvent.TRANSIT_CANCELLED, actor=principal.label)
    return t


def close(
    session: Session, *, principal: Principal, transit_id: str, data: TransitArrivalIn
) -> TransitDeclarationRow:
    """The destination office records the arrival: seals intact releases the guarantee; a discrepancy
    raises an alert at both offices and keeps the duty reserved until it is settled."""
    t = _for_office(session, principal, transit_id, departure=False)
    close_with(
        session, t, seals_found=data.seals_found, discrepancy=data.discrepancy, note=data.note,
        actor=principal.label, alert_units=(t.departure_office, t.destination_office),
    )  # fmt: skip
    return t


def close_with(
    session: Session,
    t: TransitDeclarationRow,
    *,
    seals_found: list[str],
    discrepancy: bool,
    note: str,
    actor: str,
    alert_units: tuple[str, ...],
) -> None:
    """Close an accepted transit on arrival, the seals found checked against those declared: by the
    destination office here, or (supervision.transit_work) by its act recorded on another node, where the
    destination office's own alert is raised (`alert_units`: the offices alerted here)."""
    t.status = transition(t.status, TransitAct.CLOSE)
    check = check_seals(t.seals, seals_found, reported_discrepancy=discrepancy)
    t.closed_at, t.closed_by, t.outcome = clock.now(), actor, check.outcome
    t.seals_found, t.note = list(seals_found), note
    if check.outcome == "intact":
        _release(session, t, because="arrived", actor=actor)
    else:
        _discrepancy_alerts(session, t, check.missing, check.unexpected, actor=actor, units=alert_units)
    transit_events.record(session, t, SupervisionEvent.TRANSIT_ARRIVED, actor=actor)


def _release(session: Session, t: TransitDeclarationRow, *, because: str, actor: str) -> None:
    if t.guarantee:
        reservations.release(
            session, reference=_reference(t), because=because, unit=t.departure_office, actor=actor
        )


def _discrepancy_alerts(
    session: Session,
    t: TransitDeclarationRow,
    missing: list[str],
    unexpected: list[str],
    *,
    actor: str,
    units: tuple[str, ...],
) -> None:
    now = clock.now()
    detail = {"number": t.number, "missing_seals": missing, "unexpected_seals": unexpected, "note": t.note}
    rows = [
        alerts.row(
            AlertKind.MISMATCH,
            unit=unit,
            goods_id=t.number,
            container=None,
            location_code=None,
            message_vi=f"Hàng vận chuyển {t.number} đến {t.destination_office} có sai lệch (seal, số kiện)",
            message_en=f"transit {t.number} arrived at {t.destination_office} with a discrepancy (seals, count)",
            detail=detail,
            at=now,
            dedupe_key=f"tdecl-arrival:{t.id}:{unit}",
        )
        for unit in units
    ]
    alerts.raise_many(session, rows, source="transit", actor=actor)
