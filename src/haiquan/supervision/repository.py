"""Supervision queries for routes and pages, scoped by the caller: an officer reads what concerns the
units of its scope; a terminal operator what it sent."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select, true
from sqlalchemy.orm import Session

from haiquan.cargo.tables import ConsignmentRow, ManifestRow
from haiquan.kit.auth import Scope
from haiquan.kit.errors import NotFound
from haiquan.organization.tables import EnterpriseRow
from haiquan.supervision.schemas import StatusOut
from haiquan.supervision.tables import (
    AlertRow,
    MovementRow,
    OperatorRow,
    RejectedMessageRow,
    TransitDeclarationRow,
)

STORY_MOVES = 500


def alerts(
    session: Session, *, scope: Scope, status: str | None, kind: str | None, limit: int
) -> list[AlertRow]:
    """Alerts of the caller's units, newest first (none for an enterprise: alerts are for customs)."""
    if scope.enterprise_id is not None:
        return []
    q = select(AlertRow).order_by(AlertRow.id.desc()).limit(limit)
    if scope.units is not None:
        q = q.where(AlertRow.unit.in_(scope.units))
    if status:
        q = q.where(AlertRow.status == status)
    if kind:
        q = q.where(AlertRow.kind == kind)
    return list(session.scalars(q))


def alert(session: Session, alert_id: int, *, scope: Scope) -> AlertRow:
    """One alert of the caller's units (NotFound otherwise, enterprises included)."""
    row = session.get(AlertRow, alert_id)
    if row is None or scope.enterprise_id is not None or not scope.covers_unit(row.unit):
        raise NotFound(f"no alert {alert_id}", field="alert_id")
    return row


def count_alerts(session: Session, *, scope: Scope, status: str) -> int:
    """How many alerts of the caller's units are in `status` (the navigation's live count)."""
    if scope.enterprise_id is not None:
        return 0
    q = select(func.count()).select_from(AlertRow).where(AlertRow.status == status)
    if scope.units is not None:
        q = q.where(AlertRow.unit.in_(scope.units))
    return int(session.scalar(q) or 0)


def rejected(session: Session, *, scope: Scope, limit: int) -> list[RejectedMessageRow]:
    """Messages kept for review, newest first: an operator's own; an officer's, those of the operators
    of its units."""
    q = select(RejectedMessageRow).order_by(RejectedMessageRow.id.desc()).limit(limit)
    if scope.enterprise_id is not None:
        mine = select(OperatorRow.id).where(OperatorRow.enterprise_id == scope.enterprise_id)
        q = q.where(RejectedMessageRow.operator_id.in_(mine))
    if scope.units is not None:
        ops = select(OperatorRow.id).where(OperatorRow.unit.in_(scope.units))
        q = q.where(RejectedMessageRow.operator_id.in_(ops))
    return list(session.scalars(q))


@dataclass(frozen=True)
class Story:
    """One consignment as customs followed it."""

    consignment: ConsignmentRow
    manifest: ManifestRow | None
    carrier: EnterpriseRow | None
    moves: list[MovementRow]
    operators: dict[str, str]  # operator id -> name
    alerts: list[AlertRow]


def story(session: Session, answer: StatusOut, *, scope: Scope) -> Story:
    """The story of the consignment `answer` tells the status of (status.of_consignment, which decides
    who may see the consignment): for customs only, since it names every party."""
    c = session.get(ConsignmentRow, answer.consignment_id)
    if c is None or scope.enterprise_id is not None:
        raise NotFound(f"no consignment {answer.goods_id} you may see", field="goods_id")
    manifest = session.get(ManifestRow, c.manifest_id)
    carrier = session.get(EnterpriseRow, manifest.carrier_id) if manifest else None
    moves = list(
        session.scalars(
            select(MovementRow)
            .where(MovementRow.goods_id == c.goods_id)
            .order_by(MovementRow.id)
            .limit(STORY_MOVES)
        )
    )
    names = select(OperatorRow.id, OperatorRow.name).where(OperatorRow.id.in_({m.operator_id for m in moves}))
    raised = select(AlertRow).where(AlertRow.goods_id == c.goods_id).order_by(AlertRow.id)
    return Story(
        c,
        manifest,
        carrier,
        moves,
        dict(session.execute(names).all()),
        list(session.scalars(raised)),
    )


# --- transits declared by the trader: the departure office, the destination office and the trader see them


def _transit_visible(scope: Scope) -> ColumnElement[bool]:
    """An enterprise sees its own transits; an officer those leaving from or arriving at its units."""
    t = TransitDeclarationRow
    if scope.enterprise_id is not None:
        return t.enterprise_id == scope.enterprise_id
    if scope.units is None:
        return true()
    return or_(t.departure_office.in_(scope.units), t.destination_office.in_(scope.units))


def transit_declarations(
    session: Session, *, scope: Scope, status: str | None, arriving: bool | None, limit: int
) -> list[TransitDeclarationRow]:
    """The caller's transits, newest first; `arriving` True: those whose destination is one of the
    officer's units, False: those leaving from one of them."""
    t = TransitDeclarationRow
    q = select(t).where(_transit_visible(scope)).order_by(t.declared_at.desc(), t.id).limit(limit)
    if status:
        q = q.where(t.status == status)
    if arriving is not None and scope.units is not None and scope.enterprise_id is None:
        q = q.where((t.destination_office if arriving else t.departure_office).in_(scope.units))
    return list(session.scalars(q))


def transit_declaration(session: Session, transit_id: str, *, scope: Scope) -> TransitDeclarationRow:
    """One transit the caller may see (NotFound otherwise: a third office, another enterprise)."""
    q = select(TransitDeclarationRow).where(TransitDeclarationRow.id == transit_id, _transit_visible(scope))
    row = session.scalar(q)
    if row is None:
        raise NotFound(f"no transit {transit_id}", field="transit_id")
    return row
