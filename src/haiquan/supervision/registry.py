"""The registry of terminal operators and their locations: survey, connection steps, roll-out ranking
(signing certificates: supervision.keys). Services never commit."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.kit import audit, clock, outbox
from haiquan.kit.auth import Principal
from haiquan.kit.db import new_id
from haiquan.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from haiquan.organization.tables import EnterpriseRow, UnitRow
from haiquan.supervision.catalogue import SupervisionEvent
from haiquan.supervision.domain import CONNECTED, Connection, Ranked, SurveyFacts, can_move_connection, rank
from haiquan.supervision.schemas import ConnectionIn, LocationIn, OperatorIn, SurveyIn
from haiquan.supervision.tables import LocationRow, OperatorRow

ADMIN_ROLES = ("subdepartment_leader", "department_leader", "administrator")


def _unit(session: Session, principal: Principal, code: str, field: str = "unit") -> UnitRow:
    u = session.get(UnitRow, code)
    if u is None or not u.active:
        raise ValidationFailed(f"unknown unit {code!r}", field=field)
    if not principal.scope.covers_unit(code):
        raise Forbidden(f"unit {code} is outside your scope", field=field)
    return u


def _event(
    session: Session,
    principal: Principal,
    op: OperatorRow,
    type_: SupervisionEvent,
    detail: dict[str, object],
) -> None:
    outbox.record(
        session,
        type=type_,
        unit=op.unit,
        actor=principal.label,
        payload={"operator_id": op.id, "tax_code": op.tax_code, **detail},
    )
    audit.append(
        session,
        actor=principal.label,
        action=type_,
        target=f"operator:{op.tax_code}",
        unit=op.unit,
        detail=dict(detail),
    )


def add_operator(session: Session, *, principal: Principal, data: OperatorIn) -> OperatorRow:
    principal.require_officer(*ADMIN_ROLES)
    _unit(session, principal, data.unit)
    if session.scalar(select(OperatorRow).where(OperatorRow.tax_code == data.tax_code)) is not None:
        raise Conflict(f"operator {data.tax_code} is registered", field="tax_code")
    op = OperatorRow(
        id=new_id(),
        tax_code=data.tax_code,
        name=data.name,
        unit=data.unit,
        connection_status=Connection.SURVEYED,
        updated_at=clock.now(),
    )
    session.add(op)
    session.flush()
    _event(session, principal, op, SupervisionEvent.OPERATOR_REGISTERED, {"name": data.name})
    return op


def get_operator(session: Session, principal: Principal, operator_id: str) -> OperatorRow:
    op = session.get(OperatorRow, operator_id)
    if (
        op is None
        or not principal.scope.covers_unit(op.unit)
        or (principal.is_enterprise and op.enterprise_id != principal.id)
    ):
        raise NotFound(f"no operator {operator_id}", field="operator_id")
    return op


def record_survey(session: Session, *, principal: Principal, operator_id: str, data: SurveyIn) -> OperatorRow:
    principal.require_officer()
    op = get_operator(session, principal, operator_id)
    op.transactions_per_day, op.annual_teu, op.annual_tonnes = (
        data.transactions_per_day,
        data.annual_teu,
        data.annual_tonnes,
    )
    op.declarations_per_year, op.it_readiness, op.survey_notes = (
        data.declarations_per_year,
        data.it_readiness,
        data.notes,
    )
    op.surveyed_at = op.updated_at = clock.now()
    _event(session, principal, op, SupervisionEvent.OPERATOR_SURVEYED, data.model_dump(exclude={"notes"}))
    return op


def set_connection(
    session: Session, *, principal: Principal, operator_id: str, data: ConnectionIn
) -> OperatorRow:
    principal.require_officer(*ADMIN_ROLES)
    op = get_operator(session, principal, operator_id)
    old = Connection(op.connection_status)
    if not can_move_connection(old, data.status):
        raise Conflict(
            f"connection cannot go from {old} to {data.status}", field="status", code="invalid_transition"
        )
    if data.enterprise_tax_code:
        ent = session.scalar(select(EnterpriseRow).where(EnterpriseRow.tax_code == data.enterprise_tax_code))
        if ent is None or "terminal_operator" not in ent.roles:
            raise ValidationFailed(
                "no terminal-operator enterprise with this tax code", field="enterprise_tax_code"
            )
        op.enterprise_id = ent.id
    if data.status in CONNECTED and op.enterprise_id is None:
        raise ValidationFailed("link the operator's enterprise account first", field="enterprise_tax_code")
    op.connection_status, op.updated_at = data.status, clock.now()
    _event(
        session,
        principal,
        op,
        SupervisionEvent.OPERATOR_CONNECTION_CHANGED,
        {"from": old.value, "to": data.status.value},
    )
    return op


def add_location(
    session: Session, *, principal: Principal, operator_id: str, data: LocationIn
) -> LocationRow:
    principal.require_officer(*ADMIN_ROLES)
    op = get_operator(session, principal, operator_id)
    _unit(session, principal, data.unit)
    if session.get(LocationRow, data.code) is not None:
        raise Conflict(f"location {data.code} exists", field="code")
    loc = LocationRow(
        code=data.code,
        operator_id=op.id,
        name=data.name,
        kind=data.kind,
        unit=data.unit,
        locode=data.locode,
        capacity_teu=data.capacity_teu,
        dwell_limit_days=data.dwell_limit_days,
    )
    session.add(loc)
    _event(
        session,
        principal,
        op,
        SupervisionEvent.OPERATOR_LOCATION_ADDED,
        {"code": data.code, "kind": data.kind.value},
    )
    return loc


def operator_of(session: Session, principal: Principal) -> OperatorRow:
    principal.require_enterprise("terminal_operator")
    op = session.scalar(select(OperatorRow).where(OperatorRow.enterprise_id == principal.id))
    if op is None:
        raise Forbidden("this enterprise is not a registered terminal operator", code="not_an_operator")
    return op


def connected_operator(session: Session, principal: Principal, *, lock: bool = False) -> OperatorRow:
    """The caller's operator, connected (testing or live); locked so its batches apply one at a time."""
    principal.require_enterprise("terminal_operator")
    q = select(OperatorRow).where(OperatorRow.enterprise_id == principal.id)
    op = session.scalar(q.with_for_update() if lock else q)
    if op is None:
        raise Forbidden("this enterprise is not a registered terminal operator", code="not_an_operator")
    if op.connection_status not in CONNECTED:
        raise Forbidden(
            f"the connection is {op.connection_status}: customs has not opened it yet", code="not_connected"
        )
    return op


def ranking(
    session: Session, principal: Principal, *, unit: str | None = None
) -> list[tuple[OperatorRow, Ranked]]:
    principal.require_officer()
    q = select(OperatorRow)
    units = principal.scope.units
    if units is not None:
        q = q.where(OperatorRow.unit.in_(units))
    if unit:
        q = q.where(OperatorRow.unit.like(f"{unit}%"))
    ops = {o.id: o for o in session.scalars(q)}
    ranked = rank(
        [
            SurveyFacts(o.id, o.transactions_per_day, o.annual_teu, o.annual_tonnes, o.it_readiness)
            for o in ops.values()
        ]
    )
    return [(ops[r.operator_id], r) for r in ranked]


def locations_of(session: Session, operator_ids: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if operator_ids:
        for code, op in session.execute(
            select(LocationRow.code, LocationRow.operator_id).where(LocationRow.operator_id.in_(operator_ids))
        ):
            out.setdefault(op, []).append(code)
    return out
