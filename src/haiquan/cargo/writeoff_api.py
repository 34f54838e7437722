"""Write-off routes: the reports per carrier and voyage (carriers their own, officers their units'), one
manifest's standing now, and closing the manifests past their legal period (officers)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path

from haiquan.cargo import writeoff, writeoff_repository
from haiquan.cargo.tables import ManifestRow
from haiquan.cargo.writeoff_schemas import BillStanding, WriteoffOut, WriteoffReportOut
from haiquan.cargo.writeoff_tables import WriteoffReportRow
from haiquan.deps import Ctx, Tx
from haiquan.kit.pagination import clamp_limit
from haiquan.kit.transaction import TransactionRoute

router = APIRouter(prefix="/api/v1/cargo/writeoff", tags=["cargo"], route_class=TransactionRoute)
ManifestId = Annotated[str, Path(min_length=1, max_length=32)]


def report_out(
    r: WriteoffReportRow, m: ManifestRow, *, discrepancies_only: bool = False
) -> WriteoffReportOut:
    bills = [BillStanding.model_validate(b) for b in r.bills]
    if discrepancies_only:
        bills = [b for b in bills if b.standing != writeoff.Standing.DISCHARGED]
    return WriteoffReportOut(
        manifest_id=r.manifest_id, reference=m.reference, carrier_id=r.carrier_id, vessel=m.vessel,
        voyage=r.voyage, unit=r.unit, expected_arrival=m.expected_arrival, closed_at=r.closed_at,
        bill_count=r.bill_count, undischarged=r.undischarged, over_discharged=r.over_discharged, bills=bills,
    )  # fmt: skip


@router.get("", response_model=list[WriteoffReportOut], summary="Closed write-offs, newest first")
def reports(
    ctx: Ctx, voyage: str | None = None, discrepancies_only: bool = True, limit: int = 100
) -> list[WriteoffReportOut]:
    rows = writeoff_repository.reports(ctx.session, scope=ctx.principal.scope, voyage=voyage,
                                       discrepancies_only=discrepancies_only, limit=clamp_limit(limit))  # fmt: skip
    return [report_out(r, m, discrepancies_only=True) for r, m in rows]


@router.get("/{manifest_id}", response_model=WriteoffOut, summary="A manifest's write-off: each bill now")
def standing(manifest_id: ManifestId, ctx: Ctx) -> WriteoffOut:
    m, report = writeoff_repository.manifest(ctx.session, manifest_id, scope=ctx.principal.scope)
    bills = [BillStanding.model_validate(b.as_dict()) for b in writeoff.bills_of(ctx.session, m)]
    return WriteoffOut(
        manifest_id=m.id, reference=m.reference, voyage=m.voyage, expected_arrival=m.expected_arrival,
        due_at=m.expected_arrival + timedelta(days=ctx.settings.writeoff_days), bills=bills,
        report=report_out(report, m) if report is not None else None,
    )  # fmt: skip


@router.post("/close", response_model=list[WriteoffReportOut],
             summary="Close the write-off of the manifests past their legal period (officers; a scheduler)")  # fmt: skip
def close(tx: Tx) -> list[WriteoffReportOut]:
    done = writeoff.close_due(tx.session, principal=tx.principal, days=tx.settings.writeoff_days)
    manifests = {m.id: m for m in (writeoff_repository.manifest(tx.session, r.manifest_id, scope=tx.principal.scope)[0]
                                   for r in done)}  # fmt: skip
    return [report_out(r, manifests[r.manifest_id]) for r in done]
