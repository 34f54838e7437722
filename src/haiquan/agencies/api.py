"""The agencies' API: a line ministry's system reads the permits and inspections in its scope and decides
them; customs and the declarant read them; the declarant references a permit already issued."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from haiquan.agencies import access, repository, service, views
from haiquan.agencies.domain import AGENCIES, DecisionInput
from haiquan.agencies.requests import rules
from haiquan.agencies.requirements import LineFacts, required
from haiquan.agencies.schemas import (
    AgencyOut,
    DecisionIn,
    InspectionIn,
    PermitDetailOut,
    PermitOut,
    ReferenceIn,
    RequirementOut,
    StatusFilter,
)
from haiquan.deps import Ctx, Tx
from haiquan.kit.transaction import TransactionRoute

router = APIRouter(prefix="/api/v1/agencies", tags=["agencies"], route_class=TransactionRoute)
HS = Annotated[str, Query(pattern=r"^\d{8}$", description="The national 8-digit line")]
COUNTRY = Annotated[str, Query(pattern=r"^[A-Z]{2}$", description="ISO 3166 alpha-2 origin")]


@router.get("", response_model=list[AgencyOut], summary="The agencies and their deadlines")
def agencies(ctx: Ctx) -> list[AgencyOut]:
    _ = ctx
    return [AgencyOut(**a.__dict__) for a in AGENCIES.values()]


@router.get("/requirements", response_model=list[RequirementOut], summary="Which permits a line would need")
def requirements_for(
    ctx: Ctx,
    hs_code: HS,
    origin_country: COUNTRY,
    kind: Annotated[str, Query(pattern="^(import|export)$")] = "import",
    procedure_code: Annotated[str, Query(max_length=4)] = "",
) -> list[RequirementOut]:
    found = required(LineFacts(hs_code, origin_country, kind, procedure_code), rules(ctx.session))
    return [RequirementOut(**{k: getattr(r, k) for k in RequirementOut.model_fields}) for r in found]


@router.get("/permits", response_model=list[PermitOut], summary="Permits in the caller's scope")
def permits(ctx: Ctx, status: Annotated[list[StatusFilter] | None, Query()] = None) -> list[PermitOut]:
    rows = service.queue(ctx.session, principal=ctx.principal, statuses=list(status) if status else None)
    return [views.permit_out(r) for r in rows]


@router.get(
    "/declarations/{number}/permits", response_model=list[PermitOut], summary="A declaration's permits"
)
def declaration_permits(ctx: Ctx, number: str) -> list[PermitOut]:
    rows = service.visible_permits(ctx.session, principal=ctx.principal, numbers=[number])
    return [views.permit_out(r) for r in rows]


@router.get("/permits/{permit_id}", response_model=PermitDetailOut, summary="A permit and its history")
def permit(ctx: Ctx, permit_id: str) -> PermitDetailOut:
    scope = access.reader_scope(ctx.session, ctx.principal)
    row = repository.get(ctx.session, permit_id, scope=scope)
    return views.permit_detail(row, repository.history(ctx.session, permit_id, scope=scope))


@router.post(
    "/permits/{permit_id}/inspection", response_model=PermitOut, summary="The agency starts an inspection"
)
def start_inspection(tx: Tx, permit_id: str, body: InspectionIn) -> PermitOut:
    row = service.start_inspection(tx.session, principal=tx.principal, permit_id=permit_id, note=body.note)
    return views.permit_out(row)


@router.post("/permits/{permit_id}/decision", response_model=PermitOut, summary="The agency decides")
def decide(tx: Tx, permit_id: str, body: DecisionIn) -> PermitOut:
    decision = DecisionInput(body.outcome, body.reason, body.conditions, body.lab_reference)
    row = service.decide(tx.session, principal=tx.principal, permit_id=permit_id, decision=decision)
    return views.permit_out(row)


@router.post(
    "/permits/{permit_id}/reference", response_model=PermitOut, summary="The declarant names an issued permit"
)
def reference(tx: Tx, permit_id: str, body: ReferenceIn) -> PermitOut:
    row = service.reference_permit(
        tx.session, principal=tx.principal, permit_id=permit_id, reference_no=body.reference_no
    )
    return views.permit_out(row)
