"""Queries of inspection. Every query takes the caller's Scope: an operator sees its own locations,
scanners and results; an officer those of its unit subtree."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVarTuple

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from haiquan.inspection.tables import (
    DelegationRow,
    LocationHistoryRow,
    LocationRow,
    ScannerRow,
    ScanResultRow,
)
from haiquan.kit.auth import Scope
from haiquan.kit.errors import NotFound
from haiquan.organization.tables import OfficerRow

Ts = TypeVarTuple("Ts")


def _scoped(q: Select[*Ts], scope: Scope) -> Select[*Ts]:
    if scope.enterprise_id is not None:
        return q.where(LocationRow.operator_id == scope.enterprise_id)
    if scope.units is not None:
        q = q.where(LocationRow.unit.in_(sorted(scope.units)))
    return q


def get_location(
    session: Session, location_id: str, *, scope: Scope, for_update: bool = False
) -> LocationRow:
    q = _scoped(select(LocationRow).where(LocationRow.id == location_id), scope)
    row = session.scalar(q.with_for_update() if for_update else q)
    if row is None:
        raise NotFound(f"no location {location_id} in your scope", field="location_id")
    return row


def location_by_code(session: Session, code: str, *, scope: Scope) -> LocationRow:
    row = session.scalar(_scoped(select(LocationRow).where(LocationRow.code == code), scope))
    if row is None:
        raise NotFound(f"no approved location {code} in your scope", field="location_code")
    return row


def list_locations(
    session: Session, *, scope: Scope, status: str | None = None, limit: int = 200
) -> list[LocationRow]:
    q = _scoped(select(LocationRow), scope)
    if status is not None:
        q = q.where(LocationRow.status == status)
    q = q.order_by(LocationRow.applied_at.desc(), LocationRow.id.desc()).limit(limit)
    return list(session.scalars(q).all())


def history_of(session: Session, location_id: str, *, scope: Scope) -> list[LocationHistoryRow]:
    q = _scoped(
        select(LocationHistoryRow).join(LocationRow, LocationRow.id == LocationHistoryRow.location_id), scope
    )
    q = q.where(LocationHistoryRow.location_id == location_id).order_by(LocationHistoryRow.seq)
    return list(session.scalars(q).all())


def _delegations_scoped(q: Select[*Ts], scope: Scope) -> Select[*Ts]:
    if scope.enterprise_id is not None:
        return q.where(DelegationRow.id.is_(None))  # enterprises see no delegation
    if scope.units is not None:
        q = q.where(DelegationRow.department.in_(sorted(scope.units)))
    return q


def delegations(session: Session, *, scope: Scope, department: str | None = None) -> list[DelegationRow]:
    q = _delegations_scoped(select(DelegationRow), scope)
    if department is not None:
        q = q.where(DelegationRow.department == department)
    return list(session.scalars(q.order_by(DelegationRow.created_at.desc())).all())


def unscoped_delegations_to(session: Session, officer_id: str) -> list[DelegationRow]:
    """The delegations an officer holds, in force or not (the domain decides): the officer's own records,
    read to widen what the officer may approve, so no unit scope applies."""
    q = select(DelegationRow).where(
        DelegationRow.delegate_id == officer_id, DelegationRow.revoked_at.is_(None)
    )
    return list(session.scalars(q).all())


def get_delegation(session: Session, delegation_id: str, *, scope: Scope) -> DelegationRow:
    row = session.scalar(
        _delegations_scoped(select(DelegationRow).where(DelegationRow.id == delegation_id), scope)
    )
    if row is None:
        raise NotFound(f"no delegation {delegation_id} in your scope", field="delegation_id")
    return row


def scanners_of(session: Session, location_id: str, *, scope: Scope) -> list[ScannerRow]:
    q = _scoped(select(ScannerRow).join(LocationRow, LocationRow.id == ScannerRow.location_id), scope)
    q = q.where(ScannerRow.location_id == location_id).order_by(ScannerRow.registered_at)
    return list(session.scalars(q).all())


def scanner_by_serial(session: Session, location_id: str, serial: str, *, scope: Scope) -> ScannerRow | None:
    q = _scoped(select(ScannerRow).join(LocationRow, LocationRow.id == ScannerRow.location_id), scope)
    return session.scalar(q.where(ScannerRow.location_id == location_id, ScannerRow.serial == serial))


def unscoped_scanner_by_key(session: Session, key_id: str) -> tuple[ScannerRow, LocationRow] | None:
    """The scanner a device key names, and its location: authentication, before any scope exists."""
    q = select(ScannerRow, LocationRow).join(LocationRow, LocationRow.id == ScannerRow.location_id)
    found = session.execute(q.where(ScannerRow.key_id == key_id)).first()
    return None if found is None else (found[0], found[1])


def _scans_scoped(q: Select[*Ts], scope: Scope) -> Select[*Ts]:
    if scope.enterprise_id is not None:
        return q.where(ScanResultRow.operator_id == scope.enterprise_id)
    if scope.units is not None:
        q = q.where(ScanResultRow.unit.in_(sorted(scope.units)))
    return q


def scans(
    session: Session,
    *,
    scope: Scope,
    declaration_number: str | None = None,
    house_bill: str | None = None,
    since: datetime | None = None,
    limit: int = 200,
) -> list[ScanResultRow]:
    q = _scans_scoped(select(ScanResultRow), scope)
    if declaration_number is not None:
        q = q.where(ScanResultRow.declaration_number == declaration_number)
    if house_bill is not None:
        q = q.where(ScanResultRow.house_bill == house_bill)
    if since is not None:
        q = q.where(ScanResultRow.recorded_at >= since)
    q = q.order_by(ScanResultRow.recorded_at.desc(), ScanResultRow.id.desc()).limit(limit)
    return list(session.scalars(q).all())  # fmt: skip


def get_scan(session: Session, scan_id: str, *, scope: Scope) -> ScanResultRow:
    row = session.scalar(_scans_scoped(select(ScanResultRow).where(ScanResultRow.id == scan_id), scope))
    if row is None:
        raise NotFound(f"no scanner result {scan_id} in your scope", field="scan_id")
    return row


def scans_of_declaration(session: Session, number: str, *, scope: Scope, office: str) -> list[ScanResultRow]:
    """The images of a declaration the caller has already read (scoped): an officer covering the
    declaration's office sees every image of it, wherever it was taken."""
    whole = Scope(units=None) if scope.enterprise_id is None and scope.covers_unit(office) else scope
    return scans(session, scope=whole, declaration_number=number)


def locations_by_id(session: Session, ids: set[str], *, scope: Scope) -> dict[str, LocationRow]:
    if not ids:
        return {}
    q = _scoped(select(LocationRow).where(LocationRow.id.in_(sorted(ids))), scope)
    return {r.id: r for r in session.scalars(q).all()}


def scanners_by_id(session: Session, ids: set[str], *, scope: Scope) -> dict[str, ScannerRow]:
    if not ids:
        return {}
    q = _scoped(select(ScannerRow).join(LocationRow, LocationRow.id == ScannerRow.location_id), scope)
    return {r.id: r for r in session.scalars(q.where(ScannerRow.id.in_(sorted(ids)))).all()}


def officer_by_username(session: Session, username: str, *, scope: Scope) -> OfficerRow | None:
    """An officer of the caller's units (a director names the delegate)."""
    q = select(OfficerRow).where(OfficerRow.username == username)
    if scope.units is not None:
        q = q.where(OfficerRow.unit.in_(sorted(scope.units)))
    return session.scalar(q)


def unscoped_get_scan(session: Session, scan_id: str) -> ScanResultRow | None:
    """A result by id, for a reader whose right comes from the declaration it concerns (inspection.views
    checks it before anything is shown)."""
    return session.get(ScanResultRow, scan_id)
