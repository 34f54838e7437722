"""Manifest queries, scoped by the caller: a carrier reads its own manifests; an officer those of the
units of its scope."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.cargo.tables import ConsignmentContainerRow, ConsignmentRow, ManifestRow
from haiquan.kit.auth import Scope
from haiquan.kit.errors import NotFound


def _readable(m: ManifestRow, scope: Scope) -> bool:
    return (scope.enterprise_id is None or m.carrier_id == scope.enterprise_id) and scope.covers_unit(m.unit)


def manifest(session: Session, manifest_id: str, *, scope: Scope) -> ManifestRow:
    m = session.get(ManifestRow, manifest_id)
    if m is None or not _readable(m, scope):
        raise NotFound(f"no manifest {manifest_id}", field="manifest_id")
    return m


@dataclass(frozen=True)
class Consignment:
    row: ConsignmentRow
    containers: list[ConsignmentContainerRow]


def consignments(session: Session, m: ManifestRow, *, scope: Scope) -> list[Consignment]:
    """The manifest's consignments (removed ones left out) with their containers, by goods id."""
    if not _readable(m, scope):
        raise NotFound(f"no manifest {m.id}", field="manifest_id")
    rows = session.scalars(
        select(ConsignmentRow)
        .where(ConsignmentRow.manifest_id == m.id, ConsignmentRow.removed.is_(False))
        .order_by(ConsignmentRow.goods_id)
    ).all()
    conts: dict[str, list[ConsignmentContainerRow]] = {}
    if rows:
        q = select(ConsignmentContainerRow).where(
            ConsignmentContainerRow.consignment_id.in_([r.id for r in rows])
        )
        for c in session.scalars(q):
            conts.setdefault(c.consignment_id, []).append(c)
    return [Consignment(r, conts.get(r.id, [])) for r in rows]


def screening(
    session: Session, *, scope: Scope, flagged_only: bool, limit: int
) -> list[tuple[ConsignmentRow, ManifestRow]]:
    """Consignments of the caller's units with their manifests, riskiest first, then by arrival."""
    q = (
        select(ConsignmentRow, ManifestRow)
        .join(ManifestRow, ManifestRow.id == ConsignmentRow.manifest_id)
        .where(ConsignmentRow.removed.is_(False))
        .order_by(ConsignmentRow.risk_score.desc(), ManifestRow.expected_arrival)
        .limit(limit)
    )
    if flagged_only:
        q = q.where(ConsignmentRow.scan_required.is_(True))
    if scope.enterprise_id is not None:
        q = q.where(ManifestRow.carrier_id == scope.enterprise_id)
    if scope.units is not None:
        q = q.where(ConsignmentRow.unit.in_(scope.units))
    return [(c, m) for c, m in session.execute(q).all()]
