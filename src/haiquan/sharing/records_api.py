"""The replicated records of child nodes (decision 0038): a department's officers list and open their
sub-departments' declarations, manifests, transits and cases from this node's own database (read-only, as
last received: it answers while the link is down), in their scope. JSON and pages (Vietnamese, ?lang=en)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, cast

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from haiquan.deps import Ctx
from haiquan.kit import clock
from haiquan.kit.pagination import clamp_limit
from haiquan.kit.transaction import TransactionRoute
from haiquan.sharing import records_repository as repo
from haiquan.sharing.records import KINDS
from haiquan.sharing.records_schemas import HistoryEntryOut, RecordDetailOut, RecordOut, RecordPage
from haiquan.web.render import render
from haiquan.web.session import PageCtx

router = APIRouter(tags=["sharing records"], route_class=TransactionRoute)

Kind = Literal["declaration", "manifest", "transit", "case"]
PAGE = 50


def _out(r: repo.Record) -> RecordOut:
    fields = {k: v for k, v in r.__dict__.items() if k != "history"}
    return RecordOut(**fields)


def _detail(r: repo.Record) -> RecordDetailOut:
    fields = {k: v for k, v in r.__dict__.items() if k != "history"}
    return RecordDetailOut(**fields, history=[HistoryEntryOut(**h) for h in r.history])


def _list(
    ctx: Ctx, kind: Kind | None, unit: str | None, q: str | None, status: str | None, limit: int, offset: int
) -> RecordPage:
    ctx.principal.require_officer()
    rows, total = repo.list_records(
        ctx.session, scope=ctx.principal.scope, kind=kind, unit=unit or None, status=status or None,
        q=q or None, limit=clamp_limit(limit, maximum=200), offset=offset,
    )  # fmt: skip
    return RecordPage(items=[_out(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get(
    "/api/v1/sharing/records",
    response_model=RecordPage,
    summary="Sub-departments' records replicated here, in the caller's units, last changed first",
)
def records(
    ctx: Ctx,
    kind: Kind | None = None,
    unit: Annotated[str | None, Query(max_length=16)] = None,
    q: Annotated[str | None, Query(max_length=64, description="Start of a number or reference")] = None,
    status: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = PAGE,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> RecordPage:
    return _list(ctx, kind, unit, q, status, limit, offset)


@router.get(
    "/api/v1/sharing/records/{kind}/{record_id}",
    response_model=RecordDetailOut,
    summary="One replicated record with its history, when it last changed and from which node",
)
def record(ctx: Ctx, kind: Kind, record_id: Annotated[str, Path(max_length=64)]) -> RecordDetailOut:
    ctx.principal.require_officer()
    return _detail(repo.get_record(ctx.session, kind=kind, record_id=record_id, scope=ctx.principal.scope))


@router.get("/sharing/records", response_class=HTMLResponse, include_in_schema=False)
def records_page(
    request: Request,
    ctx: PageCtx,
    kind: Annotated[str, Query(max_length=16)] = "",  # the form sends "" for every kind
    unit: Annotated[str | None, Query(max_length=16)] = None,
    q: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(max_length=40)] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    chosen = cast(Kind, kind) if kind in KINDS else None
    page = _list(ctx, chosen, unit, q, status, PAGE, offset)
    return render(request, "sharing_records.html", {
        "page": page, "kind": chosen or "", "unit": unit or "", "q": q or "", "status": status or "",
        "to_vn": clock.to_vn, "now": clock.to_vn(clock.now()),
    })  # fmt: skip


@router.get("/sharing/records/{kind}/{record_id}", response_class=HTMLResponse, include_in_schema=False)
def record_page(
    request: Request, ctx: PageCtx, kind: Kind, record_id: Annotated[str, Path(max_length=64)]
) -> Response:
    ctx.principal.require_officer()
    r = repo.get_record(ctx.session, kind=kind, record_id=record_id, scope=ctx.principal.scope)
    history = [(datetime.fromisoformat(h["at"]), h["type"]) for h in r.history]
    return render(request, "sharing_record.html", {"r": _detail(r), "history": history, "to_vn": clock.to_vn})
