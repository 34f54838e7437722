"""The officers' pages: login, the work queue, the declarations list, one declaration with its decision
form. Server-rendered (Jinja2), Vietnamese first, no JavaScript needed."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from haiquan.declarations import officer, repository, views
from haiquan.declarations.domain import Channel, Status
from haiquan.deps import get_db, get_settings_dep
from haiquan.inspection import views as scanner_views
from haiquan.kit import audit, logins
from haiquan.kit.errors import DomainError, NotFound, TooManyRequests, Unauthorized, retry_after
from haiquan.kit.pagination import decode_cursor, encode_cursor
from haiquan.organization import service as org
from haiquan.web import forms, i18n
from haiquan.web.render import render, set_flash
from haiquan.web.session import (
    PRELOGIN_COOKIE,
    SESSION_COOKIE,
    PageCtx,
    check_csrf,
    csrf_token,
    end_session,
    safe_next,
)

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25
NUMBER = re.compile(r"^\d{12}$")


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/")
def home(request: Request) -> Response:
    return _see_other("/queue" if request.cookies.get(SESSION_COOKIE) else "/login")


@router.get("/login", name="login_page")
def login_form(request: Request, next: str = "/queue", expired: str = "") -> Response:
    request.state.html = True
    basis = request.cookies.get(PRELOGIN_COOKIE) or secrets.token_urlsafe(24)
    return _login_page(request, basis, next_path=next, error="login.expired" if expired == "1" else None)


def _login_page(
    request: Request,
    basis: str,
    *,
    next_path: str,
    error: str | None = None,
    username: str = "",
    status_code: int = 200,
) -> Response:
    secret = get_settings_dep(request).effective_secret_key
    context = {
        "next": safe_next(next_path),
        "error": error,
        "username": username,
        "login_csrf": csrf_token(secret, basis),
    }
    response = render(request, "login.html", context, status_code=status_code)
    response.set_cookie(PRELOGIN_COOKIE, basis, max_age=3600, path="/", httponly=True, samesite="strict")
    return response


def _check_password(request: Request, username: str, password: str) -> str | None:
    """The officer's token, or None (and an audit entry) for a wrong username or password. Raises
    TooManyRequests while this username and address must wait (kit.logins)."""
    settings = get_settings_dep(request)
    logins.check(request, username)
    with get_db(request).unit_of_work() as uow:
        try:
            token = org.login(
                uow.session,
                username=username,
                password=password,
                secret=settings.effective_secret_key,
                ttl_minutes=settings.token_ttl_minutes,
            )
        except Unauthorized:
            logins.record(request, username, ok=False)
            uow.rollback()
            audit.append(
                uow.session, actor=f"officer:{username}", action="auth.login", target="web", outcome="refused"
            )
            uow.commit()
            return None
        uow.commit()
    logins.record(request, username, ok=True)
    return token


@router.post("/login")
async def login_submit(request: Request) -> Response:
    request.state.html = True
    settings = get_settings_dep(request)
    form = await request.form()
    basis = request.cookies.get(PRELOGIN_COOKIE)
    check_csrf(settings.effective_secret_key, basis, form.get("csrf"))
    username = str(form.get("username") or "").strip()[:60]
    next_path = str(form.get("next") or "/queue")
    try:
        token = await run_in_threadpool(
            _check_password, request, username, str(form.get("password") or "")[:200]
        )
    except TooManyRequests as exc:
        page = _login_page(request, basis or secrets.token_urlsafe(24), next_path=next_path,
                           error="login.throttled", username=username, status_code=429)  # fmt: skip
        page.headers["Retry-After"] = retry_after(exc.retry_after)
        return page
    if token is None:
        return _login_page(
            request,
            basis or secrets.token_urlsafe(24),
            next_path=next_path,
            error="login.failed",
            username=username,
            status_code=401,
        )
    response = _see_other(safe_next(next_path))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.token_ttl_minutes * 60,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    response.delete_cookie(PRELOGIN_COOKIE, path="/")
    return response


@router.post("/logout")
async def logout(request: Request, ctx: PageCtx) -> Response:
    form = await request.form()
    check_csrf(ctx.settings.effective_secret_key, request.state.session_token, form.get("csrf"))
    end_session(ctx)  # the cookie, copied or not, is refused from now on
    response = _see_other("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    set_flash(response, "logout.done")
    return response


@router.get("/queue", name="queue_page")
def queue(request: Request, ctx: PageCtx, mine: str = "") -> Response:
    only_mine = mine in ("1", "true", "on")
    rows = officer.queue(ctx.session, principal=ctx.principal, mine=only_mine)
    names = repository.officer_names(ctx.session, rows, scope=ctx.principal.scope)
    items = [views.summary(r, names) for r in rows]
    return render(request, "queue.html", {"items": items, "mine": only_mine})


def _after(cursor: str) -> tuple[datetime, str] | None:
    """Where the next page starts; a cursor this server did not issue starts from the top."""
    try:
        c = decode_cursor(cursor or None)
        return (datetime.fromisoformat(str(c["at"])), str(c["n"])) if c else None
    except (DomainError, KeyError, ValueError):
        return None


@router.get("/declarations", name="declarations_page")
def declarations(
    request: Request,
    ctx: PageCtx,
    status: str = "",
    channel: str = "",
    office: str = "",
    cursor: str = "",
) -> Response:
    status = status if status in {s.value for s in Status} else ""
    channel = channel if channel in {c.value for c in Channel} else ""
    office = office.strip().upper()[:16]
    rows = repository.search(
        ctx.session,
        scope=ctx.principal.scope,
        status=status or None,
        channel=channel or None,
        office=office or None,
        after=_after(cursor),
        limit=PAGE_SIZE + 1,
    )
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    nxt = encode_cursor({"at": rows[-1].lodged_at.isoformat(), "n": rows[-1].number}) if more else None
    names = repository.officer_names(ctx.session, rows, scope=ctx.principal.scope)
    context = {
        "items": [views.summary(r, names) for r in rows],
        "filters": {"status": status, "channel": channel, "office": office},
        "next_cursor": nxt,
        "paged": bool(cursor),
        "statuses": [s.value for s in Status],
        "channels": [c.value for c in Channel],
    }
    return render(request, "declarations.html", context)


def _declaration(
    request: Request, ctx: Any, number: str, form: forms.DecisionForm | None = None, status_code: int = 200
) -> Response:
    if not NUMBER.match(number):
        raise NotFound(f"no declaration {number} in your scope", field="number")
    scope = ctx.principal.scope
    row = repository.get(ctx.session, number, scope=scope)
    lang = i18n.lang_of(request)
    can, others = forms.may_decide(ctx.principal, row)
    assigned = repository.officer_names(ctx.session, [row], scope=scope).get(row.assigned_officer_id or "")
    form = form or forms.DecisionForm()
    context = {
        "d": views.full(ctx.session, row, scope=scope, for_officer=ctx.principal.is_officer),
        "history": views.history(ctx.session, row, scope=scope, for_officer=ctx.principal.is_officer),
        "assigned": assigned,
        "seconds_left": views.summary(row).seconds_left,
        "can_decide": can,
        "assigned_to_other": others,
        "kinds": forms.decision_kinds(row, repository.recorded(ctx.session, row, scope=scope)) if can else [],
        "form": form,
        "errors": form.messages(lang),
        "scanner_images": scanner_views.for_declaration(
            ctx.session, principal=ctx.principal, number=row.number, office=row.office
        ),
    }
    return render(request, "declaration.html", context, status_code=status_code)


@router.get("/declarations/{number}", name="declaration_page")
def declaration(request: Request, ctx: PageCtx, number: str) -> Response:
    return _declaration(request, ctx, number)


@router.post("/declarations/{number}/decision", name="decision_submit")
async def decision(request: Request, ctx: PageCtx, number: str) -> Response:
    posted = await request.form()
    check_csrf(ctx.settings.effective_secret_key, request.state.session_token, posted.get("csrf"))
    if not NUMBER.match(number):
        raise NotFound(f"no declaration {number} in your scope", field="number")
    repository.get(ctx.session, number, scope=ctx.principal.scope)  # 404 before anything else
    data, form = forms.parse_decision(posted)
    if data is None:
        return _declaration(request, ctx, number, form, status_code=422)
    try:
        officer.take_decision(ctx.session, principal=ctx.principal, number=number, data=data)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        ctx.uow.rollback()
        if exc.status == 403:
            from haiquan.deps import audit_refusal

            audit_refusal(get_db(request), request, ctx.principal.label, exc.message)
        forms.domain_error(form, exc)
        return _declaration(request, ctx, number, form, status_code=exc.status)
    ctx.uow.commit()
    request.app.state.dispatcher_wake()
    response = _see_other(request.app.url_path_for("declaration_page", number=number))
    set_flash(response, "decision.saved")
    return response
