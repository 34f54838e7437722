"""The leadership dashboard: server-rendered pages, Plotly served from the installed package, live
refresh by server-sent events. Self-contained until the shared web layer takes over the layout."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials
from jinja2 import Environment, FileSystemLoader, select_autoescape

from haiquan import deps
from haiquan.kit.errors import DomainError
from haiquan.organization import service as org
from haiquan.reports import api as reports_api
from haiquan.reports import queries
from haiquan.reports.i18n import words
from haiquan.reports.live import BOARD

router = APIRouter(prefix="/reports", include_in_schema=False)
env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape()
)


def page_context(
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(deps.bearer)],
) -> Iterator[deps.RequestContext | None]:
    """Like Ctx, but a page without a valid session goes to the login form instead of a 401."""
    db, settings = deps.get_db(request), deps.get_settings_dep(request)
    with db.unit_of_work() as uow:
        try:
            principal = deps.authenticate(request, uow, settings, deps.token_from_request(request, creds))
        except DomainError:
            uow.rollback()
            yield None
            return
        request.state.principal = principal
        yield deps.RequestContext(request, uow, principal, settings, None)


PageCtx = Annotated[deps.RequestContext | None, Depends(page_context)]


def lang_of(request: Request, lang: str | None) -> str:
    chosen = lang or request.cookies.get("hq_lang") or "vi"
    return chosen if chosen in ("vi", "en") else "vi"


@lru_cache(maxsize=1)
def plotly_js() -> bytes:
    return resources.files("plotly").joinpath("package_data/plotly.min.js").read_bytes()


@router.get("/static/plotly.min.js")
def plotly_asset() -> Response:
    return Response(
        plotly_js(), media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"}
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, lang: str | None = None, error: int = 0) -> Response:
    lg = lang_of(request, lang)
    html = env.get_template("login.html").render(w=words(lg), lang=lg, error=bool(error))
    return _with_lang(HTMLResponse(html), lg)


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form(min_length=1, max_length=60)],
    password: Annotated[str, Form(min_length=1, max_length=200)],
) -> Response:
    db, settings = deps.get_db(request), deps.get_settings_dep(request)
    with db.unit_of_work() as uow:
        try:
            token = org.login(uow.session, username=username, password=password,
                              secret=settings.effective_secret_key, ttl_minutes=settings.token_ttl_minutes)  # fmt: skip
        except DomainError as exc:
            uow.rollback()
            deps.audit_refusal(db, request, f"officer:{username}", exc.message)
            return RedirectResponse("/reports/login?error=1", status_code=303)
    resp = RedirectResponse("/reports", status_code=303)
    resp.set_cookie(
        "hq_session", token, httponly=True, samesite="lax", max_age=settings.token_ttl_minutes * 60
    )
    return resp


@router.get("/logout")
def logout() -> Response:
    resp = RedirectResponse("/reports/login", status_code=303)
    resp.delete_cookie("hq_session")
    return resp


def _with_lang(resp: Response, lang: str) -> Response:
    resp.set_cookie("hq_lang", lang, samesite="lax", max_age=365 * 86400)
    return resp


@router.get("", response_class=HTMLResponse)
def dashboard(
    request: Request,
    ctx: PageCtx,
    unit: Annotated[str | None, Query(max_length=16)] = None,
    date_from: date | None = None,
    date_to: date | None = None,
    lang: str | None = None,
) -> Response:
    if ctx is None:
        return RedirectResponse("/reports/login", status_code=303)
    lg = lang_of(request, lang)
    v = reports_api.make_view(ctx, unit, date_from, date_to)
    data = {"view": reports_api.header(v)} | {n: reports_api.figure(ctx, n, v) for n in queries.FIGURES}
    html = env.get_template("dashboard.html").render(
        w=words(lg), lang=lg, data=data, data_json=json.dumps(data, ensure_ascii=False, default=str),
        user=ctx.principal.name, query=f"unit={v.node}&date_from={v.start}&date_to={v.end}",
    )  # fmt: skip
    return _with_lang(HTMLResponse(html), lg)


@router.get("/events")
async def events(request: Request, ctx: PageCtx) -> Response:
    """Server-sent events: `changed` whenever a rollup of the caller's units moves."""
    if ctx is None:
        return Response(status_code=401)
    scope = ctx.principal.scope
    ctx.uow.close()  # the stream holds no transaction

    async def stream() -> AsyncIterator[str]:
        seen = BOARD.version
        yield "retry: 3000\n\n"
        while not await request.is_disconnected():
            version, units = await asyncio.to_thread(BOARD.wait, seen, 15.0)
            if version == seen:
                yield ": keep-alive\n\n"
                continue
            seen = version
            mine = sorted(u for u in units if scope.covers_unit(u))
            if mine:
                yield f"event: changed\ndata: {json.dumps({'version': version, 'units': mine})}\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
