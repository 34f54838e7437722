"""The post-clearance audit API (kiểm tra sau thông quan): the queue and selection, plans, cases with
findings and their assessment. Officers of the audit field, analysts and leaders, in their units."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from haiquan.audit import audit_work, repository, service
from haiquan.audit.schemas import CandidateOut, CaseIn, CaseOut, FindingsIn, PlanIn, PlanOut, SelectionIn
from haiquan.deps import Ctx, Tx
from haiquan.kit.transaction import TransactionRoute

router = APIRouter(prefix="/api/v1/audit", tags=["audit"], route_class=TransactionRoute)
CandidateId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The candidate's id")]


@router.get("/queue", response_model=list[CandidateOut], summary="Declarations queued for audit")
def queue(
    ctx: Ctx, status: Annotated[str, Query(pattern="^(queued|opened|dismissed)$")] = "queued"
) -> list[CandidateOut]:
    service.require_auditor(ctx.session, ctx.principal)
    rows = repository.queue(ctx.session, scope=ctx.principal.scope, status=status)
    # and, at a department's node, its sub-department nodes' candidates (decision 0039)
    elsewhere = audit_work.queued_elsewhere(ctx.session, scope=ctx.principal.scope, status=status)
    return [CandidateOut.model_validate(r) for r in rows] + elsewhere


@router.post(
    "/selections", response_model=list[CandidateOut], summary="Select cleared declarations for audit"
)
def run_selection(body: SelectionIn, tx: Tx) -> list[CandidateOut]:
    rows = service.run_selection(tx.session, principal=tx.principal, **body.model_dump())
    return [CandidateOut.model_validate(r) for r in rows]


@router.get("/plans", response_model=list[PlanOut], summary="Audit plans in the caller's units")
def plans(ctx: Ctx) -> list[PlanOut]:
    service.require_auditor(ctx.session, ctx.principal)
    return [PlanOut.model_validate(r) for r in repository.plans(ctx.session, scope=ctx.principal.scope)]


@router.post("/plans", response_model=PlanOut, status_code=201, summary="Adopt an audit plan for a period")
def adopt(body: PlanIn, tx: Tx) -> PlanOut:
    return PlanOut.model_validate(service.adopt_plan(tx.session, principal=tx.principal, **body.model_dump()))


@router.get("/cases", response_model=list[CaseOut], summary="Audit cases in the caller's units")
def cases(ctx: Ctx, plan_id: str | None = None) -> list[CaseOut]:
    service.require_auditor(ctx.session, ctx.principal)
    rows = repository.cases(ctx.session, scope=ctx.principal.scope, plan_id=plan_id)
    return [CaseOut.model_validate(r) for r in rows]


@router.post("/cases", response_model=CaseOut, status_code=201, summary="Open a desk or on-site audit")
def open_case(body: CaseIn, tx: Tx) -> CaseOut:
    return CaseOut.model_validate(service.open_case(tx.session, principal=tx.principal, **body.model_dump()))


@router.get("/cases/{case_id}", response_model=CaseOut, summary="An audit case")
def case(ctx: Ctx, case_id: str) -> CaseOut:
    service.require_auditor(ctx.session, ctx.principal)
    return CaseOut.model_validate(repository.case(ctx.session, case_id, scope=ctx.principal.scope))


@router.post("/cases/{case_id}/findings", response_model=CaseOut, summary="Record what the audit found")
def findings(case_id: str, body: FindingsIn, tx: Tx) -> CaseOut:
    row = service.record_findings(tx.session, principal=tx.principal, case_id=case_id, **body.model_dump())
    return CaseOut.model_validate(row)


@router.post("/cases/{case_id}/close", response_model=CaseOut, summary="Close with the assessment (AMA)")
def close(case_id: str, tx: Tx) -> CaseOut:
    return CaseOut.model_validate(service.close_case(tx.session, principal=tx.principal, case_id=case_id))


@router.post(
    "/queue/{candidate_id}/findings",
    response_model=CandidateOut,
    summary="Record findings on a sub-department node's candidate (the department's audit team)",
)
def department_findings(candidate_id: CandidateId, body: FindingsIn, tx: Tx) -> CandidateOut:
    return audit_work.record_findings(
        tx.session, principal=tx.principal, candidate_id=candidate_id, data=body
    )
