"""Conveyance queries, scoped by the caller: a carrier reads the reports it sent; an officer those of the
units of its scope. Reads of the reference data screening needs (the watch lists, the port's office) and
the retention job's read say by their names that they are unscoped."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import false, func, select
from sqlalchemy.orm import Session

from haiquan.cargo.tables import ManifestRow
from haiquan.conveyances.tables import ConveyanceRow, PersonRow, PersonWatchRow, ScreeningHitRow
from haiquan.enforcement.tables import CasePersonRow
from haiquan.kit.auth import Scope
from haiquan.kit.errors import NotFound
from haiquan.kit.sql import among
from haiquan.supervision.tables import LocationRow


def _scoped(q: Any, session: Session, scope: Scope) -> Any:
    if scope.enterprise_id is not None:
        q = q.where(ConveyanceRow.carrier_id == scope.enterprise_id)
    if scope.units is not None:
        q = q.where(among(session, ConveyanceRow.unit, scope.units)) if scope.units else q.where(false())
    return q


def get(session: Session, conveyance_id: str, *, scope: Scope, for_update: bool = False) -> ConveyanceRow:
    q = _scoped(select(ConveyanceRow).where(ConveyanceRow.id == conveyance_id), session, scope)
    row = session.scalar(q.with_for_update() if for_update else q)
    if row is None:
        raise NotFound(f"no conveyance report {conveyance_id}", field="conveyance_id")
    return row


def by_reference(session: Session, reference: str, *, scope: Scope) -> ConveyanceRow | None:
    """The caller's (a carrier's) report with this reference, if any."""
    q = _scoped(select(ConveyanceRow).where(ConveyanceRow.reference == reference), session, scope)
    return session.scalar(q)


def listing(
    session: Session, *, scope: Scope, direction: str | None = None, limit: int = 100
) -> list[ConveyanceRow]:
    """Latest scheduled first."""
    q = _scoped(select(ConveyanceRow), session, scope)
    if direction is not None:
        q = q.where(ConveyanceRow.direction == direction)
    q = q.order_by(ConveyanceRow.scheduled_at.desc(), ConveyanceRow.id).limit(limit)
    return list(session.scalars(q))


def persons(session: Session, conveyance: ConveyanceRow, *, scope: Scope) -> list[PersonRow]:
    get(session, conveyance.id, scope=scope)
    q = select(PersonRow).where(PersonRow.conveyance_id == conveyance.id).order_by(PersonRow.position)
    return list(session.scalars(q))


def hits(
    session: Session, *, scope: Scope, conveyance_id: str | None = None, limit: int = 200
) -> list[tuple[ScreeningHitRow, PersonRow, ConveyanceRow]]:
    """Screening hits, best score first, with the person and the report."""
    q = (
        select(ScreeningHitRow, PersonRow, ConveyanceRow)
        .join(PersonRow, PersonRow.id == ScreeningHitRow.person_id)
        .join(ConveyanceRow, ConveyanceRow.id == ScreeningHitRow.conveyance_id)
    )
    q = _scoped(q, session, scope)
    if conveyance_id is not None:
        q = q.where(ScreeningHitRow.conveyance_id == conveyance_id)
    q = q.order_by(ScreeningHitRow.score.desc(), ConveyanceRow.scheduled_at, ScreeningHitRow.id).limit(limit)
    return [(h, p, c) for h, p, c in session.execute(q)]


def flagged_counts(session: Session, ids: Sequence[str], *, scope: Scope) -> dict[str, int]:
    if not ids:
        return {}
    q = (
        select(ScreeningHitRow.conveyance_id, func.count(func.distinct(ScreeningHitRow.person_id)))
        .join(ConveyanceRow, ConveyanceRow.id == ScreeningHitRow.conveyance_id)
        .where(among(session, ScreeningHitRow.conveyance_id, ids))
        .group_by(ScreeningHitRow.conveyance_id)
    )
    return {str(k): int(v) for k, v in session.execute(_scoped(q, session, scope))}


def manifest_id(session: Session, row: ConveyanceRow, *, scope: Scope) -> str | None:
    """The cargo manifest of the same carrier for this voyage or flight: named by reference, else the
    one with the same voyage number."""
    q = select(ManifestRow.id).where(ManifestRow.carrier_id == row.carrier_id)
    if row.manifest_reference:
        q = q.where(ManifestRow.reference == row.manifest_reference)
    else:
        q = q.where(ManifestRow.voyage == row.voyage)
    if scope.enterprise_id is not None and scope.enterprise_id != row.carrier_id:
        return None
    if scope.units is not None:
        q = q.where(among(session, ManifestRow.unit, scope.units)) if scope.units else q.where(false())
    return session.scalar(q.order_by(ManifestRow.expected_arrival.desc()).limit(1))


def unscoped_port_unit(session: Session, locode: str) -> str | None:
    """The unit supervising a port: the unit of an active customs location at that UN/LOCODE."""
    q = select(LocationRow.unit).where(LocationRow.locode == locode, LocationRow.active.is_(True))
    return session.scalar(q.order_by(LocationRow.code).limit(1))


def unscoped_watched_persons(session: Session) -> list[PersonWatchRow]:
    q = select(PersonWatchRow).where(PersonWatchRow.active.is_(True)).order_by(PersonWatchRow.added_at)
    return list(session.scalars(q))


def unscoped_case_suspects(session: Session) -> list[CasePersonRow]:
    """Suspects and detained persons of enforcement cases: watched too (name, nationality, document)."""
    q = select(CasePersonRow).where(among(session, CasePersonRow.role, ("suspect", "detained")))
    return list(session.scalars(q.order_by(CasePersonRow.added_at, CasePersonRow.id)))


def unscoped_expired(session: Session, *, before: datetime, limit: int) -> list[ConveyanceRow]:
    """Reports whose movement happened before `before` and whose people are not purged yet."""
    moved = func.coalesce(ConveyanceRow.actual_at, ConveyanceRow.scheduled_at)
    q = select(ConveyanceRow).where(moved < before, ConveyanceRow.persons_purged_at.is_(None))
    return list(session.scalars(q.order_by(ConveyanceRow.scheduled_at, ConveyanceRow.id).limit(limit)))


def unscoped_count_expired(session: Session, *, before: datetime) -> int:
    moved = func.coalesce(ConveyanceRow.actual_at, ConveyanceRow.scheduled_at)
    q = select(func.count()).where(moved < before, ConveyanceRow.persons_purged_at.is_(None))
    return int(session.scalar(q.select_from(ConveyanceRow)) or 0)


def unscoped_persons_of(session: Session, ids: Iterable[str]) -> list[PersonRow]:
    return list(session.scalars(select(PersonRow).where(among(session, PersonRow.conveyance_id, list(ids)))))


def manifest_by_reference(session: Session, reference: str, *, scope: Scope) -> ManifestRow | None:
    """The caller's (a carrier's) cargo manifest with this reference, if any."""
    q = select(ManifestRow).where(ManifestRow.reference == reference)
    if scope.enterprise_id is not None:
        q = q.where(ManifestRow.carrier_id == scope.enterprise_id)
    if scope.units is not None:
        q = q.where(among(session, ManifestRow.unit, scope.units)) if scope.units else q.where(false())
    return session.scalar(q)


def upcoming_persons(
    session: Session, *, scope: Scope, after: datetime
) -> list[tuple[PersonRow, ConveyanceRow]]:
    """The people of the reports of the caller's units whose movement is still to come (not purged)."""
    q = select(PersonRow, ConveyanceRow).join(ConveyanceRow, ConveyanceRow.id == PersonRow.conveyance_id)
    q = _scoped(q, session, scope).where(
        ConveyanceRow.scheduled_at >= after, ConveyanceRow.persons_purged_at.is_(None)
    )
    return [(p, c) for p, c in session.execute(q.order_by(ConveyanceRow.scheduled_at, PersonRow.position))]
