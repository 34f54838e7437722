"""Manifest routes for carriers' systems; pre-arrival screening for officers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from sqlalchemy.orm import Session

from haiquan.cargo import repository, service
from haiquan.cargo.schemas import ConsignmentOut, ContainerOut, ManifestIn, ManifestOut, ScreeningItem
from haiquan.cargo.screening import Scorer, default_scorer
from haiquan.cargo.tables import ManifestRow
from haiquan.deps import Ctx, Tx
from haiquan.kit.auth import Scope
from haiquan.kit.pagination import clamp_limit
from haiquan.kit.transaction import TransactionRoute
from haiquan.risk.prearrival import with_profiles

router = APIRouter(prefix="/api/v1", tags=["cargo"], route_class=TransactionRoute)
ManifestId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


def scorer_of(request: Request) -> Scorer:
    s: Scorer | None = getattr(request.app.state, "cargo_scorer", None)
    if s is None:
        s = default_scorer()
        request.app.state.cargo_scorer = s
    return s


def manifest_out(session: Session, m: ManifestRow, *, scope: Scope, for_officer: bool = False) -> ManifestOut:
    """The manifest; the pre-arrival score and its reasons (risk profiles) are for officers only."""
    found = repository.consignments(session, m, scope=scope)
    late_min = m.late_by_seconds // 60
    return ManifestOut(
        id=m.id,
        reference=m.reference,
        mode=m.mode,
        vessel=m.vessel,
        voyage=m.voyage,
        loading_port=m.loading_port,
        discharge_port=m.discharge_port,
        location_code=m.location_code,
        unit=m.unit,
        expected_arrival=m.expected_arrival,
        deadline=m.deadline,
        received_at=m.received_at,
        late=m.late_by_seconds > 0,
        late_by_minutes=late_min,
        lateness_message=(
            f"late: received {late_min} min after the legal deadline {m.deadline.isoformat()}"
            if m.late_by_seconds > 0
            else None
        ),
        version=m.version,
        consignments=[consignment_out(c, for_officer=for_officer) for c in found],
    )


def consignment_out(c: repository.Consignment, *, for_officer: bool) -> ConsignmentOut:
    r = c.row
    return ConsignmentOut(
        id=r.id,
        goods_id=r.goods_id,
        master_bill=r.master_bill,
        cargo_type=r.cargo_type,
        purpose=r.purpose,
        consignee_tax_code=r.consignee_tax_code,
        consignee_name=r.consignee_name,
        description=r.description,
        hs_codes=list(r.hs_codes),
        package_count=r.package_count,
        gross_mass_kg=r.gross_mass_kg,
        location_code=r.location_code,
        risk_score=r.risk_score if for_officer else None,
        risk_reasons=list(r.risk_reasons) if for_officer else [],
        scan_required=r.scan_required,
        containers=sorted(
            (ContainerOut(number=k.number, seal=k.seal, iso_type=k.iso_type) for k in c.containers),
            key=lambda k: k.number,
        ),
    )


@router.post(
    "/manifests", status_code=201, response_model=ManifestOut, summary="Send an e-manifest (carriers)"
)
def submit(body: ManifestIn, tx: Tx, request: Request) -> ManifestOut:
    scorer = with_profiles(scorer_of(request), tx.session)
    m = service.submit(tx.session, principal=tx.principal, data=body, scorer=scorer)
    return manifest_out(tx.session, m, scope=tx.principal.scope)


@router.put("/manifests/{manifest_id}", response_model=ManifestOut, summary="Amend an e-manifest (carriers)")
def amend(manifest_id: ManifestId, body: ManifestIn, tx: Tx, request: Request) -> ManifestOut:
    scorer = with_profiles(scorer_of(request), tx.session)
    m = service.amend(tx.session, principal=tx.principal, manifest_id=manifest_id, data=body, scorer=scorer)
    return manifest_out(tx.session, m, scope=tx.principal.scope)


@router.get(
    "/manifests/{manifest_id}", response_model=ManifestOut, summary="A manifest (its carrier, officers)"
)
def get(manifest_id: ManifestId, ctx: Ctx) -> ManifestOut:
    scope = ctx.principal.scope
    m = repository.manifest(ctx.session, manifest_id, scope=scope)
    return manifest_out(ctx.session, m, scope=scope, for_officer=ctx.principal.is_officer)


@router.get(
    "/screening",
    response_model=list[ScreeningItem],
    summary="Pre-arrival screening: consignments flagged for scanning (officers of the supervising unit)",
)
def screening(ctx: Ctx, flagged_only: bool = True, limit: int = 100) -> list[ScreeningItem]:
    ctx.principal.require_officer()
    found = repository.screening(
        ctx.session, scope=ctx.principal.scope, flagged_only=flagged_only, limit=clamp_limit(limit)
    )
    return [
        ScreeningItem(
            goods_id=c.goods_id,
            manifest_reference=m.reference,
            vessel=m.vessel,
            voyage=m.voyage,
            expected_arrival=m.expected_arrival,
            consignee_tax_code=c.consignee_tax_code,
            description=c.description,
            risk_score=c.risk_score,
            risk_reasons=list(c.risk_reasons),
            scan_required=c.scan_required,
        )
        for c, m in found
    ]
