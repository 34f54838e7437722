"""Post-clearance audit across nodes (decision 0039): a declaration a sub-department node queued for audit
concerns its department's audit team too; the queued candidate is routed to the department's node (its
own unit: applied there as the children's events arrive), kept as a work item the team sees in its queue.
The findings the team records there (audit.department_findings_recorded, for the department's unit) are
routed back to the origin node, which opens the case on its candidate and records the findings, once; the
origin's office closes the case with its assessment as for any case."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import structlog
from sqlalchemy.orm import Session

from haiquan.audit import service
from haiquan.audit.catalogue import AuditEvent, DepartmentFindingsRecorded
from haiquan.audit.domain import CaseCommand, CaseStatus, case_move
from haiquan.audit.schemas import CandidateOut, FindingsIn
from haiquan.audit.tables import AuditCandidateRow, AuditCaseRow
from haiquan.kit import audit, clock, outbox
from haiquan.kit.auth import Principal, Scope
from haiquan.kit.db import new_id
from haiquan.kit.errors import Conflict, NotFound, ValidationFailed
from haiquan.kit.outbox import Event
from haiquan.sharing import repository as work_repository
from haiquan.sharing import work
from haiquan.sharing.domain import department_of_code
from haiquan.sharing.tables import WorkItem

log = structlog.get_logger(__name__)
KIND = "audit_candidate"


def _event(
    session: Session, kind: AuditEvent, unit: str, actor: str, payload: dict[str, Any], target: str
) -> None:
    outbox.record(session, type=kind, unit=unit, actor=actor, payload=payload)
    audit.append(session, actor=actor, action=str(kind), target=target, unit=unit, detail=payload)


def department_concerned(event: Event) -> Iterable[str]:
    """A queued candidate concerns the department above its unit (its audit team)."""
    unit = str(event.payload.get("unit", ""))
    return [department_of_code(unit)] if unit else []


def origin_concerned(event: Event) -> Iterable[str]:
    """The department's findings concern the unit whose candidate it audited."""
    unit = str(event.payload.get("origin_unit", ""))
    return [unit] if unit else []


def apply_queued(session: Session, event: Event, from_node: str) -> None:
    """At the department: the candidate as a work item of its audit team (once per candidate)."""
    p: dict[str, Any] = dict(event.payload)
    if session.get(WorkItem, (KIND, p["id"])) is not None:
        return
    now = clock.now()
    item = WorkItem(kind=KIND, record_id=p["id"], unit=department_of_code(p["unit"]), origin_node=from_node)
    item.origin_unit, item.status, item.payload = p["unit"], "queued", {**p, "queued_at": now.isoformat()}
    item.created_at, item.updated_at, item.last_event_id = now, now, event.id
    session.add(item)


def apply_findings(session: Session, event: Event, from_node: str) -> None:
    """At the origin: the case opened on the candidate and the department's findings recorded on it."""
    p = event.payload
    cand = session.get(AuditCandidateRow, p.get("candidate_id", ""))
    if cand is None or cand.status != "queued":
        log.warning("audit_findings_ignored", candidate_id=p.get("candidate_id"), from_node=from_node)
        return
    now, actor = clock.now(), event.actor
    case = AuditCaseRow(
        id=new_id(), number=cand.number, unit=cand.unit, declarant_tax_code=cand.declarant_tax_code, kind="desk",
        scope=f"audited by the department ({from_node})", status=CaseStatus.OPENED, officer=None, plan_id=None,
        candidate_id=cand.id, opened_at=now, opened_by=actor, findings=[], documents=[], additional_duty=Decimal(0),
        late_interest=Decimal(0), penalty=Decimal(0), penalty_basis="", booked=False, detail={"from_node": from_node},
    )  # fmt: skip
    session.add(case)
    cand.status, cand.case_id = "opened", case.id
    opened = {"id": case.id, "number": case.number, "unit": case.unit, "kind": case.kind, "scope": case.scope,
              "officer": None, "plan_id": None, "candidate_id": cand.id}  # fmt: skip
    _event(session, AuditEvent.CASE_OPENED, case.unit, actor, opened, f"audit_case:{case.id}")
    case.status = case_move(CaseStatus(case.status), CaseCommand.RECORD_FINDINGS)
    case.outcome, case.additional_duty = str(p["outcome"]), Decimal(str(p["additional_duty"]))
    case.findings, case.documents = list(p.get("findings", [])), list(p.get("documents", []))
    found = {"id": case.id, "number": case.number, "unit": case.unit, "declarant_tax_code": case.declarant_tax_code,
             "outcome": case.outcome, "additional_duty": str(case.additional_duty), "findings": case.findings,
             "documents": case.documents}  # fmt: skip
    _event(session, AuditEvent.FINDINGS_RECORDED, case.unit, actor, found, f"audit_case:{case.id}")


# --- at the department: the team's queue and its findings ---------------------------------------------


def queued_elsewhere(session: Session, *, scope: Scope, status: str) -> list[CandidateOut]:
    items = work_repository.work_items(session, kind=KIND, scope=scope, status=status, limit=200)
    return [out(i) for i in items]


def record_findings(
    session: Session, *, principal: Principal, candidate_id: str, data: FindingsIn
) -> CandidateOut:
    """The department's audit team records its findings on a sub-department's candidate; the origin node
    opens the case and records them when the event reaches it."""
    service.require_auditor(session, principal)
    item = work_repository.work_item(session, kind=KIND, record_id=candidate_id, scope=principal.scope)
    if item is None:
        raise NotFound(f"no candidate {candidate_id} of another node", field="candidate_id")
    if item.status != "queued":
        raise Conflict(
            f"candidate {candidate_id} is already {item.status}", field="candidate_id", code="not_queued"
        )
    if data.outcome == "no_fraud" and data.additional_duty > 0:
        raise ValidationFailed("no duty is short-paid when nothing was found", field="additional_duty")
    item.status, item.updated_at = "findings_sent", clock.now()
    payload: DepartmentFindingsRecorded = {
        "candidate_id": item.record_id, "number": str(item.payload.get("number", "")), "origin_unit": item.origin_unit,
        "origin_node": item.origin_node, "outcome": data.outcome, "additional_duty": str(data.additional_duty),
        "findings": list(data.findings), "documents": list(data.documents),
    }  # fmt: skip
    kind = AuditEvent.DEPARTMENT_FINDINGS_RECORDED
    _event(session, kind, item.unit, principal.label, dict(payload), f"audit_candidate:{item.record_id}")
    return out(item)


def out(item: WorkItem) -> CandidateOut:
    p = item.payload
    return CandidateOut(
        id=item.record_id, number=str(p.get("number", "")), unit=item.origin_unit, declarant_tax_code="",
        source=str(p.get("source", "")), reason=str(p.get("reason", "")), score=p.get("score"), status=item.status,
        queued_at=item.created_at, case_id=None,
    )  # fmt: skip


def register() -> None:
    work.register((AuditEvent.CANDIDATE_QUEUED,), concerns=department_concerned, apply=apply_queued)
    work.register((AuditEvent.DEPARTMENT_FINDINGS_RECORDED,), concerns=origin_concerned, apply=apply_findings)
