"""GET /api/v1/reports/...: every dashboard figure, scoped to the caller's units, and its export."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from haiquan.deps import Ctx
from haiquan.kit import clock
from haiquan.kit.errors import NotFound, ValidationFailed
from haiquan.kit.money import encoded
from haiquan.organization.service import TREES
from haiquan.reports import exports, queries
from haiquan.reports.schemas import FigureOut, OverviewOut

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

Unit = Annotated[str | None, Query(max_length=16, description="Node of the unit tree (default: your unit)")]
From = Annotated[date | None, Query(description="First day (default: 1 January of the last day's year)")]
To = Annotated[date | None, Query(description="Last day (default: today, Vietnam time)")]


FIRST_YEAR, LAST_YEAR = 1990, 2200


def make_view(ctx: Ctx, unit: str | None, date_from: date | None, date_to: date | None) -> queries.View:
    ctx.principal.require_officer()
    end = date_to or clock.today_vn()
    start = date_from or date(end.year, 1, 1)
    for field, d in (("date_from", start), ("date_to", end)):
        if not FIRST_YEAR <= d.year <= LAST_YEAR:  # last year's line must exist too
            raise ValidationFailed(f"{field} must be between {FIRST_YEAR} and {LAST_YEAR}", field=field)
    tree = TREES.get(ctx.session)
    return queries.view(tree, ctx.principal.scope, node=unit, start=start, end=end, home=ctx.principal.unit)


def figure(ctx: Ctx, name: str, v: queries.View, grain: str = "month") -> dict[str, Any]:
    fn = queries.FIGURES.get(name)
    if fn is None:
        raise NotFound(f"no report named {name!r}; try one of {', '.join(queries.FIGURES)}", field="name")
    data: dict[str, Any] = (
        queries.channels(ctx.session, v, grain) if name == "channels" else fn(ctx.session, v)
    )
    return data


def header(v: queries.View) -> dict[str, Any]:
    node = v.tree.units[v.node]
    crumbs = [{"unit": c, "name_vi": v.tree.units[c].name_vi, "name_en": v.tree.units[c].name_en}
              for c in reversed(v.tree.ancestors(v.node))]  # fmt: skip
    return {"unit": v.node, "name_vi": node.name_vi, "name_en": node.name_en, "date_from": v.start.isoformat(),
            "date_to": v.end.isoformat(), "path": crumbs}  # fmt: skip


@router.get(
    "/overview", response_model=OverviewOut, summary="Every dashboard figure for one node of the tree"
)
def overview(ctx: Ctx, unit: Unit = None, date_from: From = None, date_to: To = None) -> OverviewOut:
    v = make_view(ctx, unit, date_from, date_to)
    figures = {name: figure(ctx, name, v) for name in queries.FIGURES}
    return OverviewOut.model_validate(encoded({"view": header(v)} | figures))


@router.get(
    "/{name}",
    response_model=FigureOut,
    summary="One figure: revenue, channels, units, clearance, dwell, alerts, seizures, permits, preferences",
)
def one(
    name: str, ctx: Ctx, unit: Unit = None, date_from: From = None, date_to: To = None, grain: str = "month"
) -> FigureOut:
    v = make_view(ctx, unit, date_from, date_to)
    return FigureOut.model_validate(encoded({"view": header(v), name: figure(ctx, name, v, grain)}))


@router.get("/{name}/export", summary="One figure as Excel (format=xlsx) or CSV (format=csv)")
def export(
    name: str, ctx: Ctx, unit: Unit = None, date_from: From = None, date_to: To = None,
    format: Annotated[str, Query(pattern="^(xlsx|csv)$")] = "xlsx",
    lang: Annotated[str | None, Query(pattern="^(vi|en)$", description="Excel headers in this language")] = None,
) -> Response:  # fmt: skip
    v = make_view(ctx, unit, date_from, date_to)
    data = figure(ctx, name, v)
    stem = f"{name}_{v.node}_{v.start.isoformat()}_{v.end.isoformat()}"
    if format == "csv":
        return Response(exports.to_csv(name, data), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{stem}.csv"'})  # fmt: skip
    return Response(
        exports.to_xlsx(name, data, lang),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{stem}.xlsx"'},
    )
