"""Manifest write-off: every bill on a manifest is discharged by the declarations that name it as their
transport document (counted from registration until cancelled or rejected) and followed out by its
gate-outs (supervision's exits). Once the legal period after arrival is over (settings.writeoff_days), a
manifest is closed: its undischarged and over-discharged bills form the report of that carrier and voyage,
an alert is raised to the supervising unit, and cargo.manifest_written_off is recorded.

A bill's standing compares packages: declared < manifested is undischarged (none declared included),
declared > manifested is over-discharged; a bill of no packages is discharged by any declaration."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from haiquan.cargo import writeoff_repository as repo
from haiquan.cargo.catalogue import CargoEvent, ManifestWrittenOff
from haiquan.cargo.tables import ManifestRow
from haiquan.cargo.writeoff_tables import WriteoffReportRow
from haiquan.kit import clock, outbox
from haiquan.kit.auth import Principal
from haiquan.supervision import alerts
from haiquan.supervision.domain import AlertKind

# statuses under which a declaration discharges its bill
COUNTED = frozenset({
    "registered", "documents_requested", "inspection_intended", "duty_payment_reference_issued", "cleared",
    "released", "goods_exited", "held_by_other_agency",
})  # fmt: skip
ACTOR = "system:writeoff"


class Standing(StrEnum):
    DISCHARGED = "discharged"
    UNDISCHARGED = "undischarged"
    OVER_DISCHARGED = "over_discharged"


def standing(manifested: int, declared: int, declarations: int) -> Standing:
    """Pure: a bill's standing from its manifested and declared packages and how many declarations."""
    if manifested == 0:
        return Standing.DISCHARGED if declarations else Standing.UNDISCHARGED
    if declared < manifested:
        return Standing.UNDISCHARGED
    return Standing.OVER_DISCHARGED if declared > manifested else Standing.DISCHARGED


@dataclass
class Bill:
    goods_id: str
    manifested_packages: int
    manifested_mass_kg: Decimal
    declared_packages: int = 0
    declared_mass_kg: Decimal = Decimal(0)
    declarations: list[str] = field(default_factory=list)
    gated_out: bool = False

    @property
    def standing(self) -> Standing:
        return standing(self.manifested_packages, self.declared_packages, len(self.declarations))

    def as_dict(self) -> dict[str, Any]:
        return {
            "goods_id": self.goods_id, "manifested_packages": self.manifested_packages,
            "manifested_mass_kg": str(self.manifested_mass_kg), "declared_packages": self.declared_packages,
            "declared_mass_kg": str(self.declared_mass_kg), "declarations": self.declarations,
            "gated_out": self.gated_out, "standing": self.standing.value,
        }  # fmt: skip


def bills_of(session: Session, m: ManifestRow) -> list[Bill]:
    """Each bill of the manifest with what discharged it so far."""
    consignments = repo.unscoped_bills(session, m.id)
    ids = [c.goods_id for c in consignments]
    decls = repo.unscoped_counted_declarations(session, ids)
    out_ids = repo.unscoped_gated_out(session, ids)
    bills = []
    for c in consignments:
        b = Bill(c.goods_id, c.package_count, c.gross_mass_kg, gated_out=c.goods_id in out_ids)
        for d in decls.get(c.goods_id, []):
            b.declared_packages += d.package_count
            b.declared_mass_kg += d.gross_mass_kg
            b.declarations.append(d.number)
        bills.append(b)
    return bills


def due_before(now: datetime, days: int) -> datetime:
    """Manifests expected before this moment have passed their legal period."""
    return now - timedelta(days=days)


def close_due(session: Session, *, principal: Principal, days: int) -> list[WriteoffReportRow]:
    """Close the write-off of every manifest of the officer's units past its legal period not yet closed:
    its report, an alert per manifest with discrepancies, and cargo.manifest_written_off."""
    principal.require_officer()
    now = clock.now()
    reports = []
    for m in repo.due_manifests(session, before=due_before(now, days), scope=principal.scope):
        reports.append(_close(session, m, now, actor=principal.label))
    return reports


def close_all_due(
    session: Session, *, days: int, each: Callable[[list[ManifestRow]], Iterable[ManifestRow]] = iter
) -> list[WriteoffReportRow]:
    """The background duty (with the escalations, every minute) and `haiquan cargo writeoff-close`: close
    every manifest past its legal period, each once (locked, and checked again in case a worker beside
    this one closed it meanwhile; the report's key is the manifest). `each` wraps the loop (a progress bar)."""
    now = clock.now()
    reports = []
    for m in each(repo.unscoped_due_manifests(session, before=due_before(now, days))):
        if not repo.unscoped_closed(session, m.id):
            reports.append(_close(session, m, now, actor=ACTOR))
    return reports


def _close(session: Session, m: ManifestRow, now: datetime, *, actor: str) -> WriteoffReportRow:
    bills = bills_of(session, m)
    wrong = [b for b in bills if b.standing is not Standing.DISCHARGED]
    report = WriteoffReportRow(
        manifest_id=m.id, carrier_id=m.carrier_id, unit=m.unit, voyage=m.voyage, closed_at=now,
        bill_count=len(bills), undischarged=sum(b.standing is Standing.UNDISCHARGED for b in bills),
        over_discharged=sum(b.standing is Standing.OVER_DISCHARGED for b in bills),
        bills=[b.as_dict() for b in bills],
    )  # fmt: skip
    session.add(report)
    payload: ManifestWrittenOff = {
        "manifest_id": m.id, "reference": m.reference, "carrier_id": m.carrier_id, "vessel": m.vessel,
        "voyage": m.voyage, "bills": report.bill_count, "undischarged": report.undischarged,
        "over_discharged": report.over_discharged, "discrepancies": [b.goods_id for b in wrong][:1000],
    }  # fmt: skip
    outbox.record(
        session, type=CargoEvent.MANIFEST_WRITTEN_OFF, unit=m.unit, actor=actor, payload=dict(payload)
    )
    if wrong:
        alerts.raise_many(session, [_alert(m, report, now)], source="writeoff", actor=actor)
    return report


def _alert(m: ManifestRow, r: WriteoffReportRow, now: datetime) -> dict[str, Any]:
    return alerts.row(
        AlertKind.WRITEOFF_DISCREPANCY, unit=m.unit, goods_id=None, container=None, location_code=m.location_code,
        message_vi=f"Manifest {m.vessel} chuyến {m.voyage}: {r.undischarged} vận đơn chưa thanh khoản, "
        f"{r.over_discharged} vận đơn khai vượt",
        message_en=f"Manifest {m.vessel} voyage {m.voyage}: {r.undischarged} bills undischarged, "
        f"{r.over_discharged} over-discharged",
        detail={"manifest_id": m.id, "reference": m.reference}, at=now, dedupe_key=f"writeoff:{m.id}",
    )  # fmt: skip
