"""Write-off queries: the reports in the caller's scope (a carrier its own manifests, an officer those of
its units), and, unscoped by name, what the write-off computes from (its consumer and the closing)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from haiquan.cargo.tables import ConsignmentRow, ManifestRow
from haiquan.cargo.writeoff_tables import WriteoffDeclarationRow, WriteoffGateOutRow, WriteoffReportRow
from haiquan.kit.auth import Scope
from haiquan.kit.db import among
from haiquan.kit.errors import NotFound


def _readable(carrier_id: str, unit: str, scope: Scope) -> bool:
    return (scope.enterprise_id is None or carrier_id == scope.enterprise_id) and scope.covers_unit(unit)


def reports(
    session: Session, *, scope: Scope, voyage: str | None, discrepancies_only: bool, limit: int
) -> list[tuple[WriteoffReportRow, ManifestRow]]:
    q = (
        select(WriteoffReportRow, ManifestRow)
        .join(ManifestRow, ManifestRow.id == WriteoffReportRow.manifest_id)
        .order_by(WriteoffReportRow.closed_at.desc(), WriteoffReportRow.manifest_id)
        .limit(limit)
    )
    if scope.enterprise_id is not None:
        q = q.where(WriteoffReportRow.carrier_id == scope.enterprise_id)
    if scope.units is not None:
        q = q.where(WriteoffReportRow.unit.in_(scope.units))
    if voyage:
        q = q.where(WriteoffReportRow.voyage == voyage)
    if discrepancies_only:
        q = q.where((WriteoffReportRow.undischarged > 0) | (WriteoffReportRow.over_discharged > 0))
    return [(r, m) for r, m in session.execute(q).all()]


def manifest(
    session: Session, manifest_id: str, *, scope: Scope
) -> tuple[ManifestRow, WriteoffReportRow | None]:
    m = session.get(ManifestRow, manifest_id)
    if m is None or not _readable(m.carrier_id, m.unit, scope):
        raise NotFound(f"no manifest {manifest_id}", field="manifest_id")
    return m, session.get(WriteoffReportRow, manifest_id)


def _due(before: datetime) -> Select[ManifestRow]:
    closed = select(WriteoffReportRow.manifest_id)
    return (
        select(ManifestRow)
        .where(ManifestRow.expected_arrival < before, ManifestRow.id.not_in(closed))
        .order_by(ManifestRow.expected_arrival, ManifestRow.id)
        .with_for_update()
    )


def due_manifests(session: Session, *, before: datetime, scope: Scope) -> list[ManifestRow]:
    """Manifests of the scope expected before `before` whose write-off is not closed, locked."""
    q = _due(before)
    if scope.units is not None:
        q = q.where(ManifestRow.unit.in_(scope.units))
    return list(session.scalars(q))


def unscoped_due_manifests(session: Session, *, before: datetime) -> list[ManifestRow]:
    """Every manifest expected before `before` whose write-off is not closed, locked (the background duty)."""
    return list(session.scalars(_due(before)))


def unscoped_closed(session: Session, manifest_id: str) -> bool:
    """Whether the manifest's write-off is closed, as committed now (a worker beside this one may have)."""
    q = select(WriteoffReportRow.manifest_id).where(WriteoffReportRow.manifest_id == manifest_id)
    return session.scalar(q) is not None


def unscoped_bills(session: Session, manifest_id: str) -> list[ConsignmentRow]:
    q = (
        select(ConsignmentRow)
        .where(ConsignmentRow.manifest_id == manifest_id, ConsignmentRow.removed.is_(False))
        .order_by(ConsignmentRow.goods_id)
    )
    return list(session.scalars(q))


def unscoped_counted_declarations(
    session: Session, goods_ids: list[str]
) -> dict[str, list[WriteoffDeclarationRow]]:
    if not goods_ids:
        return {}
    q = (
        select(WriteoffDeclarationRow)
        .where(
            among(session, WriteoffDeclarationRow.goods_id, goods_ids),
            WriteoffDeclarationRow.counted.is_(True),
        )
        .order_by(WriteoffDeclarationRow.number)
    )
    out: dict[str, list[WriteoffDeclarationRow]] = {}
    for d in session.scalars(q):
        out.setdefault(d.goods_id, []).append(d)
    return out


def unscoped_gated_out(session: Session, goods_ids: list[str]) -> set[str]:
    if not goods_ids:
        return set()
    q = select(WriteoffGateOutRow.goods_id).where(among(session, WriteoffGateOutRow.goods_id, goods_ids))
    return set(session.scalars(q))
