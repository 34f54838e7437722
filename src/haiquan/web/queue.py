"""The officer's work queue: the true count, pages, sort by deadline, filters, company and officer names,
the checks escalated to a team lead, a live count of new checks (`/queue/news`, polled by queue.js), and
take / reassign, one or many at once (each an audited `check.reassigned` event)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from haiquan.declarations import assignment, repository, views, worklist
from haiquan.declarations.domain import Channel
from haiquan.declarations.worklist import QueueFilter
from haiquan.deps import audit_refusal
from haiquan.kit import clock
from haiquan.kit.errors import DomainError
from haiquan.web import work_text  # noqa: F401  (the pages' words)
from haiquan.web.render import render, set_flash
from haiquan.web.session import PageCtx, check_csrf

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
MAX_BULK = 200
LANES = (Channel.YELLOW.value, Channel.RED.value)


def _flag(value: str) -> bool:
    return value in ("1", "true", "on")


def _filter(ctx: Any, params: dict[str, str], officer_ids: set[str]) -> QueueFilter:
    """What the query string asks, each value checked (an unknown value is ignored, never a 500)."""
    assignee = params.get("officer", "")
    declarant = params.get("declarant", "").strip()
    return QueueFilter(
        officer_id=ctx.principal.id,
        mine=_flag(params.get("mine", "")),
        escalated=_flag(params.get("escalated", "")),
        channel=params.get("channel") if params.get("channel") in LANES else None,
        overdue=_flag(params.get("overdue", "")),
        assignee=assignee if assignee == "none" or assignee in officer_ids else None,
        declarant=declarant[:14] if declarant.replace("-", "").isdigit() else None,
        sort="registered" if params.get("sort") == "registered" else "deadline",
    )


def _page_number(value: str) -> int:
    return max(1, min(int(value), 10_000)) if value.isdigit() else 1


def _items(ctx: Any, rows: list[Any], names: dict[str, str]) -> list[dict[str, Any]]:
    """Each row with its company's name and the names of the officer holding it and the lead it went to
    (an officer outside the caller's units, such as a lead above a team, by username)."""
    scope = ctx.principal.scope
    names = repository.officer_names(ctx.session, rows, scope=scope) | names
    companies = repository.enterprise_names(ctx.session, [r.declarant_tax_code for r in rows], scope=scope)
    return [
        {
            "s": views.summary(r),
            "assignee": names.get(r.assigned_officer_id or ""),
            "mine": r.assigned_officer_id == ctx.principal.id,
            "lead": names.get(r.escalated_to or ""),
            "company": companies.get(r.declarant_tax_code, ""),
        }
        for r in rows
    ]


@router.get("/queue", name="queue_page")
def queue(request: Request, ctx: PageCtx) -> Response:
    params = dict(request.query_params)
    scope = ctx.principal.scope
    officers = repository.deciding_officers(ctx.session, scope=scope)
    names = {i: n or u for i, u, n in officers}
    f = _filter(ctx, params, set(names))
    page = _page_number(params.get("page", ""))
    now = clock.now()
    rows, total = worklist.queue_page(
        ctx.session, scope=scope, f=f, now=now, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    items = _items(ctx, rows, names)
    pages = max(1, -(-total // PAGE_SIZE))
    kept = {k: v for k, v in params.items() if k not in ("page", "lang") and v}
    if page > pages:  # a page past the end (the queue shrank): its last page
        return RedirectResponse("/queue?" + urlencode({**kept, "page": pages}), status_code=303)
    context = {
        "items": items,
        "total": total,
        "page": page,
        "pages": pages,
        "page_url": lambda n: "/queue?" + urlencode({**kept, "page": n}),
        "f": f,
        "officers": officers,
        "lanes": LANES,
        "is_lead": ctx.principal.role in assignment.REASSIGNING_ROLES,
        "escalated_count": worklist.escalated_count(ctx.session, scope=scope, officer_id=ctx.principal.id),
        "since": now.isoformat(),
        "mine": f.mine,
    }
    return render(request, "queue.html", context)


@router.get("/queue/news", name="queue_news")
def news(request: Request, ctx: PageCtx, since: str = "") -> Response:
    """How many checks were registered in the caller's units since `since` (polled every 30 s; a poll
    does not count as activity: the session's idle timeout keeps running)."""
    request.state.background = True  # a poll: organization.sessions.SessionTouch leaves the session alone
    try:
        at = datetime.fromisoformat(since)
    except ValueError:
        return JSONResponse({"count": 0, "since": clock.now().isoformat()})
    count = worklist.queue_news(ctx.session, scope=ctx.principal.scope, since=at)
    return JSONResponse({"count": count, "since": since}, headers={"Cache-Control": "no-store"})


def _apply(ctx: Any, numbers: list[str], action: str, officer: str) -> list[DomainError]:
    """Take or reassign each check; returns the refusals (each comes before any write of its check)."""
    refused = []
    for number in numbers:
        try:
            if action == "take":
                assignment.take(ctx.session, principal=ctx.principal, number=number)
            else:
                assignment.reassign(
                    ctx.session, principal=ctx.principal, number=number, officer=officer, reason=""
                )
        except DomainError as exc:
            refused.append(exc)
    return refused


@router.post("/queue/assign", name="queue_assign")
async def assign(request: Request, ctx: PageCtx) -> Response:
    form = await request.form()
    check_csrf(ctx.settings.effective_secret_key, request.state.session_token, form.get("csrf"))
    numbers = sorted({str(n) for n in form.getlist("number") if str(n).isdigit() and len(str(n)) == 12})
    action = "reassign" if form.get("action") == "reassign" else "take"
    back = str(form.get("back") or "/queue")
    response = RedirectResponse(back if back.startswith("/queue") else "/queue", status_code=303)
    if not numbers:
        set_flash(response, "queue.nothing")
        return response
    if action == "reassign" and ctx.principal.role not in assignment.REASSIGNING_ROLES:
        ctx.uow.rollback()  # the refusal is written in its own transaction (SQLite: one writer)
        audit_refusal(
            ctx.request.app.state.db, request, ctx.principal.label, "only a team lead reassigns checks"
        )
        set_flash(response, "queue.lead_only")
        return response
    refused = _apply(ctx, numbers[:MAX_BULK], action, str(form.get("officer") or ""))
    ctx.uow.commit()
    for exc in refused:  # a refusal of the caller's rights is audited, as on the API (after the commit)
        if exc.status == 403:
            audit_refusal(ctx.request.app.state.db, request, ctx.principal.label, exc.message)
    set_flash(
        response, "queue.partly" if refused else f"queue.{'taken' if action == 'take' else 'reassigned'}"
    )
    return response


@router.get("/queue/assign")
def assign_link() -> Response:
    """The bulk form's address opened as a page (a login that came back here): the queue."""
    return RedirectResponse("/queue", status_code=303)
