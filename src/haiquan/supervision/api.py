"""Supervision routes: terminal messages (JSON and signed XML), status look-ups, the operator registry,
transits and alerts (signing certificates: supervision.keys_api)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import select

from haiquan.deps import Credentials, Ctx, look_up
from haiquan.kit.errors import ValidationFailed
from haiquan.kit.pagination import clamp_limit
from haiquan.supervision import alerts, fastpath, keys, registry, status, transit, xmlmessages
from haiquan.supervision.domain import AlertKind
from haiquan.supervision.movements import Incoming, apply_batch
from haiquan.supervision.schemas import (
    AlertActionIn,
    AlertOut,
    BatchIn,
    BatchOut,
    ConnectionIn,
    LocationIn,
    OperatorIn,
    OperatorOut,
    StatusOut,
    SurveyIn,
    TransitIn,
    TransitOut,
    errors_of,
)
from haiquan.supervision.tables import AlertRow, OperatorRow, RejectedMessageRow

AlertStatus = Literal["open", "acknowledged", "closed"]

AlertId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Alert id")]
router = APIRouter(prefix="/api/v1", tags=["supervision"])
OperatorId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


async def _raw_body(request: Request) -> bytes:
    return await request.body()


RawBody = Annotated[bytes, Depends(_raw_body)]

_MESSAGES_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": BatchIn.model_json_schema()},
            "application/xml": {
                "schema": {"type": "string", "description": "TerminalMessages, each Message signed"}
            },
        },
    }
}


def _summary(results: list[Any]) -> BatchOut:
    count = {
        s: sum(1 for r in results if r.status == s) for s in ("applied", "refused", "duplicate", "error")
    }
    return BatchOut(
        received=len(results),
        applied=count["applied"],
        refused=count["refused"],
        duplicates=count["duplicate"],
        errors=count["error"],
        results=results,
    )


@router.post(
    "/terminal-messages",
    response_model=BatchOut,
    openapi_extra=_MESSAGES_DOC,
    summary="Get-In / Get-Out / stock messages, up to 1,000 per batch (JSON, or signed XML)",
)
def terminal_messages(request: Request, raw: RawBody, ctx: Ctx) -> object:
    xml = "xml" in request.headers.get("content-type", "")
    body: Any
    if xml:
        body = raw.decode("utf-8", "replace")
    else:
        try:
            body = BatchIn.model_validate_json(raw)
        except ValidationError as exc:
            errs = [{"field": e["field"], "message": e["message"]} for e in errors_of(exc.errors(), "body")]
            raise ValidationFailed(
                f"{errs[0]['field']}: {errs[0]['message']}", field=errs[0]["field"], errors=errs
            ) from exc

    def run() -> BatchOut:
        if xml:
            op = registry.connected_operator(ctx.session, ctx.principal)
            incoming = xmlmessages.parse_batch(raw, keys.signing_keys(ctx.session, op))
        else:
            incoming = [Incoming(m) for m in body.messages]
        results = apply_batch(
            ctx.session, principal=ctx.principal, incoming=incoming, fmt="xml" if xml else "json", signed=xml
        )
        return _summary(results)

    return ctx.respond(run, body=body)


@router.get(
    "/terminal-messages/rejected", summary="Messages kept for review (the operator's own; officers by unit)"
)
def rejected(ctx: Ctx, limit: int = 100) -> list[dict[str, Any]]:
    q = select(RejectedMessageRow).order_by(RejectedMessageRow.id.desc()).limit(clamp_limit(limit))
    if ctx.principal.is_enterprise:
        q = q.where(RejectedMessageRow.operator_id == registry.operator_of(ctx.session, ctx.principal).id)
    elif ctx.principal.scope.units is not None:
        ops = select(OperatorRow.id).where(OperatorRow.unit.in_(ctx.principal.scope.units))
        q = q.where(RejectedMessageRow.operator_id.in_(ops))
    return [
        {
            "id": r.id,
            "message_id": r.message_id,
            "format": r.format,
            "errors": r.errors,
            "raw": r.raw,
            "received_at": r.received_at.isoformat(),
        }
        for r in ctx.session.scalars(q)
    ]


@router.get(
    "/consignments/{ident}/status",
    response_model=StatusOut,
    summary="May the goods leave? By bill / air waybill number or consignment id",
)
async def consignment_status(
    ident: Annotated[str, Path(max_length=60)], request: Request, creds: Credentials
) -> Response:
    """Normally answered by supervision.fastpath before routing; the same answer here."""
    return await look_up(request, creds, lambda s, p: fastpath.consignment_answer(s, p, ident))


@router.get("/containers/{number}/status", response_model=StatusOut, summary="May this container leave?")
async def container_status(
    number: Annotated[str, Path(max_length=11)], request: Request, creds: Credentials
) -> Response:
    """Normally answered by supervision.fastpath before routing; the same answer here."""
    return await look_up(request, creds, lambda s, p: fastpath.container_answer(s, p, number))


def operator_out(
    session: Any, op: OperatorRow, rank: int | None = None, score: float | None = None
) -> OperatorOut:
    locs = registry.locations_of(session, [op.id]).get(op.id, [])
    return OperatorOut(
        id=op.id,
        tax_code=op.tax_code,
        name=op.name,
        unit=op.unit,
        connection_status=op.connection_status,
        transactions_per_day=op.transactions_per_day,
        annual_teu=op.annual_teu,
        annual_tonnes=op.annual_tonnes,
        declarations_per_year=op.declarations_per_year,
        it_readiness=op.it_readiness,
        locations=sorted(locs),
        rank=rank,
        score=score,
    )


@router.post(
    "/terminal-operators", status_code=201, response_model=OperatorOut, summary="Register an operator"
)
def add_operator(body: OperatorIn, ctx: Ctx) -> object:
    return ctx.respond(
        lambda: operator_out(
            ctx.session, registry.add_operator(ctx.session, principal=ctx.principal, data=body)
        ),
        status_code=201,
        body=body,
    )


@router.get("/terminal-operators", response_model=list[OperatorOut], summary="Roll-out ranking (officers)")
def ranking(ctx: Ctx, unit: str | None = None) -> list[OperatorOut]:
    ranked = registry.ranking(ctx.session, ctx.principal, unit=unit)
    locs = registry.locations_of(ctx.session, [op.id for op, _ in ranked])
    return [
        OperatorOut(
            id=op.id,
            tax_code=op.tax_code,
            name=op.name,
            unit=op.unit,
            connection_status=op.connection_status,
            transactions_per_day=op.transactions_per_day,
            annual_teu=op.annual_teu,
            annual_tonnes=op.annual_tonnes,
            declarations_per_year=op.declarations_per_year,
            it_readiness=op.it_readiness,
            locations=sorted(locs.get(op.id, [])),
            rank=r.rank,
            score=r.score,
        )
        for op, r in ranked
    ]


@router.post(
    "/terminal-operators/{operator_id}/survey", response_model=OperatorOut, summary="Record the survey"
)
def survey(operator_id: OperatorId, body: SurveyIn, ctx: Ctx) -> object:
    return ctx.respond(
        lambda: operator_out(
            ctx.session,
            registry.record_survey(ctx.session, principal=ctx.principal, operator_id=operator_id, data=body),
        ),
        body=body,
    )


@router.post(
    "/terminal-operators/{operator_id}/connection",
    response_model=OperatorOut,
    summary="Move the connection: surveyed → testing → live",
)
def connection(operator_id: OperatorId, body: ConnectionIn, ctx: Ctx) -> object:
    return ctx.respond(
        lambda: operator_out(
            ctx.session,
            registry.set_connection(ctx.session, principal=ctx.principal, operator_id=operator_id, data=body),
        ),
        body=body,
    )


@router.post(
    "/terminal-operators/{operator_id}/locations",
    status_code=201,
    response_model=OperatorOut,
    summary="Add a controlled location",
)
def add_location(operator_id: OperatorId, body: LocationIn, ctx: Ctx) -> object:
    def run() -> OperatorOut:
        loc = registry.add_location(ctx.session, principal=ctx.principal, operator_id=operator_id, data=body)
        ctx.session.flush()
        return operator_out(ctx.session, registry.get_operator(ctx.session, ctx.principal, loc.operator_id))

    return ctx.respond(run, status_code=201, body=body)


@router.post("/transits", status_code=201, response_model=TransitOut, summary="Permit a transit (officers)")
def add_transit(body: TransitIn, ctx: Ctx) -> object:
    return ctx.respond(
        lambda: status.transit_out(transit.permit(ctx.session, principal=ctx.principal, data=body)),
        status_code=201,
        body=body,
    )


@router.get("/transits/{transit_id}", response_model=TransitOut, summary="A transit (officers)")
def get_transit(transit_id: OperatorId, ctx: Ctx) -> TransitOut:
    return status.transit_out(transit.get(ctx.session, principal=ctx.principal, transit_id=transit_id))


def alert_out(a: AlertRow) -> AlertOut:
    vi, en = alerts.title(a.kind)
    return AlertOut(
        id=a.id,
        kind=a.kind,
        title=en,
        title_vi=vi,
        unit=a.unit,
        goods_id=a.goods_id,
        container=a.container,
        location_code=a.location_code,
        message=a.message_en,
        message_vi=a.message_vi,
        detail=dict(a.detail),
        status=a.status,
        raised_at=a.raised_at,
        acknowledged_by=a.acknowledged_by,
        closed_by=a.closed_by,
        note=a.note,
    )


def list_alerts(ctx: Ctx, status_: str | None, kind: str | None, limit: int) -> list[AlertRow]:
    ctx.principal.require_officer()
    q = select(AlertRow).order_by(AlertRow.id.desc()).limit(clamp_limit(limit))
    if ctx.principal.scope.units is not None:
        q = q.where(AlertRow.unit.in_(ctx.principal.scope.units))
    if status_:
        q = q.where(AlertRow.status == status_)
    if kind:
        q = q.where(AlertRow.kind == kind)
    return list(ctx.session.scalars(q))


@router.get("/supervision/alerts", response_model=list[AlertOut], summary="Alerts of the caller's units")
def get_alerts(
    ctx: Ctx, status: AlertStatus | None = None, kind: AlertKind | None = None, limit: int = 100
) -> list[AlertOut]:
    return [alert_out(a) for a in list_alerts(ctx, status, kind, limit)]


@router.post(
    "/supervision/alerts/{alert_id}/acknowledge", response_model=AlertOut, summary="Acknowledge an alert"
)
def acknowledge(alert_id: AlertId, body: AlertActionIn, ctx: Ctx) -> object:
    return ctx.respond(
        lambda: alert_out(
            alerts.acknowledge(ctx.session, principal=ctx.principal, alert_id=alert_id, note=body.note)
        ),
        body=body,
    )


@router.post(
    "/supervision/alerts/{alert_id}/close", response_model=AlertOut, summary="Close an alert with a note"
)
def close(alert_id: AlertId, body: AlertActionIn, ctx: Ctx) -> object:
    return ctx.respond(
        lambda: alert_out(
            alerts.close(ctx.session, principal=ctx.principal, alert_id=alert_id, note=body.note)
        ),
        body=body,
    )
