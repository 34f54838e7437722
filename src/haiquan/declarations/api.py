"""Declaration routes for declarants' systems and officers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from haiquan.declarations import assignment, changes, officer, repository, service, views
from haiquan.declarations.domain import Channel, Status
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
from haiquan.deps import ChangeCtx, Ctx
from haiquan.kit.pagination import clamp_limit, cursor_int, decode_cursor, encode_cursor
from haiquan.organization.tables import OfficerRow

router = APIRouter(prefix="/api/v1", tags=["declarations"])
Number = Annotated[str, Path(pattern=r"^\d{12}$", description="12-digit declaration number")]


class DocumentsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    documents: list[str] = Field(
        min_length=1, max_length=100, description="References of the documents supplied"
    )


@router.post(
    "/declarations", status_code=201, response_model=DeclarationOut, summary="Lodge (IDA/EDA/MIC/MEC)"
)
async def lodge(body: DeclarationIn, ctx: ChangeCtx) -> object:
    work = changes.Lodge(ctx.principal, body, ctx.settings.declaration_keep_days)
    alone = len(body.lines) > changes.ALONE_LINES
    return await ctx.submit(work, status_code=201, body=body, alone=alone)


@router.get("/declarations", response_model=Page, summary="Declarations in the caller's scope, newest first")
def search(
    ctx: Ctx,
    status: Status | None = None,
    channel: Channel | None = None,
    office: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page:
    c = decode_cursor(cursor)
    after = None
    if c:
        from datetime import datetime

        try:
            after = (datetime.fromisoformat(str(c["at"])), str(c["n"]))
        except (KeyError, ValueError):
            from haiquan.kit.errors import ValidationFailed

            raise ValidationFailed("cursor is not one this server issued", field="cursor") from None
    rows = repository.search(
        ctx.session,
        ctx.principal.scope,
        status=status,
        channel=channel,
        office=office,
        after=after,
        limit=clamp_limit(limit),
        party=ctx.principal.tax_code,
    )
    nxt = (
        encode_cursor({"at": rows[-1].lodged_at.isoformat(), "n": rows[-1].number})
        if len(rows) == limit
        else None
    )
    return Page(items=[views.summary(r) for r in rows], next_cursor=nxt)


@router.get(
    "/declarations/{number}", response_model=DeclarationOut, summary="One declaration with lines and duties"
)
def get(number: Number, ctx: Ctx) -> DeclarationOut:
    row = repository.get(ctx.session, ctx.principal.scope, number, party=ctx.principal.tax_code)
    return views.full(ctx.session, row, for_officer=ctx.principal.is_officer)


@router.get(
    "/declarations/{number}/history", response_model=list[HistoryOut], summary="Every step, oldest first"
)
def history(number: Number, ctx: Ctx) -> list[HistoryOut]:
    repository.get(ctx.session, ctx.principal.scope, number, party=ctx.principal.tax_code)
    return views.history(ctx.session, number, for_officer=ctx.principal.is_officer)


@router.put(
    "/declarations/{number}", response_model=DeclarationOut, summary="Amend before registration (IDB/EDB)"
)
def amend(number: Number, body: DeclarationIn, ctx: Ctx) -> object:
    return ctx.respond(
        lambda: views.full(
            ctx.session, service.amend(ctx.session, principal=ctx.principal, number=number, data=body)
        ),
        body=body,
    )


@router.post("/declarations/{number}/register", response_model=DeclarationOut, summary="Register (IDC/EDC)")
async def register(number: Number, ctx: ChangeCtx) -> object:
    work = changes.Register(ctx.principal, number, ctx.request.app.state.channel_engine)
    return await ctx.submit(work, body={"number": number})


@router.post(
    "/declarations/{number}/amendments",
    response_model=DeclarationOut,
    summary="Amend after registration (AMA)",
)
def amend_registered(number: Number, body: AmendmentIn, ctx: Ctx) -> object:
    def run() -> DeclarationOut:
        ctx.principal.require_enterprise("declarant")
        return views.full(
            ctx.session,
            service.amend_registered(ctx.session, principal=ctx.principal, number=number, data=body),
        )

    return ctx.respond(run, body=body)


@router.post("/declarations/{number}/cancel", response_model=DeclarationOut, summary="Cancel")
def cancel(number: Number, body: CancelIn, ctx: Ctx) -> object:
    def run() -> DeclarationOut:
        ctx.principal.require_enterprise("declarant")
        return views.full(
            ctx.session,
            service.cancel(ctx.session, principal=ctx.principal, number=number, reason=body.reason),
        )

    return ctx.respond(run, body=body)


@router.post(
    "/declarations/{number}/documents", response_model=DeclarationOut, summary="Answer a documents request"
)
def documents(number: Number, body: DocumentsIn, ctx: Ctx) -> object:
    def run() -> DeclarationOut:
        row = service.submit_documents(
            ctx.session, principal=ctx.principal, number=number, documents=body.documents
        )
        return views.full(ctx.session, row)

    return ctx.respond(run, body=body)


@router.post("/declarations/{number}/decision", response_model=DeclarationOut, summary="Officer decision")
def decision(number: Number, body: DecisionIn, ctx: Ctx) -> object:
    def run() -> DeclarationOut:
        row = officer.take_decision(ctx.session, principal=ctx.principal, number=number, data=body)
        return views.full(ctx.session, row, for_officer=True)

    return ctx.respond(run, body=body)


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
def reassign(number: Number, body: AssigneeIn, ctx: Ctx) -> object:
    def run() -> DeclarationSummary:
        row = assignment.reassign(
            ctx.session, principal=ctx.principal, number=number, officer=body.officer, reason=body.reason
        )
        ids = [row.assigned_officer_id or "", row.escalated_to or ""]
        return views.summary(row, assignment.usernames(ctx.session, ids))

    return ctx.respond(run, body=body)


@router.get(
    "/officer/queue",
    response_model=Page,
    summary="Yellow and red checks of the officer's units, oldest first",
)
def work_queue(ctx: Ctx, mine: bool = False, escalated: bool = False, limit: int = 200) -> Page:
    rows = officer.queue(
        ctx.session, principal=ctx.principal, mine=mine, escalated=escalated, limit=clamp_limit(limit)
    )
    ids = {i for r in rows for i in (r.assigned_officer_id, r.escalated_to) if i}
    names = (
        dict(
            ctx.session.execute(
                select(OfficerRow.id, OfficerRow.username).where(OfficerRow.id.in_(ids))
            ).all()
        )
        if ids
        else {}
    )
    return Page(items=[views.summary(r, names) for r in rows], next_cursor=None)


@router.get(
    "/notifications", response_model=NotificationPage, summary="Status changes of the caller's declarations"
)
def notifications(ctx: Ctx, cursor: str | None = None, limit: int = 100) -> NotificationPage:
    from haiquan.declarations.notifications import pull

    ctx.principal.require_enterprise()
    after = cursor_int(cursor, "after")
    items = pull(ctx.session, enterprise_id=ctx.principal.id, after=after, limit=clamp_limit(limit))
    last = items[-1].seq if items else after
    return NotificationPage(items=items, next_cursor=encode_cursor({"after": last}))
