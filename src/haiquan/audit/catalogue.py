"""The post-clearance audit's events (kiểm tra sau thông quan): declarations queued for audit and why,
plans adopted, cases opened, findings recorded and the assessment that closes a case. Past tense;
producers and consumers import these members (kit/catalogue.py)."""

from __future__ import annotations

from enum import StrEnum

from typing_extensions import TypedDict


class AuditEvent(StrEnum):
    CANDIDATE_QUEUED = "audit.candidate_queued"
    PLAN_ADOPTED = "audit.plan_adopted"
    CASE_OPENED = "audit.case_opened"
    FINDINGS_RECORDED = "audit.findings_recorded"
    CASE_CLOSED = "audit.case_closed"
    DEPARTMENT_FINDINGS_RECORDED = "audit.department_findings_recorded"


class CandidateQueued(TypedDict):
    """A cleared declaration put in the audit team's queue by a selection `source` (blue_lane, score,
    watchlist, finalisation, query), with its `reason` and the risk score it had."""

    id: str
    number: str
    unit: str
    source: str
    reason: str
    score: float | None


class PlanAdopted(TypedDict):
    """An audit plan for a `period` (e.g. 2027-Q1) and a unit, with the cases it plans."""

    id: str
    unit: str
    period: str
    title: str
    planned_cases: int


class CaseOpened(TypedDict):
    """An audit case opened on a declaration: `kind` desk (at the customs office) or on_site (at the
    trader's premises), its scope and the officer it is routed to."""

    id: str
    number: str
    unit: str
    kind: str
    scope: str
    officer: str | None
    plan_id: str | None
    candidate_id: str | None


class FindingsRecorded(TypedDict):
    """What the audit found: `outcome` fraud, no_fraud or critical, the duty short-paid (`additional_duty`,
    VND), the findings and the documents examined. The risk engine takes it as a label."""

    id: str
    number: str
    unit: str
    declarant_tax_code: str
    outcome: str
    additional_duty: str
    findings: list[str]
    documents: list[str]


class CaseClosed(TypedDict):
    """A case closed: the assessment booked on the declaration as an amendment after audit
    (`amendment_no`), the late interest and the penalty decided, and the trader's class after it."""

    id: str
    number: str
    unit: str
    outcome: str
    additional_duty: str
    late_interest: str
    penalty: str
    penalty_basis: str
    amendment_no: int | None
    compliance_class: str | None


class DepartmentFindingsRecorded(TypedDict):
    """The department's audit team recorded its findings on a declaration a sub-department node queued for
    audit (`origin_unit`, `origin_node`; decision 0039): the origin node opens the case on its candidate
    and records them there."""

    candidate_id: str
    number: str
    origin_unit: str
    origin_node: str
    outcome: str
    additional_duty: str
    findings: list[str]
    documents: list[str]


PAYLOADS: dict[AuditEvent, type] = {
    AuditEvent.CANDIDATE_QUEUED: CandidateQueued,
    AuditEvent.PLAN_ADOPTED: PlanAdopted,
    AuditEvent.CASE_OPENED: CaseOpened,
    AuditEvent.FINDINGS_RECORDED: FindingsRecorded,
    AuditEvent.CASE_CLOSED: CaseClosed,
    AuditEvent.DEPARTMENT_FINDINGS_RECORDED: DepartmentFindingsRecorded,
}
