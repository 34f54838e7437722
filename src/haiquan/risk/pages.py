"""The analyst's page `GET /risk`: targeting per office and month, inside the shared layout (the officer's
session, anonymous → /login?next=…, navigation, logout, the phone viewport), its charts drawn by one
nonce'd script with the shared Plotly bundle and configuration (web.hashed, static/charts.js).
Vietnamese first, English with ?lang=en."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from haiquan.kit import clock
from haiquan.risk import performance
from haiquan.risk.api import READERS
from haiquan.web.render import add_template_dir, render
from haiquan.web.session import PageCtx

router = APIRouter(tags=["risk"], include_in_schema=False)
add_template_dir(Path(__file__).parent / "templates")


@router.get("/risk", response_class=HTMLResponse)
def risk_page(
    request: Request, ctx: PageCtx, office: Annotated[str | None, Query(max_length=16)] = None
) -> Response:
    ctx.principal.require_officer(*READERS)
    end = clock.today_vn()
    data = performance.report(
        ctx.session,
        scope=ctx.principal.scope,
        date_from=end - timedelta(days=365),
        date_to=end,
        office=office,
    )
    rows = json.dumps(data["rows"], default=str).replace("<", "\\u003c")  # no </script> in the data
    return render(request, "risk.html", {"report": data, "data_json": rows})
