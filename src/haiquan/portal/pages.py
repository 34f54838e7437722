"""The trader portal's pages for an enterprise's staff: sign-in and sign-out, an overview, the
declarations (filter, one declaration with its lines and history), the payments due with their payment
reference, and the notifications. Every query is the repositories', scoped by the staff member's
enterprise (portal.session); the account pages (API keys, webhook, staff) are in portal.account_pages."""

from __future__ import annotations

import secrets
from decimal import Decimal
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from haiquan.declarations import repository as declarations
from haiquan.declarations.domain import Status
from haiquan.deps import get_db, get_settings_dep
from haiquan.kit import audit, logins
from haiquan.kit.errors import DomainError, TooManyRequests, Unauthorized, retry_after
from haiquan.payments import repository as payments
from haiquan.portal import repository, service, sessions, text
from haiquan.portal.domain import Area, require
from haiquan.portal.session import LOGIN, PORTAL_COOKIE, PortalCtx, safe_next
from haiquan.web import nav
from haiquan.web.render import add_template_dir, render, set_flash
from haiquan.web.session import PRELOGIN_COOKIE, check_csrf, csrf_token

router = APIRouter(include_in_schema=False)
add_template_dir(Path(__file__).parent / "templates")
_ = text  # the portal's words are registered on import
PAGE_SIZE = 25
CLOSED = frozenset({Status.RELEASED, Status.CANCELLED, Status.REJECTED, Status.GOODS_EXITED, Status.EXPIRED})
for _key, _path, _roles in (
    ("pt.home", "/portal", None), ("pt.declarations", "/portal/declarations", None),
    ("pt.payments", "/portal/payments", None), ("pt.tax", "/portal/tax", None),
    ("pt.applications", "/portal/applications", None), ("pt.notifications", "/portal/notifications", None),
    ("pt.keys", "/portal/keys", ("admin",)), ("pt.webhook", "/portal/webhook", ("admin",)),
    ("pt.staff", "/portal/staff", ("admin",)),
):  # fmt: skip
    nav.register(_key, _path, roles=_roles)


@router.get("/portal/login", name="portal_login")
def login_form(request: Request, next: str = "/portal", expired: str = "") -> Response:
    request.state.html = True
    basis = request.cookies.get(PRELOGIN_COOKIE) or secrets.token_urlsafe(24)
    return _login_page(request, basis, next_path=next, error="pt.login_expired" if expired == "1" else None)


def _login_page(request: Request, basis: str, *, next_path: str, error: str | None = None,
                username: str = "", status_code: int = 200) -> Response:  # fmt: skip
    secret = get_settings_dep(request).effective_secret_key
    context = {"next": safe_next(next_path), "error": error, "username": username,
               "login_csrf": csrf_token(secret, basis), "login_title": "pt.login", "login_tagline": "pt.title",
               "login_note": "pt.login_note", "login_action": "/portal/login"}  # fmt: skip
    response = render(request, "login.html", context, status_code=status_code)
    response.set_cookie(PRELOGIN_COOKIE, basis, max_age=3600, path="/", httponly=True, samesite="strict")
    return response


def _check_password(request: Request, username: str, password: str) -> str | None:
    """The portal token, or None (audited) for a wrong username or password; TooManyRequests while this
    username and address must wait (kit.logins, the portal's names apart from the officers')."""
    settings = get_settings_dep(request)
    throttle = f"portal:{username}"
    logins.check(request, throttle)
    with get_db(request).unit_of_work() as uow:
        try:
            token = service.login(uow.session, username=username, password=password,
                                  secret=settings.effective_secret_key, ttl_minutes=settings.token_ttl_minutes)  # fmt: skip
        except Unauthorized:
            logins.record(request, throttle, ok=False)
            uow.rollback()
            audit.append(uow.session, actor=f"staff:{username}", action="auth.login", target="portal",
                         outcome="refused")  # fmt: skip
            uow.commit()
            return None
        uow.commit()
    logins.record(request, throttle, ok=True)
    return token


@router.post("/portal/login")
async def login_submit(request: Request) -> Response:
    request.state.html = True
    settings = get_settings_dep(request)
    form = await request.form()
    basis = request.cookies.get(PRELOGIN_COOKIE)
    check_csrf(settings.effective_secret_key, basis, form.get("csrf"))
    username = str(form.get("username") or "").strip().lower()[:60]
    next_path = str(form.get("next") or "/portal")
    again = basis or secrets.token_urlsafe(24)
    try:
        token = await run_in_threadpool(
            _check_password, request, username, str(form.get("password") or "")[:200]
        )
    except TooManyRequests as exc:
        page = _login_page(request, again, next_path=next_path, error="pt.login_throttled", username=username,
                           status_code=429)  # fmt: skip
        page.headers["Retry-After"] = retry_after(exc.retry_after)
        return page
    if token is None:
        return _login_page(request, again, next_path=next_path, error="pt.login_failed", username=username,
                           status_code=401)  # fmt: skip
    response = RedirectResponse(safe_next(next_path), status_code=303)
    response.set_cookie(PORTAL_COOKIE, token, max_age=settings.token_ttl_minutes * 60, path="/", httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")  # fmt: skip
    response.delete_cookie(PRELOGIN_COOKIE, path="/")
    return response


@router.post("/portal/logout", name="portal_logout")
async def logout(request: Request, ctx: PortalCtx) -> Response:
    form = await request.form()
    check_csrf(ctx.settings.effective_secret_key, request.state.session_token, form.get("csrf"))
    sessions.revoke(ctx.session, session_id=ctx.principal.session_id or "", reason="logout")
    ctx.uow.commit()
    response = RedirectResponse(LOGIN, status_code=303)
    response.delete_cookie(PORTAL_COOKIE, path="/")
    set_flash(response, "logout.done")
    return response


@router.get("/portal", name="portal_home")
def home(request: Request, ctx: PortalCtx) -> Response:
    scope = ctx.principal.scope
    ent = repository.enterprise(ctx.session, scope=scope)
    recent = declarations.search(ctx.session, scope=scope, limit=PAGE_SIZE)
    due = repository.payments_due(ctx.session, scope=scope)
    context = {"e": ent, "open": [d for d in recent if d.status not in CLOSED][:10],
               "due": due, "due_total": sum((r.amount_due - r.amount_paid for r in due), Decimal(0)),
               "notes": repository.notifications(ctx.session, scope=scope, limit=5)}  # fmt: skip
    return render(request, "portal_home.html", context)


@router.get("/portal/declarations", name="portal_declarations")
def declarations_page(request: Request, ctx: PortalCtx, status: str = "", q: str = "") -> Response:
    require(ctx.principal.role, Area.DECLARATIONS)
    status = status if status in {s.value for s in Status} else ""
    q = "".join(c for c in q if c.isdigit())[:12]
    scope = ctx.principal.scope
    if q:
        try:
            rows = [declarations.get(ctx.session, q, scope=scope)] if len(q) == 12 else []
        except DomainError:
            rows = []
    else:
        rows = declarations.search(ctx.session, scope=scope, status=status or None, limit=PAGE_SIZE)
    context = {"items": rows, "status": status, "q": q, "statuses": [s.value for s in Status]}
    return render(request, "portal_declarations.html", context)


@router.get("/portal/declarations/{number}", name="portal_declaration")
def declaration_page(request: Request, ctx: PortalCtx, number: str) -> Response:
    require(ctx.principal.role, Area.DECLARATIONS)
    scope = ctx.principal.scope
    row = declarations.get(ctx.session, number[:12], scope=scope)  # 404 outside the enterprise's scope
    context = {"d": row, "lines": declarations.lines(ctx.session, row, scope=scope),
               "history": declarations.history(ctx.session, row, scope=scope),
               "refs": payments.references(ctx.session, row.number, scope=scope)}  # fmt: skip
    return render(request, "portal_declaration.html", context)


@router.get("/portal/payments", name="portal_payments")
def payments_page(request: Request, ctx: PortalCtx) -> Response:
    require(ctx.principal.role, Area.PAYMENTS)
    due = repository.payments_due(ctx.session, scope=ctx.principal.scope)
    total = sum((r.amount_due - r.amount_paid for r in due), Decimal(0))
    return render(request, "portal_payments.html", {"due": due, "total": total})


@router.get("/portal/notifications", name="portal_notifications")
def notifications_page(request: Request, ctx: PortalCtx) -> Response:
    require(ctx.principal.role, Area.NOTIFICATIONS)
    notes = repository.notifications(ctx.session, scope=ctx.principal.scope)
    return render(request, "portal_notifications.html", {"notes": notes})
