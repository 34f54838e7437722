"""The analyst's page `GET /risk`: targeting per office and month, charts drawn with Plotly (its
JavaScript served from the installed `plotly` package). Vietnamese first, English with ?lang=en."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from importlib import resources
from pathlib import Path

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from haiquan.deps import Ctx
from haiquan.kit import clock
from haiquan.risk import performance
from haiquan.risk.api import READERS
from haiquan.web.render import CSP, SECURITY_HEADERS

router = APIRouter(tags=["risk"], include_in_schema=False)
_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(["html"])
)
_plotly: bytes | None = None


@router.get("/risk", response_class=HTMLResponse)
def risk_page(
    ctx: Ctx, lang: str = Query("vi", pattern="^(vi|en)$"), office: str | None = None
) -> HTMLResponse:
    ctx.principal.require_officer(*READERS)
    end = clock.today_vn()
    data = performance.report(
        ctx.session,
        scope=ctx.principal.scope,
        date_from=end - timedelta(days=365),
        date_to=end,
        office=office,
    )
    nonce = secrets.token_urlsafe(16)
    rows = json.dumps(data["rows"], default=str).replace("<", "\\u003c")  # no </script> in the data
    html = _env.get_template("risk.html").render(
        lang=lang, report=data, data_json=rows, who=ctx.principal.name, csp_nonce=nonce
    )
    return HTMLResponse(
        html, headers={**SECURITY_HEADERS, "Content-Security-Policy": CSP.format(nonce=nonce)}
    )


@router.get("/risk/plotly.min.js")
def plotly_js() -> Response:
    global _plotly
    if _plotly is None:
        _plotly = resources.files("plotly").joinpath("package_data/plotly.min.js").read_bytes()
    return Response(_plotly, media_type="application/javascript", headers={"Cache-Control": "max-age=86400"})
