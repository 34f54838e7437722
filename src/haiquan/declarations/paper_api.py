"""Paper declarations (declarations.paper): an officer captures one; the office's paper declarations; the
report of paper declarations by office and reason."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from haiquan.declarations import paper
from haiquan.declarations import paper_repository as repo
from haiquan.declarations.paper import PaperReason
from haiquan.declarations.schemas import DeclarationIn
from haiquan.declarations.tables import PaperCaptureRow
from haiquan.deps import Ctx, Tx
from haiquan.kit import clock
from haiquan.kit.errors import Forbidden, ValidationFailed
from haiquan.kit.transaction import TransactionRoute
from haiquan.reference import validators

router = APIRouter(prefix="/api/v1", route_class=TransactionRoute)
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)  # a report's days (and no overflow at the ends)


class PaperDeclarationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    declaration: DeclarationIn = Field(
        description="The paper's fields, as an electronic declaration has them"
    )
    declarant_tax_code: str = Field(min_length=10, max_length=14, description="Who lodged the paper")
    paper_number: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9/\-.]+$",
                              description="The number written on the paper (unique per office)")  # fmt: skip
    reason: PaperReason
    back_captured: bool = Field(description="true: worked on paper during an outage, captured afterwards")
    paper_lodged_at: validators.Instant = Field(description="When the paper was lodged at the office")
    incident: str | None = Field(default=None, max_length=60, description="The outage's incident reference")
    note: str = Field(default="", max_length=2000)


class PaperDeclarationOut(BaseModel):
    number: str
    paper_number: str
    office: str
    kind: str
    status: str
    reason: str
    back_captured: bool
    paper_lodged_at: datetime
    incident: str | None
    captured_by: str
    captured_at: datetime


class PaperCountOut(BaseModel):
    office: str
    reason: str
    back_captured: bool
    count: int


class PaperReportOut(BaseModel):
    date_from: date | None
    date_to: date | None
    total: int
    back_captured: int
    rows: list[PaperCountOut]


def paper_out(p: PaperCaptureRow, kind: str, status: str) -> PaperDeclarationOut:
    return PaperDeclarationOut(
        number=p.number, paper_number=p.paper_number, office=p.office, kind=kind, status=status, reason=p.reason,
        back_captured=p.back_captured, paper_lodged_at=p.paper_lodged_at, incident=p.incident,
        captured_by=p.captured_by, captured_at=p.captured_at,
    )  # fmt: skip


@router.post(
    "/paper-declarations", status_code=201, response_model=PaperDeclarationOut, tags=["declarations"],
    summary="Capture a paper declaration (officers; back-capture after an outage)",
)  # fmt: skip
def capture(body: PaperDeclarationIn, tx: Tx) -> PaperDeclarationOut:
    row, p = paper.capture(
        tx.session, principal=tx.principal, declaration=body.declaration, declarant_tax_code=body.declarant_tax_code,
        paper_number=body.paper_number, reason=body.reason, back_captured=body.back_captured,
        paper_lodged_at=body.paper_lodged_at, incident=body.incident, note=body.note,
    )  # fmt: skip
    return paper_out(p, row.kind, row.status)


@router.get(
    "/paper-declarations", response_model=list[PaperDeclarationOut], tags=["declarations"],
    summary="Paper declarations captured in the caller's units, newest first",
)  # fmt: skip
def list_paper(ctx: Ctx, office: str | None = None) -> list[PaperDeclarationOut]:
    found = repo.captures(ctx.session, scope=ctx.principal.scope, office=office)
    return [paper_out(p, kind, status) for p, kind, status in found]


def _bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    tz = clock.VN
    lo = datetime.combine(start, time(), tz) if start else None
    hi = datetime.combine(end + timedelta(days=1), time(), tz) if end else None
    return lo, hi


@router.get(
    "/paper-declarations/report", response_model=PaperReportOut, tags=["reports"],
    summary="Paper declarations by office and reason (officers)",
)  # fmt: skip
def paper_report(
    ctx: Ctx,
    office: str | None = None,
    date_from: Annotated[date | None, Query(alias="from", ge=FIRST_DAY, le=LAST_DAY)] = None,
    date_to: Annotated[date | None, Query(alias="to", ge=FIRST_DAY, le=LAST_DAY)] = None,
) -> PaperReportOut:
    if not ctx.principal.is_officer:
        raise Forbidden("reports are for customs officers", code="officers_only")
    if date_from and date_to and date_to < date_from:
        raise ValidationFailed("to is before from", field="to")
    lo, hi = _bounds(date_from, date_to)
    found = repo.counts(ctx.session, scope=ctx.principal.scope, office=office, start=lo, end=hi)
    rows = [PaperCountOut(office=o, reason=r, back_captured=b, count=n) for o, r, b, n in found]
    return PaperReportOut(
        date_from=date_from, date_to=date_to, total=sum(r.count for r in rows),
        back_captured=sum(r.count for r in rows if r.back_captured), rows=rows,
    )  # fmt: skip
