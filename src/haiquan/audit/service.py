"""The post-clearance audit's use cases: queue declarations for audit (the blue lane, the risk score, the
watch lists, an analyst's query, and sources plugged in such as finalisation), adopt plans, open cases
routed to officers of the audit field, record findings, and close a case with its assessment; the trader's
compliance class follows from the label the findings become. Keyword-only; services never commit."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.audit import assessment, repository
from haiquan.audit.catalogue import AuditEvent
from haiquan.audit.domain import (
    LOOKBACK,
    CaseCommand,
    CaseStatus,
    ClearedFacts,
    Selection,
    SelectionSource,
    case_move,
)
from haiquan.audit.domain import select as select_for_audit
from haiquan.audit.tables import AuditCandidateRow, AuditCaseRow, AuditPlanRow
from haiquan.declarations import repository as declarations
from haiquan.declarations.tables import DeclarationRow
from haiquan.kit import audit, clock, outbox
from haiquan.kit.auth import Principal
from haiquan.kit.db import new_id
from haiquan.kit.errors import Conflict, Forbidden, ValidationFailed
from haiquan.organization import expertise
from haiquan.organization.service import TREES
from haiquan.organization.tables import EnterpriseRow, OfficerRow
from haiquan.risk import watch

LEADS = frozenset({"analyst", "team_lead", "subdepartment_leader", "department_leader", "administrator"})
SOURCES: dict[str, SelectionSource] = {}


def register_source(name: str, fn: SelectionSource) -> None:
    """Plug in a selection source (finalisation's discrepancies): `run_selection(source=name)` calls it."""
    SOURCES[name] = fn


def require_auditor(session: Session, principal: Principal) -> None:
    """Leaders and analysts, and officers carrying the audit expert field."""
    principal.require_officer()
    if principal.role in LEADS:
        return
    me = session.get(OfficerRow, principal.id)
    if me is None or "audit" not in (me.expert_fields or []):
        raise Forbidden(
            "post-clearance audit is for officers of the audit field", code="audit_field_required"
        )


def _event(
    session: Session, kind: AuditEvent, unit: str, actor: str, payload: dict[str, Any], target: str
) -> str:
    event_id = outbox.record(session, type=kind, unit=unit, actor=actor, payload=payload)
    audit.append(session, actor=actor, action=str(kind), target=target, unit=unit, detail=payload)
    return event_id


def queue(
    session: Session,
    selections: Iterable[Selection],
    *,
    actor: str,
    scores: dict[str, float | None] | None = None,
) -> list[AuditCandidateRow]:
    """Put the selected declarations in the queue, each once per source (a repeat is left alone)."""
    picked = list(selections)
    seen = repository.unscoped_queued_sources(session, [s.number for s in picked])
    out: list[AuditCandidateRow] = []
    for s in picked:
        decl = session.get(DeclarationRow, s.number)
        if decl is None or (s.number, s.source) in seen:
            continue
        seen.add((s.number, s.source))
        score = (scores or {}).get(s.number, decl.risk_score)
        row = AuditCandidateRow(
            id=new_id(), number=s.number, unit=decl.office, declarant_tax_code=decl.declarant_tax_code,
            source=s.source, reason=s.reason, score=score, status="queued", queued_at=clock.now(), queued_by=actor,
        )  # fmt: skip
        session.add(row)
        payload = {"id": row.id, "number": row.number, "unit": row.unit, "source": row.source,
                   "reason": row.reason, "score": score}  # fmt: skip
        _event(session, AuditEvent.CANDIDATE_QUEUED, row.unit, actor, payload, f"audit_candidate:{row.id}")
        out.append(row)
    return out


def run_selection(
    session: Session, *, principal: Principal, source: str, min_score: float = 0.5,
    declarant: str | None = None, hs_prefix: str | None = None, channel: str | None = None,
) -> list[AuditCandidateRow]:  # fmt: skip
    """Select from the cleared declarations of the last 5 years in the caller's units: by score, by the
    watch lists, by the analyst's query (every declaration matching the filters), or a plugged-in source."""
    require_auditor(session, principal)
    now = clock.now()
    if source in SOURCES:
        return queue(session, SOURCES[source](session, since=now - LOOKBACK, now=now), actor=principal.label)
    if source not in ("score", "watchlist", "query"):
        known = ", ".join(["score", "watchlist", "query", *SOURCES])
        raise ValidationFailed(f"unknown selection source {source!r}; one of: {known}", field="source")
    found = repository.cleared(
        session, scope=principal.scope, now=now, min_score=min_score if source == "score" else None,
        declarant=declarant, hs_prefix=hs_prefix, channel=channel,
    )  # fmt: skip
    if source == "query":
        why = _query_reason(declarant, hs_prefix, channel)
        return queue(session, [Selection(d.number, "query", why) for d, _ in found], actor=principal.label)
    sets = watch.load_sets(session) if source == "watchlist" else {}
    facts = [_facts(d, s, watched(d, sets)) for d, s in found]
    chosen = [s for s in select_for_audit(facts, now=now, min_score=min_score) if s.source == source]
    return queue(session, chosen, actor=principal.label, scores={d.number: s for d, s in found})


def _query_reason(declarant: str | None, hs_prefix: str | None, channel: str | None) -> str:
    parts = [f"{k}={v}" for k, v in (("declarant", declarant), ("hs", hs_prefix), ("channel", channel)) if v]
    return "analyst query: " + (", ".join(parts) or "every cleared declaration")


def _facts(d: DeclarationRow, score: float | None, hits: tuple[str, ...]) -> ClearedFacts:
    at = d.registered_at or d.lodged_at
    return ClearedFacts(d.number, d.office, d.declarant_tax_code, at, d.channel, score, hits)


def watched(d: DeclarationRow, sets: dict[str, frozenset[str]]) -> tuple[str, ...]:
    """The watch lists the declaration's parties or route are on."""
    if not sets:
        return ()
    parties = {d.declarant_tax_code, d.importer_tax_code or ""}
    hits = ["enterprise"] if parties & sets.get("enterprise", frozenset()) else []
    if watch.route_of(d.partner_country or "", d.office) in sets.get("route", frozenset()):
        hits.append("route")
    return tuple(hits)


def queue_blue(session: Session, payload: dict[str, Any], *, actor: str) -> None:
    """A blue declaration (released at once) joins the audit queue at registration."""
    number = str(payload["number"])
    queue(
        session,
        [Selection(number, "blue_lane", "blue lane: released at once, audit after clearance")],
        actor=actor,
    )


def adopt_plan(
    session: Session, *, principal: Principal, unit: str, period: str, title: str, planned_cases: int,
    themes: list[str],
) -> AuditPlanRow:  # fmt: skip
    require_auditor(session, principal)
    if TREES.get(session).get(unit) is None or not principal.scope.covers_unit(unit):
        raise ValidationFailed(f"unit {unit} is unknown or outside your scope", field="unit")
    row = AuditPlanRow(id=new_id(), unit=unit, period=period, title=title, planned_cases=planned_cases,
                       themes=themes, adopted_at=clock.now(), adopted_by=principal.label)  # fmt: skip
    session.add(row)
    payload = {"id": row.id, "unit": unit, "period": period, "title": title, "planned_cases": planned_cases}
    _event(session, AuditEvent.PLAN_ADOPTED, unit, principal.label, payload, f"audit_plan:{row.id}")
    return row


def route(session: Session, unit: str) -> str | None:
    """The officer of the unit (or the units above it) with the audit field and the fewest open cases."""
    tree = TREES.get(session)
    units = [unit, *(tree.ancestors(unit) or [])]
    auditors = expertise.with_field(session, "audit", units)
    if not auditors:
        return None
    load = repository.unscoped_open_cases_by_officer(session, [o.username for o in auditors])
    return min(auditors, key=lambda o: (load.get(o.username, 0), o.username)).username


def open_case(
    session: Session, *, principal: Principal, number: str | None, candidate_id: str | None, kind: str,
    scope: str, plan_id: str | None = None,
) -> AuditCaseRow:  # fmt: skip
    require_auditor(session, principal)
    cand = repository.candidate(session, candidate_id, scope=principal.scope) if candidate_id else None
    if cand is not None and cand.status != "queued":
        raise Conflict(
            f"candidate {cand.id} is already {cand.status}", field="candidate_id", code="not_queued"
        )
    target = cand.number if cand else number
    if not target:
        raise ValidationFailed("give the declaration's number or a queued candidate", field="number")
    decl = declarations.get(session, target, scope=principal.scope)
    if plan_id is not None:
        repository.plan(session, plan_id, scope=principal.scope)
    row = AuditCaseRow(
        id=new_id(), number=decl.number, unit=decl.office, declarant_tax_code=decl.declarant_tax_code, kind=kind,
        scope=scope, status=CaseStatus.OPENED, officer=route(session, decl.office), plan_id=plan_id,
        candidate_id=cand.id if cand else None, opened_at=clock.now(), opened_by=principal.label,
        findings=[], documents=[], additional_duty=Decimal(0), late_interest=Decimal(0), penalty=Decimal(0),
        penalty_basis="", booked=False, detail={},
    )  # fmt: skip
    session.add(row)
    if cand is not None:
        cand.status, cand.case_id = "opened", row.id
    payload = {"id": row.id, "number": row.number, "unit": row.unit, "kind": kind, "scope": scope,
               "officer": row.officer, "plan_id": plan_id, "candidate_id": row.candidate_id}  # fmt: skip
    _event(session, AuditEvent.CASE_OPENED, row.unit, principal.label, payload, f"audit_case:{row.id}")
    return row


def record_findings(
    session: Session, *, principal: Principal, case_id: str, outcome: str, additional_duty: Decimal,
    findings: list[str], documents: list[str],
) -> AuditCaseRow:  # fmt: skip
    require_auditor(session, principal)
    row = repository.case(session, case_id, scope=principal.scope, for_update=True)
    row.status = case_move(CaseStatus(row.status), CaseCommand.RECORD_FINDINGS)
    if outcome == "no_fraud" and additional_duty > 0:
        raise ValidationFailed("no duty is short-paid when nothing was found", field="additional_duty")
    row.outcome, row.additional_duty = outcome, additional_duty
    row.findings, row.documents = [*row.findings, *findings], [*row.documents, *documents]
    payload = {"id": row.id, "number": row.number, "unit": row.unit, "declarant_tax_code": row.declarant_tax_code,
               "outcome": outcome, "additional_duty": str(additional_duty), "findings": findings,
               "documents": documents}  # fmt: skip
    _event(session, AuditEvent.FINDINGS_RECORDED, row.unit, principal.label, payload, f"audit_case:{row.id}")
    return row


def close_case(session: Session, *, principal: Principal, case_id: str) -> AuditCaseRow:
    """The assessment: additional duty as an amendment after audit, late interest, penalty."""
    require_auditor(session, principal)
    row = repository.case(session, case_id, scope=principal.scope, for_update=True)
    row.status = case_move(CaseStatus(row.status), CaseCommand.CLOSE)
    done = assessment.book(session, row, principal=principal)
    row.late_interest, row.penalty, row.penalty_basis = done.late_interest, done.penalty, done.penalty_basis
    row.amendment_no, row.booked, row.closed_at = (
        done.amendment_no,
        done.amendment_no is not None,
        clock.now(),
    )
    ent = session.scalar(_enterprise(row.declarant_tax_code))
    payload = {"id": row.id, "number": row.number, "unit": row.unit, "outcome": row.outcome or "no_fraud",
               "additional_duty": str(row.additional_duty), "late_interest": str(row.late_interest),
               "penalty": str(row.penalty), "penalty_basis": row.penalty_basis, "amendment_no": row.amendment_no,
               "compliance_class": ent.compliance_class if ent else None}  # fmt: skip
    _event(session, AuditEvent.CASE_CLOSED, row.unit, principal.label, payload, f"audit_case:{row.id}")
    return row


def _enterprise(tax_code: str) -> Any:
    return select(EnterpriseRow).where(EnterpriseRow.tax_code == tax_code)
