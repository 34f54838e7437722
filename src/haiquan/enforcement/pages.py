"""The leaders' page (`GET /enforcement`): the articles' sentence, seizures by substance, a province ×
period heat map and a route × period chart. On the shared web layer: the officer's session (anonymous →
/login?next=…), the shared layout and catalogue, Plotly's cartesian bundle and configuration (web.hashed,
static/charts.js), the figures as JSON drawn by one script carrying the page's CSP nonce, each with a
sentence for screen readers."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from haiquan.enforcement import reports
from haiquan.kit import clock
from haiquan.web import nav
from haiquan.web.i18n import add_messages, lang_of, t
from haiquan.web.render import add_template_dir, format_number, render
from haiquan.web.session import PageCtx

router = APIRouter(tags=["pages"], include_in_schema=False)
add_template_dir(Path(__file__).parent / "templates")
nav.register(
    "nav.enforcement",
    "/enforcement",
    roles=("team_lead", "subdepartment_leader", "department_leader", "administrator"),
)

MESSAGES: dict[str, tuple[str, str]] = {
    "enforcement.page.title": ("Chống buôn lậu và ma túy", "Anti-smuggling and drugs"),
    "enforcement.page.unit": ("Đơn vị", "Unit"),
    "enforcement.page.from": ("Từ ngày", "From"),
    "enforcement.page.to": ("Đến ngày", "To"),
    "enforcement.page.period": ("Kỳ", "Period"),
    "enforcement.page.show": ("Xem", "Show"),
    "enforcement.page.excel": ("Tải Excel", "Download Excel"),
    "enforcement.page.substances": ("Thu giữ ma túy theo chất (gam)", "Drugs seized by substance (grams)"),
    "enforcement.page.heat": ("Số vụ theo tỉnh × kỳ", "Cases by province × period"),
    "enforcement.page.routes": ("Số vụ theo tuyến × kỳ", "Cases by route × period"),
    "enforcement.page.regions": ("Số vụ theo vùng × kỳ", "Cases by region × period"),
    "enforcement.page.shift": (
        "Dịch chuyển giữa kỳ đầu và kỳ cuối (điểm %)",
        "Shift between the first and the last period (pp)",
    ),
    "enforcement.page.counts": ("Số liệu", "Figures"),
    "enforcement.page.month": ("tháng", "month"),
    "enforcement.page.quarter": ("quý", "quarter"),
    "enforcement.page.half": ("nửa năm", "half-year"),
    "enforcement.page.none": ("không có số liệu", "no figures"),
}
add_messages(MESSAGES)


def words(lang: str) -> dict[str, str]:
    return {k.removeprefix("enforcement.page."): t(k, lang) for k in MESSAGES}


# A light look close to plotly's "plotly_white", written out: the figures are plain dicts (building them
# with plotly.graph_objects cost ~75 ms each, most of the page's time).
AXIS = {"gridcolor": "#ebf0f8", "zerolinecolor": "#ebf0f8", "automargin": True}


def _figure(data: list[dict[str, Any]], height: int = 360, **layout: Any) -> dict[str, Any]:
    """The figure as Plotly JSON, drawn by the page's one nonce'd script (no inline script per chart)."""
    base = {"height": height, "margin": {"l": 10, "r": 10, "t": 10, "b": 10}, "plot_bgcolor": "#fff",
            "paper_bgcolor": "#fff", "xaxis": dict(AXIS), "yaxis": dict(AXIS)}  # fmt: skip
    for key, value in layout.items():
        base[key] = base[key] | value if isinstance(base.get(key), dict) else value
    return {"data": data, "layout": base}


def _name(row: dict[str, Any], lang: str) -> str:
    return str(row["name_vi" if lang == "vi" else "name_en"])


def _series(rows: list[dict[str, Any]], periods: list[str], lang: str, **trace: Any) -> list[dict[str, Any]]:
    return [
        {"name": _name(r, lang), "x": periods, "y": [float(v) for v in r["values"]], **trace} for r in rows
    ]


def charts(summary: dict[str, Any], disp: dict[str, Any], lang: str) -> dict[str, dict[str, Any]]:
    subs, periods, provinces = summary["substances"], disp["periods"], disp["province"]
    bars = [{"type": "bar", "x": [_name(s, lang) for s in subs], "y": [float(s["grams"]) for s in subs]}]
    heat = [{
        "type": "heatmap", "colorscale": "YlOrRd", "reversescale": True, "x": periods, "y": [_name(r, lang) for r in provinces],
        "z": [[float(v) for v in r["values"]] for r in provinces],
    }]  # fmt: skip
    return {
        "substances": _figure(bars, 300),
        "heat": _figure(heat, max(260, 28 * len(provinces) + 60), yaxis={"autorange": "reversed"}),
        "routes": _figure(_series(disp["route"], periods, lang, type="bar"), barmode="stack"),
        "regions": _figure(_series(disp["region"], periods, lang, type="scatter", mode="lines+markers"), 300),
    }


def _top(pairs: list[tuple[str, float]], lang: str, unit: str = "", n: int = 5) -> str:
    """The largest figures as a sentence: "Heroin 1.200 g; Cocaine 300 g" (or "no figures")."""
    shown = sorted((p for p in pairs if p[1]), key=lambda p: -p[1])[:n]
    if not shown:
        return t("enforcement.page.none", lang)
    return "; ".join(f"{name} {format_number(round(v, 1), lang)}{unit}" for name, v in shown)


def summaries(summary: dict[str, Any], disp: dict[str, Any], lang: str) -> dict[str, str]:
    """Each chart's text for screen readers: its largest figures."""
    periods = disp["periods"]

    def by_total(dim: str) -> str:
        return _top([(_name(r, lang), sum(float(v) for v in r["values"])) for r in disp[dim]], lang)

    cells = [
        (f"{_name(r, lang)} {p}", float(v)) for r in disp["province"] for p, v in zip(periods, r["values"], strict=False)
    ]  # fmt: skip
    return {
        "substances": _top([(_name(s, lang), float(s["grams"])) for s in summary["substances"]], lang, " g"),
        "heat": _top(cells, lang),
        "routes": by_total("route"),
        "regions": by_total("region"),
    }


@router.get("/enforcement", response_class=HTMLResponse)
def enforcement_page(
    request: Request,
    ctx: PageCtx,
    unit: str | None = None,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    period: str = "quarter",
) -> Response:
    lang = lang_of(request)
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
    figures = json.dumps(charts(summary, disp, lang), ensure_ascii=False).replace("<", "\\u003c")
    return render(request, "enforcement.html", {
        "e": words(lang), "w": w, "summary": summary, "text": summary["text_vi" if lang == "vi" else "text_en"],
        "figures": figures, "shift": shift, "names": names, "period": period, "periods": reports.PERIODS,
        "summaries": summaries(summary, disp, lang),
    })  # fmt: skip
