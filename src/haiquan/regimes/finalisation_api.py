"""Finalisation's API: the enterprise files its report (JSON, or a CSV / Excel upload) and reads its own;
the officers of the managing office read the reports of their units, the open discrepancies (tasks), and
resolve them."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import ValidationError

from haiquan.deps import Ctx, Tx
from haiquan.kit.pagination import clamp_limit
from haiquan.kit.transaction import TransactionRoute
from haiquan.regimes import finalisation, finalisation_input
from haiquan.regimes import finalisation_repository as repo
from haiquan.regimes.finalisation_schemas import (
    FinalisationIn,
    FinalisationLineOut,
    FinalisationOut,
    ResolveIn,
)
from haiquan.regimes.finalisation_views import finalisation_out, line_out

router = APIRouter(prefix="/api/v1/finalisations", tags=["regimes"], route_class=TransactionRoute)
FinalisationId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
Regime = Literal["processing", "export_production", "epe", "bonded_warehouse"]


async def _raw_body(request: Request) -> bytes:
    return await request.body()


def _content_type(request: Request) -> str:
    return request.headers.get("content-type", "text/csv")


@router.post("", status_code=201, response_model=FinalisationOut, summary="File a finalisation report (JSON)")
def file_json(body: FinalisationIn, tx: Tx) -> FinalisationOut:
    f = finalisation.file(tx.session, principal=tx.principal, data=body)
    return finalisation_out(tx.session, f, scope=tx.principal.scope)


_UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string", "description": ", ".join(finalisation_input.COLUMNS)}},
            finalisation_input.XLSX: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.post(
    "/upload",
    status_code=201,
    response_model=FinalisationOut,
    summary="File a finalisation report as CSV or Excel (each bad row named)",
    openapi_extra=_UPLOAD_DOC,
)
def file_upload(
    tx: Tx,
    regime: Regime,
    period_start: date,
    period_end: date,
    data: Annotated[bytes, Depends(_raw_body)],
    content_type: Annotated[str, Depends(_content_type)],
) -> FinalisationOut:
    norms, stock, norm_rows, stock_rows = finalisation_input.report_rows(data, content_type)
    try:
        body = FinalisationIn(
            regime=regime, period_start=period_start, period_end=period_end, norms=norms, stock=stock
        )
    except ValidationError as exc:
        raise finalisation_input.row_errors(exc, {"norms": norm_rows, "stock": stock_rows}) from exc
    source = "xlsx" if content_type.startswith(finalisation_input.XLSX) else "csv"
    f = finalisation.file(
        tx.session, principal=tx.principal, data=body, source=source, rows=(norm_rows, stock_rows)
    )
    return finalisation_out(tx.session, f, scope=tx.principal.scope)


@router.get("", response_model=list[FinalisationOut], summary="Finalisations in the caller's scope")
def listing(ctx: Ctx, tax_code: str | None = None, limit: int = 50) -> list[FinalisationOut]:
    rows = repo.finalisations(
        ctx.session, scope=ctx.principal.scope, tax_code=tax_code, limit=clamp_limit(limit)
    )
    return [finalisation_out(ctx.session, f, scope=ctx.principal.scope) for f in rows]


@router.get("/tasks", response_model=list[FinalisationLineOut], summary="Open discrepancies (officers)")
def tasks(ctx: Ctx, limit: Annotated[int, Query()] = 100) -> list[FinalisationLineOut]:
    ctx.principal.require_officer()
    return [
        line_out(x) for x in repo.open_tasks(ctx.session, scope=ctx.principal.scope, limit=clamp_limit(limit))
    ]


@router.get("/{finalisation_id}", response_model=FinalisationOut, summary="A finalisation and its lines")
def one(finalisation_id: FinalisationId, ctx: Ctx) -> FinalisationOut:
    f = repo.finalisation(ctx.session, finalisation_id, scope=ctx.principal.scope)
    return finalisation_out(ctx.session, f, scope=ctx.principal.scope)


@router.post(
    "/{finalisation_id}/lines/{line_id}/resolve",
    response_model=FinalisationLineOut,
    summary="Resolve a discrepancy (officers of the managing office)",
)
def resolve(
    finalisation_id: FinalisationId, line_id: Annotated[int, Path(ge=1, le=2**62)], body: ResolveIn, tx: Tx
) -> FinalisationLineOut:
    row = finalisation.resolve(tx.session, principal=tx.principal, finalisation_id=finalisation_id,
                               line_id=line_id, outcome=body.outcome, note=body.note)  # fmt: skip
    return line_out(row)
