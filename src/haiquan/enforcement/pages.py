"""The leaders' page (`GET /enforcement`): the articles' sentence, seizures by substance, a province ×
period heat map and a route × period chart. Server-rendered with Jinja2; Plotly's JavaScript is served
from the installed `plotly` package, never from a CDN."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import plotly.graph_objects as go
from fastapi import APIRouter, Query, Response
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from haiquan.deps import Ctx
from haiquan.enforcement import reports
from haiquan.kit import clock

router = APIRouter(tags=["pages"], include_in_schema=False)
_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(["html"])
)
PLOTLY_PATH = "/enforcement/assets/plotly.min.js"

TEXT = {
    "vi": {
        "title": "Chống buôn lậu và ma túy", "unit": "Đơn vị", "from": "Từ ngày", "to": "Đến ngày",
        "period": "Kỳ", "show": "Xem", "excel": "Tải Excel", "substances": "Thu giữ ma túy theo chất (gam)",
        "heat": "Số vụ theo tỉnh × kỳ", "routes": "Số vụ theo tuyến × kỳ", "regions": "Số vụ theo vùng × kỳ",
        "shift": "Dịch chuyển giữa kỳ đầu và kỳ cuối (điểm %)", "counts": "Số liệu", "other": "English",
        "month": "tháng", "quarter": "quý", "half": "nửa năm",
    },
    "en": {
        "title": "Anti-smuggling and drugs", "unit": "Unit", "from": "From", "to": "To", "period": "Period",
        "show": "Show", "excel": "Download Excel", "substances": "Drugs seized by substance (grams)",
        "heat": "Cases by province × period", "routes": "Cases by route × period",
        "regions": "Cases by region × period", "shift": "Shift between the first and the last period (pp)",
        "counts": "Figures", "other": "Tiếng Việt", "month": "month", "quarter": "quarter", "half": "half-year",
    },
}  # fmt: skip


@lru_cache(maxsize=1)
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())


@router.get(PLOTLY_PATH)
def plotly_js() -> Response:
    return Response(
        _plotly_js(), media_type="application/javascript", headers={"Cache-Control": "public, max-age=86400"}
    )


def _div(fig: go.Figure, height: int = 360) -> str:
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 10, "b": 10}, template="plotly_white")
    return str(fig.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False}))


def _name(row: dict[str, Any], lang: str) -> str:
    return str(row["name_vi" if lang == "vi" else "name_en"])


def charts(summary: dict[str, Any], disp: dict[str, Any], lang: str) -> dict[str, str]:
    subs = summary["substances"]
    periods = disp["periods"]
    bars = go.Figure(go.Bar(x=[_name(s, lang) for s in subs], y=[float(s["grams"]) for s in subs]))
    provinces = disp["province"]
    heat = go.Figure(
        go.Heatmap(
            z=[[float(v) for v in r["values"]] for r in provinces],
            x=periods, y=[_name(r, lang) for r in provinces], colorscale="YlOrRd",
        )
    )  # fmt: skip
    heat.update_yaxes(autorange="reversed")
    routes = go.Figure(
        [go.Bar(name=_name(r, lang), x=periods, y=[float(v) for v in r["values"]]) for r in disp["route"]]
    )
    routes.update_layout(barmode="stack")
    regions = go.Figure(
        [go.Scatter(name=_name(r, lang), x=periods, y=[float(v) for v in r["values"]], mode="lines+markers") for r in disp["region"]]
    )  # fmt: skip
    return {
        "substances": _div(bars, 300),
        "heat": _div(heat, max(260, 28 * len(provinces) + 60)),
        "routes": _div(routes),
        "regions": _div(regions, 300),
    }


@router.get("/enforcement", response_class=HTMLResponse)
def enforcement_page(
    ctx: Ctx,
    unit: str | None = None,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    period: str = "quarter",
    lang: str = "vi",
) -> HTMLResponse:
    lang = "en" if lang == "en" else "vi"
    today = clock.today_vn()
    start, end = date_from or date(today.year, 1, 1), date_to or today
    code = unit or ctx.principal.unit or "00"
    w = reports.window(ctx.session, principal=ctx.principal, unit=code, start=start, end=end)
    summary = reports.summary_report(ctx.session, principal=ctx.principal, w=w)
    disp = reports.displacement(
        ctx.session, principal=ctx.principal, w=w, period=period, metric="cases", case_field=None
    )
    shift = {
        dim: rows[:3] + [r for r in rows[3:] if r["change_pp"] < 0][-3:]
        for dim, rows in disp["shift"].items()
    }
    names = {r["key"]: _name(r, lang) for dim in ("province", "route", "region") for r in disp[dim]}
    html = _env.get_template("enforcement.html").render(
        t=TEXT[lang], lang=lang, other_lang="en" if lang == "vi" else "vi", w=w, summary=summary,
        text=summary["text_vi" if lang == "vi" else "text_en"], charts=charts(summary, disp, lang),
        shift=shift, names=names, period=period, periods=reports.PERIODS, plotly_path=PLOTLY_PATH,
    )  # fmt: skip
    return HTMLResponse(html)
