"""Scanners and their results: an approved location's scanners (each with a device key, shown once),
the image store, and the results a scanner posts. A suspicious image turns a commercial declaration still
under check red (the declarations' lifecycle: ROUTE_TO_INSPECTION), or holds a low-value parcel through
`hold_parcel_hook`. Each result is a row (reference and hash, never the image), an event and an audit
entry. Services never commit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from haiquan.declarations import repository as declarations
from haiquan.declarations.domain import Channel, Command, Status, check_deadline
from haiquan.declarations.events import transition
from haiquan.inspection import devices, images, scanning
from haiquan.inspection import repository as repo
from haiquan.inspection.catalogue import InspectionEvent
from haiquan.inspection.domain import InspectionLocationStatus
from haiquan.inspection.scanning import Effect, ReferenceKind, ScanError, ScanVerdict
from haiquan.inspection.schemas import ScanIn, ScannerIn
from haiquan.inspection.tables import LocationRow, ScannerRow, ScanResultRow
from haiquan.kit import audit, clock, outbox
from haiquan.kit.auth import Principal, Scope
from haiquan.kit.db import new_id
from haiquan.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from haiquan.lowvalue import repository as lowvalue_repository
from haiquan.lowvalue import service as lowvalue
from haiquan.organization import service as org


def register_scanner(
    session: Session, *, principal: Principal, location_id: str, data: ScannerIn
) -> tuple[ScannerRow, str]:
    """The operator (or an officer of the unit) registers a scanner of an approved location; returns the
    row and its device key, shown once."""
    if not (principal.is_enterprise or principal.is_officer):
        raise Forbidden("scanners are registered by the operator or customs", code="forbidden")
    loc = repo.get_location(session, location_id, scope=principal.scope)
    if loc.status != InspectionLocationStatus.APPROVED or loc.code is None:
        raise Conflict("scanners are registered at an approved location", field="location_id")
    if repo.scanner_by_serial(session, loc.id, data.serial, scope=principal.scope) is not None:
        raise Conflict(f"scanner {data.serial} is registered here", field="serial")
    full, key_id, key_hash = devices.new_device_key()
    row = ScannerRow(id=new_id(), location_id=loc.id, serial=data.serial, model=data.model, key_id=key_id,
                     key_hash=key_hash, registered_by=principal.label, registered_at=clock.now())  # fmt: skip
    session.add(row)
    payload = {"scanner_id": row.id, "location_id": loc.id, "location_code": loc.code, "serial": row.serial,
               "key_id": key_id}  # fmt: skip
    outbox.record(session, type=InspectionEvent.SCANNER_REGISTERED, unit=loc.unit, actor=principal.label,
                  payload=payload)  # fmt: skip
    audit.append(session, actor=principal.label, action=str(InspectionEvent.SCANNER_REGISTERED),
                 target=f"location:{loc.code}", unit=loc.unit, detail={"serial": row.serial, "key_id": key_id})  # fmt: skip
    return row, full


def revoke_scanner(
    session: Session, *, principal: Principal, location_id: str, scanner_id: str
) -> ScannerRow:
    """The operator or an officer of the unit takes a scanner out of service (its key stops at once)."""
    if not (principal.is_enterprise or principal.is_officer):
        raise Forbidden("scanners are revoked by the operator or customs", code="forbidden")
    found = [r for r in repo.scanners_of(session, location_id, scope=principal.scope) if r.id == scanner_id]
    if not found:
        raise NotFound(f"no scanner {scanner_id} at this location in your scope", field="scanner_id")
    row = found[0]
    if row.revoked_at is None:
        row.revoked_at = clock.now()
        loc = repo.get_location(session, location_id, scope=principal.scope)
        payload = {"scanner_id": row.id, "location_id": loc.id, "serial": row.serial, "key_id": row.key_id,
                   "revoked_by": principal.label}  # fmt: skip
        outbox.record(session, type=InspectionEvent.SCANNER_REVOKED, unit=loc.unit, actor=principal.label,
                      payload=payload)  # fmt: skip
        audit.append(session, actor=principal.label, action=str(InspectionEvent.SCANNER_REVOKED),
                     target=f"location:{loc.code}", unit=loc.unit, detail={"serial": row.serial, "key_id": row.key_id})  # fmt: skip
    return row


def store_image(
    session: Session, *, principal: Principal, data_dir: Path, data: bytes, content_type: str
) -> tuple[str, str]:
    """An image put in customs' store by a scanner or its operator: (key, sha256)."""
    if principal.kind != devices.KIND:
        principal.require_enterprise()
        if not repo.list_locations(
            session, scope=principal.scope, status=InspectionLocationStatus.APPROVED.value, limit=1
        ):
            raise Forbidden(
                "images are stored by the operators of approved locations and their scanners",
                code="no_approved_location",
            )
    try:
        key, digest = images.put(data_dir, data, content_type)
    except ScanError as exc:
        raise ValidationFailed(str(exc), field="data") from exc
    audit.append(session, actor=principal.label, action="inspection.image_stored", target=f"image:{digest}",
                 detail={"size": len(data), "content_type": content_type})  # fmt: skip
    return key, digest


def _scanner(session: Session, principal: Principal, loc: LocationRow, serial: str | None) -> ScannerRow:
    if principal.kind == devices.KIND:
        found = repo.scanners_by_id(session, {principal.id}, scope=principal.scope).get(principal.id)
        if found is None or found.location_id != loc.id:
            raise Forbidden(f"this device key is not a scanner of {loc.code}", field="location_code")
        return found
    if not serial:
        raise ValidationFailed(
            "name the scanner (its serial) when posting with an API key", field="scanner_serial"
        )
    found = repo.scanner_by_serial(session, loc.id, serial, scope=principal.scope)
    if found is None or found.revoked_at is not None:
        raise ValidationFailed(f"no scanner {serial} registered at {loc.code}", field="scanner_serial")
    return found


def _check_image(data: ScanIn, data_dir: Path) -> tuple[str, ReferenceKind]:
    img = data.image
    try:
        digest = scanning.check_hash(img.sha256)
        kind = scanning.reference_kind(img.reference, img.content_type)
        if kind is ReferenceKind.KEY:
            stored = images.read(data_dir, img.reference)
            if stored is None:
                raise ScanError("no object under this key in customs' image store", field="image.reference")
            scanning.check_content(stored, sha256=digest, size=img.size_bytes, content_type=img.content_type)
    except ScanError as exc:
        raise ValidationFailed(str(exc), field=exc.field) from exc
    return digest, kind


def _check_target(data: ScanIn) -> None:
    if (data.declaration_number is None) == (data.house_bill is None):
        raise ValidationFailed(
            "give exactly one of declaration_number and house_bill", field="declaration_number"
        )
    if data.verdict is ScanVerdict.SUSPICIOUS and not data.note.strip():
        raise ValidationFailed("a suspicious verdict needs a note saying what was seen", field="note")


def record_scan(session: Session, *, principal: Principal, data: ScanIn, data_dir: Path) -> ScanResultRow:
    """A scanner's image of a package or container and its operator's verdict."""
    if principal.kind != devices.KIND:
        principal.require_enterprise()
    _check_target(data)
    loc = repo.location_by_code(session, data.location_code, scope=principal.scope)
    if loc.status != InspectionLocationStatus.APPROVED:
        raise Conflict(f"location {loc.code} is not approved", field="location_code")
    scanner = _scanner(session, principal, loc, data.scanner_serial)
    digest, kind = _check_image(data, data_dir)
    effect = _apply_verdict(session, loc, data, actor=principal.label)
    img = data.image
    row = ScanResultRow(
        id=new_id(), location_id=loc.id, scanner_id=scanner.id, operator_id=loc.operator_id, unit=loc.unit,
        declaration_number=data.declaration_number, house_bill=data.house_bill, container=data.container,
        image_reference=img.reference, reference_kind=kind.value, sha256=digest, size_bytes=img.size_bytes,
        content_type=img.content_type, verdict=data.verdict.value, note=data.note, effect=effect.value,
        scanned_at=data.scanned_at, recorded_at=clock.now(), recorded_by=principal.label,
    )  # fmt: skip
    session.add(row)
    _recorded(session, row, loc, scanner, actor=principal.label)
    return row


def _recorded(
    session: Session, row: ScanResultRow, loc: LocationRow, scanner: ScannerRow, *, actor: str
) -> None:
    payload: dict[str, Any] = {
        "scan_id": row.id, "location_code": loc.code, "scanner_serial": scanner.serial,
        "declaration_number": row.declaration_number, "house_bill": row.house_bill, "container": row.container,
        "image_reference": row.image_reference, "sha256": row.sha256, "size_bytes": row.size_bytes,
        "content_type": row.content_type, "verdict": row.verdict, "effect": row.effect,
    }  # fmt: skip
    outbox.record(session, type=InspectionEvent.SCAN_RECORDED, unit=loc.unit, actor=actor, payload=payload)
    target = f"declaration:{row.declaration_number}" if row.declaration_number else f"parcel:{row.house_bill}"
    audit.append(session, actor=actor, action=str(InspectionEvent.SCAN_RECORDED), target=target, unit=loc.unit,
                 detail={"verdict": row.verdict, "effect": row.effect, "sha256": row.sha256})  # fmt: skip


def _apply_verdict(session: Session, loc: LocationRow, data: ScanIn, *, actor: str) -> Effect:
    if data.declaration_number is not None:
        return _on_declaration(session, loc, data, actor=actor)
    assert data.house_bill is not None
    if data.verdict is ScanVerdict.CLEAR:
        return Effect.RECORDED
    held = hold_parcel_hook(
        session, house_bill=data.house_bill, reason=data.note, actor=actor, unit=loc.department
    )
    return Effect.HELD if held else Effect.RECORDED


def hold_parcel_hook(session: Session, *, house_bill: str, reason: str, actor: str, unit: str) -> bool:
    """A suspicious image holds the low-value parcels lodged under this house air waybill at the offices of
    `unit` and below (lowvalue.service.hold_parcel, source "scanner"); one already held stays held.
    Returns whether any parcel is held: otherwise the result is only recorded."""
    scope = Scope(units=org.TREES.get(session).subtree(unit))
    parcels = lowvalue_repository.by_item_key(session, house_bill, scope=scope)
    for parcel in parcels:
        try:
            lowvalue.hold_parcel(
                session, number=parcel.number, reason=reason[:200] or "scanner", actor=actor, scope=scope,
                source="scanner",
            )  # fmt: skip
        except Conflict:
            continue  # held already, or red: it stays held
    return bool(parcels)


def _on_declaration(session: Session, loc: LocationRow, data: ScanIn, *, actor: str) -> Effect:
    """The declaration must be one of the location's department; a suspicious image turns it red."""
    assert data.declaration_number is not None
    department = Scope(units=org.TREES.get(session).subtree(loc.department))
    try:
        row = declarations.get(session, data.declaration_number, scope=department, for_update=True)
    except NotFound as exc:
        raise NotFound(str(exc), field="declaration_number") from exc
    effect = scanning.effect_on_declaration(data.verdict, status=row.status, channel=row.channel)
    if effect is Effect.TURNED_RED:
        reason = {"kind": "scanner", "id": loc.code, "vi": f"Ảnh soi nghi vấn tại {loc.code}: {data.note}",
                  "en": f"Suspicious scanner image at {loc.code}: {data.note}"}  # fmt: skip
        now = clock.now()
        row.channel, row.channel_reasons = Channel.RED.value, [*row.channel_reasons, reason]
        row.check_deadline, row.updated_at = check_deadline(Channel.RED, now), now
        if row.status == Status.REGISTERED:
            transition(session, row, Command.ROUTE_TO_INSPECTION, actor=actor, reason=data.note[:200],
                       detail={"scanner": loc.code})  # fmt: skip
    return effect
