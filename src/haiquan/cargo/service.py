"""Carrier use cases: send and amend an e-manifest; each bill becomes a consignment, scored before arrival.
Services never commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from haiquan.cargo import repository
from haiquan.cargo.catalogue import CargoEvent
from haiquan.cargo.domain import Mode, duplicates, lateness
from haiquan.cargo.schemas import BillIn, ManifestIn
from haiquan.cargo.screening import ConsignmentFacts, Scorer
from haiquan.cargo.tables import ConsignmentContainerRow, ConsignmentRow, ManifestRow
from haiquan.kit import audit, clock, outbox
from haiquan.kit.auth import Principal
from haiquan.kit.db import new_id
from haiquan.kit.errors import Conflict, ValidationFailed
from haiquan.kit.sql import among
from haiquan.supervision.tables import ItemRow, LocationRow


def _check_unique(data: ManifestIn) -> None:
    dup_bills = duplicates([b.number for b in data.bills])
    if dup_bills:
        raise ValidationFailed(f"bill {dup_bills[0]} appears twice", field="bills", code="duplicate_bill")
    dup_cont = duplicates([c.number for b in data.bills for c in b.containers])
    if dup_cont:
        raise ValidationFailed(
            f"container {dup_cont[0]} appears twice in the manifest",
            field="bills",
            code="duplicate_container",
        )


def _location(session: Session, code: str) -> LocationRow:
    loc = session.get(LocationRow, code)
    if loc is None or not loc.active:
        raise ValidationFailed(f"unknown customs location {code!r}", field="location_code")
    return loc


def _score(scorer: Scorer, data: ManifestIn, bill: BillIn) -> tuple[float, list[str], bool]:
    s = scorer.score(
        ConsignmentFacts(
            goods_id=bill.number,
            consignee_tax_code=bill.consignee_tax_code,
            loading_port=data.loading_port,
            discharge_port=data.discharge_port,
            description=bill.description,
            hs_codes=tuple(bill.hs_codes),
        )
    )
    return s.value, list(s.reasons), s.scan


def _check_taken(
    session: Session, m: ManifestRow, data: ManifestIn, existing: dict[str, ConsignmentRow]
) -> None:
    """A new bill must not be on another manifest: one query for the whole manifest."""
    new = [b.number for b in data.bills if b.number not in existing]
    if not new:
        return
    taken = set(
        session.scalars(select(ConsignmentRow.goods_id).where(among(session, ConsignmentRow.goods_id, new)))
    )
    for i, b in enumerate(data.bills):
        if b.number in taken:
            raise Conflict(
                f"bill {b.number} is already on another manifest",
                field=f"bills[{i}].number",
                code="bill_taken",
            )


def _put_bill(
    session: Session,
    m: ManifestRow,
    data: ManifestIn,
    bill: BillIn,
    row: ConsignmentRow | None,
    scorer: Scorer,
) -> ConsignmentRow:
    if row is None:
        row = ConsignmentRow(id=new_id(), manifest_id=m.id, goods_id=bill.number, created_at=clock.now())
        session.add(row)
    score, reasons, scan = _score(scorer, data, bill)
    row.master_bill, row.cargo_type, row.purpose = bill.master_bill, bill.cargo_type, bill.purpose
    row.consignee_tax_code, row.consignee_name = bill.consignee_tax_code, bill.consignee_name
    row.description, row.hs_codes = bill.description, list(bill.hs_codes)
    row.package_count, row.gross_mass_kg = bill.package_count, bill.gross_mass_kg
    row.unit, row.location_code, row.removed = m.unit, m.location_code, False
    row.risk_score, row.risk_reasons, row.scan_required = score, reasons, scan
    return row


def _put_containers(session: Session, data: ManifestIn, rows: list[ConsignmentRow], kept: list[str]) -> None:
    """Replace the containers of the bills kept from the last version, add those of every bill: the bills are
    written first (one flush), then their containers, in batches rather than a round trip per bill."""
    session.flush()
    if kept:
        session.execute(
            delete(ConsignmentContainerRow).where(
                among(session, ConsignmentContainerRow.consignment_id, kept)
            )
        )
    session.add_all(
        ConsignmentContainerRow(consignment_id=row.id, number=c.number, seal=c.seal, iso_type=c.iso_type)
        for bill, row in zip(data.bills, rows, strict=True)
        for c in bill.containers
    )


def _apply(session: Session, m: ManifestRow, data: ManifestIn, scorer: Scorer) -> list[ConsignmentRow]:
    with session.no_autoflush:
        loc = _location(session, data.location_code)
    m.mode, m.vessel, m.voyage = data.mode, data.vessel, data.voyage
    m.loading_port, m.discharge_port, m.location_code, m.unit = (
        data.loading_port,
        data.discharge_port,
        loc.code,
        loc.unit,
    )
    m.short_voyage, m.expected_arrival = data.short_voyage, data.expected_arrival
    late = lateness(
        Mode(data.mode),
        expected_arrival=data.expected_arrival,
        short_voyage=data.short_voyage,
        received_at=clock.now(),
    )
    m.deadline, m.late_by_seconds = late.deadline, int(late.late_by.total_seconds())
    existing = {
        r.goods_id: r
        for r in session.scalars(select(ConsignmentRow).where(ConsignmentRow.manifest_id == m.id))
    }
    _check_taken(session, m, data, existing)
    kept = [existing[b.number].id for b in data.bills if b.number in existing]
    rows = [_put_bill(session, m, data, b, existing.pop(b.number, None), scorer) for b in data.bills]
    _put_containers(session, data, rows, kept)
    for gone in existing.values():
        if session.scalar(select(ItemRow.id).where(ItemRow.consignment_id == gone.id).limit(1)) is not None:
            raise Conflict(
                f"bill {gone.goods_id} has moved in the controlled area and cannot be removed", field="bills"
            )
        gone.removed = True
    return rows


def _event(
    session: Session, m: ManifestRow, rows: list[ConsignmentRow], *, event: CargoEvent, actor: str
) -> None:
    body: dict[str, Any] = {
        "manifest_id": m.id,
        "reference": m.reference,
        "mode": m.mode,
        "vessel": m.vessel,
        "voyage": m.voyage,
        "location_code": m.location_code,
        "expected_arrival": m.expected_arrival.isoformat(),
        "late_by_seconds": m.late_by_seconds,
        "version": m.version,
        "consignments": [
            {"goods_id": r.goods_id, "risk_score": r.risk_score, "scan_required": r.scan_required}
            for r in rows
        ],
    }
    outbox.record(session, type=event, unit=m.unit, actor=actor, payload=body)
    audit.append(
        session,
        actor=actor,
        action=event,
        target=f"manifest:{m.reference}",
        unit=m.unit,
        detail={"bills": len(rows), "late_by_seconds": m.late_by_seconds},
    )


def submit(session: Session, *, principal: Principal, data: ManifestIn, scorer: Scorer) -> ManifestRow:
    principal.require_enterprise("carrier")
    _check_unique(data)
    dup = session.scalar(
        select(ManifestRow).where(
            ManifestRow.carrier_id == principal.id, ManifestRow.reference == data.reference
        )
    )
    if dup is not None:
        raise Conflict(
            f"manifest {data.reference} exists: amend it with PUT /api/v1/manifests/{dup.id}",
            field="reference",
        )
    m = ManifestRow(id=new_id(), carrier_id=principal.id, reference=data.reference, received_at=clock.now())
    session.add(m)
    rows = _apply(session, m, data, scorer)
    session.flush()
    _event(session, m, rows, event=CargoEvent.MANIFEST_RECEIVED, actor=principal.label)
    return m


def amend(
    session: Session, *, principal: Principal, manifest_id: str, data: ManifestIn, scorer: Scorer
) -> ManifestRow:
    principal.require_enterprise("carrier")
    m = get(session, principal=principal, manifest_id=manifest_id)
    if data.reference != m.reference:
        raise ValidationFailed("the reference of a manifest cannot change", field="reference")
    _check_unique(data)
    rows = _apply(session, m, data, scorer)
    m.version += 1
    m.amended_at = clock.now()
    session.flush()
    _event(session, m, rows, event=CargoEvent.MANIFEST_AMENDED, actor=principal.label)
    return m


def get(session: Session, *, principal: Principal, manifest_id: str) -> ManifestRow:
    return repository.manifest(session, manifest_id, scope=principal.scope)
