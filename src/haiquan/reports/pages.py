"""The leadership dashboard (`GET /reports`) on the shared web layer: the officer's session (`PageCtx`,
anonymous → /login?next=…), the shared layout and catalogue, Plotly's cartesian bundle (web.hashed),
the figures as JSON read by one script carrying the page's CSP nonce, and live refresh by server-sent
events (`GET /reports/events`)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from haiquan.reports import api as reports_api
from haiquan.reports import queries
from haiquan.reports.i18n import words
from haiquan.reports.live import BOARD
from haiquan.web import nav
from haiquan.web.i18n import lang_of
from haiquan.web.render import add_template_dir, render
from haiquan.web.session import PageCtx

router = APIRouter(prefix="/reports", include_in_schema=False)
add_template_dir(Path(__file__).parent / "templates")
LEADERS = ("team_lead", "subdepartment_leader", "department_leader", "administrator")
nav.register("nav.reports", "/reports", roles=LEADERS)


@router.get("", response_class=HTMLResponse)
def dashboard(
    request: Request,
    ctx: PageCtx,
    unit: Annotated[str | None, Query(max_length=16)] = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Response:
    v = reports_api.make_view(ctx, unit, date_from, date_to)
    data = {"view": reports_api.header(v)} | {n: reports_api.figure(ctx, n, v) for n in queries.FIGURES}
    lang = lang_of(request)
    query = f"unit={v.node}&date_from={v.start}&date_to={v.end}"
    live = f"unit={v.node}&date_from={v.start}" + ("" if date_to is None else f"&date_to={v.end}")
    scope = (
        ctx.principal.scope
    )  # an ancestor above the caller's units is named, not linked (it would answer 403)
    crumbs = [
        c | {"link": scope.covers_unit(c["unit"]) and c["unit"] != v.node} for c in data["view"]["path"]
    ]
    return render(request, "reports_dashboard.html", {
        "w": words(lang), "data": data, "query": query, "live_query": live, "crumbs": crumbs,
        "data_json": json.dumps(data, ensure_ascii=False, default=str).replace("<", "\\u003c"),
    })  # fmt: skip


@router.get("/events")
async def events(request: Request, ctx: PageCtx) -> Response:
    """Server-sent events: `changed` whenever a rollup of the caller's units moves."""
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
