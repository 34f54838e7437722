"""Enforcement routes: cases, seizures, links, persons (audited), watch lists, reports and Excel."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from haiquan.deps import Ctx, Tx
from haiquan.enforcement import domain, export, places, reports, service
from haiquan.enforcement import repository as repo
from haiquan.enforcement.schemas import (
    CaseIn,
    CaseListOut,
    CaseOut,
    CasePatch,
    DisplacementOut,
    LinkIn,
    LinkOut,
    PersonIn,
    PersonOut,
    SeizureItemOut,
    SeizuresIn,
    StatusOut,
    SummaryOut,
    TransitionIn,
    WatchIn,
    WatchOut,
)
from haiquan.enforcement.tables import CasePersonRow, CaseRow, CaseStatusRow, SeizureItemRow
from haiquan.kit.auth import Scope
from haiquan.kit.errors import Forbidden, ValidationFailed
from haiquan.kit.pagination import clamp_limit, decode_cursor, encode_cursor
from haiquan.kit.transaction import TransactionRoute

router = APIRouter(prefix="/api/v1/enforcement", tags=["enforcement"], route_class=TransactionRoute)


def _officer(ctx: Ctx) -> None:
    if not ctx.principal.is_officer:
        raise Forbidden("enforcement records are for customs officers", code="officers_only")


def item_out(r: SeizureItemRow) -> SeizureItemOut:
    p = domain.plain
    return SeizureItemOut(
        id=r.id, seized_on=r.seized_on, category=r.category, kind=r.kind, quantity=p(r.quantity),
        unit=r.unit_of_measure, count=None if r.count is None else p(r.count), count_unit=r.count_unit,
        value_vnd=None if r.value_vnd is None else p(r.value_vnd), description=r.description,
    )  # fmt: skip


def _status_out(h: CaseStatusRow) -> StatusOut:
    return StatusOut(
        from_status=h.from_status, to_status=h.to_status, decided_on=h.decided_on, outcome=h.outcome,
        note=h.note, actor=h.actor, recorded_at=h.recorded_at,
    )  # fmt: skip


def case_out(case: CaseRow, history: list[CaseStatusRow], persons: int, **extra: Any) -> CaseOut:
    prov = places.provinces().get(case.province)
    return CaseOut(
        id=case.id, number=case.number, unit=case.unit, detected_on=case.detected_on, field=case.field,
        route=case.route, place=case.place, province=case.province,
        province_name=prov.name_vi if prov else case.province, region=case.region, summary=case.summary,
        status=case.status, outcome=case.outcome,
        confirmed=domain.is_confirmed((h.to_status, h.outcome) for h in history),
        coordinated_with=list(case.coordinated_with), created_by=case.created_by, created_at=case.created_at,
        persons_count=persons, history=[_status_out(h) for h in history], **extra,
    )  # fmt: skip


def full_case(session: Session, case: CaseRow, *, scope: Scope) -> CaseOut:
    items = [item_out(i) for i in repo.items_of(session, [case.id], scope=scope)]
    found = repo.links_of(session, case.id, scope=scope)
    links = [LinkOut.model_validate(lk, from_attributes=True) for lk in found]
    persons = repo.persons_counts(session, [case.id], scope=scope).get(case.id, 0)
    history = repo.history_of(session, [case.id], scope=scope)
    return case_out(case, history, persons, items=items, links=links)


def _person_out(r: CasePersonRow) -> PersonOut:
    return PersonOut.model_validate(r, from_attributes=True)


@router.post("/cases", status_code=201, response_model=CaseOut, summary="Open a case")
def create_case(body: CaseIn, tx: Tx) -> CaseOut:
    case = service.open_case(tx.session, principal=tx.principal, data=body)
    return full_case(tx.session, case, scope=tx.principal.scope)


@router.get("/cases", response_model=CaseListOut, summary="Cases in the caller's scope, newest first")
def list_cases(
    ctx: Ctx,
    unit: Annotated[str | None, Query(description="A unit and the units under it")] = None,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    field: domain.Field | None = None,
    route: domain.Route | None = None,
    status: domain.CaseStatus | None = None,
    province: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> CaseListOut:
    _officer(ctx)
    units = (
        None if unit is None else reports.subtree_in_scope(ctx.session, principal=ctx.principal, unit=unit)
    )
    prov = None if province is None else _province(province)
    f = repo.CaseFilter(
        units, date_from, date_to, field and field.value, route and route.value, status and status.value, prov
    )
    c = decode_cursor(cursor)
    after = (str(c["d"]), str(c["i"])) if c else None
    scope = ctx.principal.scope
    rows = repo.list_cases(ctx.session, f, scope=scope, limit=clamp_limit(limit), after=after)
    ids = [r.id for r in rows]
    hist: dict[str, list[CaseStatusRow]] = {}
    for h in repo.history_of(ctx.session, ids, scope=scope):
        hist.setdefault(h.case_id, []).append(h)
    counts = repo.persons_counts(ctx.session, ids, scope=scope)
    out = [case_out(r, hist.get(r.id, []), counts.get(r.id, 0)) for r in rows]
    nxt = (
        encode_cursor({"d": rows[-1].detected_on.isoformat(), "i": rows[-1].id})
        if len(rows) == limit
        else None
    )
    return CaseListOut(items=out, next_cursor=nxt)


def _province(name: str) -> str:
    try:
        return places.resolve_province(name).code
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="province") from exc


@router.get("/cases/{case_id}", response_model=CaseOut, summary="One case with its items, links and history")
def get_case(case_id: str, ctx: Ctx) -> CaseOut:
    _officer(ctx)
    scope = ctx.principal.scope
    return full_case(ctx.session, repo.get_case(ctx.session, case_id, scope=scope), scope=scope)


@router.patch(
    "/cases/{case_id}", response_model=CaseOut, summary="Edit a case's summary, place, coordination"
)
def patch_case(case_id: str, body: CasePatch, tx: Tx) -> CaseOut:
    case = service.patch_case(tx.session, principal=tx.principal, case_id=case_id, data=body)
    return full_case(tx.session, case, scope=tx.principal.scope)


@router.post("/cases/{case_id}/status", response_model=CaseOut, summary="Move a case to its next status")
def transition(case_id: str, body: TransitionIn, tx: Tx) -> CaseOut:
    case = service.change_status(tx.session, principal=tx.principal, case_id=case_id, data=body)
    return full_case(tx.session, case, scope=tx.principal.scope)


@router.post(
    "/cases/{case_id}/seizures",
    status_code=201,
    response_model=list[SeizureItemOut],
    summary="Add seized items",
)
def add_seizures(case_id: str, body: SeizuresIn, tx: Tx) -> list[SeizureItemOut]:
    rows = service.record_seizures(tx.session, principal=tx.principal, case_id=case_id, items=body.items)
    return [item_out(r) for r in rows]


@router.post("/cases/{case_id}/links", status_code=201, response_model=LinkOut, summary="Link a record")
def add_link(case_id: str, body: LinkIn, tx: Tx) -> LinkOut:
    row = service.add_link(tx.session, principal=tx.principal, case_id=case_id, data=body)
    return LinkOut.model_validate(row, from_attributes=True)


@router.post("/cases/{case_id}/persons", status_code=201, response_model=PersonOut, summary="Record a person")
def add_person(case_id: str, body: PersonIn, tx: Tx) -> PersonOut:
    return _person_out(service.add_person(tx.session, principal=tx.principal, case_id=case_id, data=body))


@router.get("/cases/{case_id}/persons", response_model=list[PersonOut], summary="Persons of a case (audited)")
def read_persons(case_id: str, tx: Tx) -> list[PersonOut]:
    """Every read is written to the audit log, so the answer is committed like a change."""
    return [_person_out(r) for r in service.read_persons(tx.session, principal=tx.principal, case_id=case_id)]


@router.post(
    "/cases/{case_id}/watchlist", status_code=201, response_model=WatchOut, summary="Feed a risk watch list"
)
def watch(case_id: str, body: WatchIn, tx: Tx) -> WatchOut:
    row = service.watch(tx.session, principal=tx.principal, case_id=case_id, data=body)
    return WatchOut.model_validate(row, from_attributes=True)


def _window(ctx: Ctx, unit: str, start: date, end: date) -> reports.Window:
    return reports.window(ctx.session, principal=ctx.principal, unit=unit, start=start, end=end)


From = Annotated[date, Query(alias="from")]
To = Annotated[date, Query(alias="to")]


@router.get(
    "/reports/summary", response_model=SummaryOut, summary="The articles' figures for a unit and period"
)
def summary(ctx: Ctx, unit: str, date_from: From, date_to: To) -> SummaryOut:
    w = _window(ctx, unit, date_from, date_to)
    return SummaryOut.model_validate(reports.summary_report(ctx.session, principal=ctx.principal, w=w))


@router.get(
    "/reports/displacement",
    response_model=DisplacementOut,
    summary="Seizures by province, route and region over time",
)
def displacement(
    ctx: Ctx,
    unit: str,
    date_from: From,
    date_to: To,
    period: str = "quarter",
    metric: str = "cases",
    field: domain.Field | None = None,
) -> DisplacementOut:
    w = _window(ctx, unit, date_from, date_to)
    found = reports.displacement(
        ctx.session,
        principal=ctx.principal,
        w=w,
        period=period,
        metric=metric,
        case_field=field and field.value,
    )
    return DisplacementOut.model_validate(found)


@router.get("/reports/summary.xlsx", summary="The summary and displacement as an Excel workbook")
def summary_xlsx(
    ctx: Ctx, unit: str, date_from: From, date_to: To, period: str = "quarter", lang: str = "vi"
) -> Response:
    w = _window(ctx, unit, date_from, date_to)
    s = reports.summary_report(ctx.session, principal=ctx.principal, w=w)
    d = reports.displacement(
        ctx.session, principal=ctx.principal, w=w, period=period, metric="cases", case_field=None
    )
    name = f"enforcement-{unit}-{date_from}-{date_to}.xlsx"
    return Response(
        export.workbook(s, d, "en" if lang == "en" else "vi"),
        media_type=export.XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
