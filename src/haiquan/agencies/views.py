"""Permits as the API and the pages show them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from haiquan.agencies import service
from haiquan.agencies.domain import AGENCIES, OPEN, Status
from haiquan.agencies.schemas import HistoryOut, PermitDetailOut, PermitOut
from haiquan.agencies.tables import PermitHistoryRow, PermitRow
from haiquan.kit import clock
from haiquan.kit.auth import Principal


def permit_out(r: PermitRow) -> PermitOut:
    overdue = Status(r.status) in OPEN and r.deadline < clock.now()
    return PermitOut(
        id=r.id, number=r.number, line_no=r.line_no, hs_code=r.hs_code, origin_country=r.origin_country,
        office=r.office, agency=r.agency, agency_name_vi=AGENCIES[r.agency].name_vi, requirement=r.requirement,
        requirement_id=r.requirement_id, title_vi=r.title_vi, title_en=r.title_en, status=Status(r.status),
        requested_at=r.requested_at, deadline=r.deadline, overdue=overdue, reference_no=r.reference_no,
        decided_at=r.decided_at, decided_by=r.decided_by, reason=r.reason, conditions=r.conditions,
        lab_reference=r.lab_reference, case_number=r.case_number,
    )  # fmt: skip


def permit_detail(r: PermitRow, history: list[PermitHistoryRow]) -> PermitDetailOut:
    steps = [
        HistoryOut(
            at=h.at, actor=h.actor, status_from=h.status_from, status_to=h.status_to, detail=dict(h.detail)
        )
        for h in history
    ]
    return PermitDetailOut(**permit_out(r).model_dump(), history=steps)


def for_page(session: Session, principal: Principal, number: str) -> list[PermitOut]:
    """A declaration's permits, as its page shows them (the caller's scope: customs, or the declarant)."""
    return [permit_out(r) for r in service.visible_permits(session, principal=principal, numbers=[number])]
