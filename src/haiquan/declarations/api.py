"""Declaration routes for declarants' systems and officers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy.orm import Session

from haiquan.declarations import assignment, changes, officer, repository, service, views
from haiquan.declarations.domain import Channel, Status
from haiquan.declarations.notifications import pull
from haiquan.declarations.schemas import (
    AmendmentIn,
    CancelIn,
    DecisionIn,
    DeclarationIn,
    DeclarationOut,
    DeclarationSummary,
    HistoryOut,
    NotificationPage,
    Page,
)
from haiquan.declarations.tables import DeclarationRow
from haiquan.deps import ChangeCtx, Ctx, Tx
from haiquan.kit.auth import Principal
from haiquan.kit.errors import ValidationFailed
from haiquan.kit.pagination import clamp_limit, cursor_int, decode_cursor, encode_cursor
from haiquan.kit.transaction import TransactionRoute

router = APIRouter(prefix="/api/v1", tags=["declarations"], route_class=TransactionRoute)
Number = Annotated[str, Path(pattern=r"^\d{12}$", description="12-digit declaration number")]


class DocumentsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    documents: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=100, description="References of the documents supplied"
    )


@router.post(
    "/declarations", status_code=201, response_model=DeclarationOut, summary="Lodge (IDA/EDA/MIC/MEC)"
)
async def lodge(body: DeclarationIn, ctx: ChangeCtx) -> Response:
    """Group commit (kit.groupcommit): the writer commits many lodgings at once and serialises the
    answer, sent as it is."""
    work = changes.Lodge(ctx.principal, body, ctx.settings.declaration_keep_days)
    alone = len(body.lines) > changes.ALONE_LINES
    return await ctx.submit(work, status_code=201, alone=alone)


def _after(cursor: str | None) -> tuple[datetime, str] | None:
    c = decode_cursor(cursor)
    if not c:
        return None
    try:
        return datetime.fromisoformat(str(c["at"])), str(c["n"])
    except (KeyError, ValueError):
        raise ValidationFailed("cursor is not one this server issued", field="cursor") from None


@router.get("/declarations", response_model=Page, summary="Declarations in the caller's scope, newest first")
def search(
    ctx: Ctx,
    status: Status | None = None,
    channel: Channel | None = None,
    office: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page:
    rows = repository.search(
        ctx.session,
        scope=ctx.principal.scope,
        status=status,
        channel=channel,
        office=office,
        after=_after(cursor),
        limit=clamp_limit(limit),
    )
    nxt = (
        encode_cursor({"at": rows[-1].lodged_at.isoformat(), "n": rows[-1].number})
        if len(rows) == limit
        else None
    )
    return Page(items=[views.summary(r) for r in rows], next_cursor=nxt)


def _full(session: Session, row: DeclarationRow, principal: Principal) -> DeclarationOut:
    return views.full(session, row, scope=principal.scope, for_officer=principal.is_officer)


@router.get(
    "/declarations/{number}", response_model=DeclarationOut, summary="One declaration with lines and duties"
)
def get(number: Number, ctx: Ctx) -> DeclarationOut:
    return _full(ctx.session, repository.get(ctx.session, number, scope=ctx.principal.scope), ctx.principal)


@router.get(
    "/declarations/{number}/history", response_model=list[HistoryOut], summary="Every step, oldest first"
)
def history(number: Number, ctx: Ctx) -> list[HistoryOut]:
    p = ctx.principal
    row = repository.get(ctx.session, number, scope=p.scope)
    return views.history(ctx.session, row, scope=p.scope, for_officer=p.is_officer)


@router.put(
    "/declarations/{number}", response_model=DeclarationOut, summary="Amend before registration (IDB/EDB)"
)
def amend(number: Number, body: DeclarationIn, tx: Tx) -> DeclarationOut:
    row = service.amend(tx.session, principal=tx.principal, number=number, data=body)
    return _full(tx.session, row, tx.principal)


@router.post("/declarations/{number}/register", response_model=DeclarationOut, summary="Register (IDC/EDC)")
async def register(number: Number, ctx: ChangeCtx) -> Response:
    """Group commit, as `lodge`."""
    work = changes.Register(ctx.principal, number, ctx.request.app.state.channel_engine)
    return await ctx.submit(work)


@router.post(
    "/declarations/{number}/amendments",
    response_model=DeclarationOut,
    summary="Amend after registration (AMA)",
)
def amend_registered(number: Number, body: AmendmentIn, tx: Tx) -> DeclarationOut:
    tx.principal.require_enterprise("declarant")
    row = service.amend_registered(tx.session, principal=tx.principal, number=number, data=body)
    return _full(tx.session, row, tx.principal)


@router.post("/declarations/{number}/cancel", response_model=DeclarationOut, summary="Cancel")
def cancel(number: Number, body: CancelIn, tx: Tx) -> DeclarationOut:
    tx.principal.require_enterprise("declarant")
    row = service.cancel(tx.session, principal=tx.principal, number=number, reason=body.reason)
    return _full(tx.session, row, tx.principal)


@router.post(
    "/declarations/{number}/documents", response_model=DeclarationOut, summary="Answer a documents request"
)
def documents(number: Number, body: DocumentsIn, tx: Tx) -> DeclarationOut:
    row = service.submit_documents(
        tx.session, principal=tx.principal, number=number, documents=body.documents
    )
    return _full(tx.session, row, tx.principal)


@router.post("/declarations/{number}/decision", response_model=DeclarationOut, summary="Officer decision")
def decision(number: Number, body: DecisionIn, tx: Tx) -> DeclarationOut:
    row = officer.take_decision(tx.session, principal=tx.principal, number=number, data=body)
    return views.full(tx.session, row, scope=tx.principal.scope, for_officer=True)


class AssigneeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    officer: str = Field(
        min_length=1, max_length=60, description="Username of an officer on the office's roster"
    )
    reason: str = Field("", max_length=500, description="Why (kept in the history)")


@router.post(
    "/declarations/{number}/assignee",
    response_model=DeclarationSummary,
    summary="Reassign a check (team lead, sub-department or department leader)",
)
def reassign(number: Number, body: AssigneeIn, tx: Tx) -> DeclarationSummary:
    row = assignment.reassign(
        tx.session, principal=tx.principal, number=number, officer=body.officer, reason=body.reason
    )
    return views.summary(row, repository.officer_names(tx.session, [row], scope=tx.principal.scope))


@router.get(
    "/officer/queue",
    response_model=Page,
    summary="Yellow and red checks of the officer's units, oldest first",
)
def work_queue(ctx: Ctx, mine: bool = False, escalated: bool = False, limit: int = 200) -> Page:
    rows = officer.queue(
        ctx.session, principal=ctx.principal, mine=mine, escalated=escalated, limit=clamp_limit(limit)
    )
    names = repository.officer_names(ctx.session, rows, scope=ctx.principal.scope)
    return Page(items=[views.summary(r, names) for r in rows], next_cursor=None)


@router.get(
    "/notifications", response_model=NotificationPage, summary="Status changes of the caller's declarations"
)
def notifications(ctx: Ctx, cursor: str | None = None, limit: int = 100) -> NotificationPage:
    ctx.principal.require_enterprise()
    after = cursor_int(cursor, "after")
    items = pull(ctx.session, enterprise_id=ctx.principal.id, after=after, limit=clamp_limit(limit))
    last = items[-1].seq if items else after
    return NotificationPage(items=items, next_cursor=encode_cursor({"after": last}))
