"""Supervision routes: terminal messages (JSON and signed XML), status look-ups, the operator registry,
transits and alerts (signing certificates: supervision.keys_api)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from pydantic import ValidationError

from haiquan.deps import Credentials, Ctx, Tx, look_up
from haiquan.kit.errors import ValidationFailed
from haiquan.kit.pagination import clamp_limit
from haiquan.kit.transaction import TransactionRoute
from haiquan.supervision import alerts, fastpath, keys, registry, repository, status, transit, xmlmessages
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
    RejectedOut,
    StatusOut,
    SurveyIn,
    TransitIn,
    TransitOut,
    errors_of,
)
from haiquan.supervision.tables import AlertRow, OperatorRow

AlertStatus = Literal["open", "acknowledged", "closed"]

AlertId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Alert id")]
router = APIRouter(prefix="/api/v1", tags=["supervision"], route_class=TransactionRoute)
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
def terminal_messages(request: Request, raw: RawBody, tx: Tx) -> BatchOut:
    xml = "xml" in request.headers.get("content-type", "")
    if xml:
        op = registry.connected_operator(tx.session, tx.principal)
        incoming = xmlmessages.parse_batch(raw, keys.signing_keys(tx.session, op))
    else:
        incoming = [Incoming(m) for m in _json_batch(raw).messages]
    results = apply_batch(
        tx.session, principal=tx.principal, incoming=incoming, fmt="xml" if xml else "json", signed=xml
    )
    return _summary(results)


def _json_batch(raw: bytes) -> BatchIn:
    try:
        return BatchIn.model_validate_json(raw)
    except ValidationError as exc:
        errs = [{"field": e["field"], "message": e["message"]} for e in errors_of(exc.errors(), "body")]
        raise ValidationFailed(
            f"{errs[0]['field']}: {errs[0]['message']}", field=errs[0]["field"], errors=errs
        ) from exc


@router.get(
    "/terminal-messages/rejected",
    response_model=list[RejectedOut],
    summary="Messages kept for review (the operator's own; officers by unit)",
)
def rejected(ctx: Ctx, limit: int = 100) -> list[RejectedOut]:
    if ctx.principal.is_enterprise:
        registry.operator_of(ctx.session, ctx.principal)  # a terminal operator's system only
    return [
        RejectedOut(
            id=r.id,
            message_id=r.message_id,
            format=r.format,
            errors=r.errors,
            raw=r.raw,
            received_at=r.received_at.isoformat(),
        )
        for r in repository.rejected(ctx.session, scope=ctx.principal.scope, limit=clamp_limit(limit))
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
def add_operator(body: OperatorIn, tx: Tx) -> OperatorOut:
    return operator_out(tx.session, registry.add_operator(tx.session, principal=tx.principal, data=body))


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
def survey(operator_id: OperatorId, body: SurveyIn, tx: Tx) -> OperatorOut:
    op = registry.record_survey(tx.session, principal=tx.principal, operator_id=operator_id, data=body)
    return operator_out(tx.session, op)


@router.post(
    "/terminal-operators/{operator_id}/connection",
    response_model=OperatorOut,
    summary="Move the connection: surveyed → testing → live",
)
def connection(operator_id: OperatorId, body: ConnectionIn, tx: Tx) -> OperatorOut:
    op = registry.set_connection(tx.session, principal=tx.principal, operator_id=operator_id, data=body)
    return operator_out(tx.session, op)


@router.post(
    "/terminal-operators/{operator_id}/locations",
    status_code=201,
    response_model=OperatorOut,
    summary="Add a controlled location",
)
def add_location(operator_id: OperatorId, body: LocationIn, tx: Tx) -> OperatorOut:
    loc = registry.add_location(tx.session, principal=tx.principal, operator_id=operator_id, data=body)
    return operator_out(tx.session, registry.get_operator(tx.session, tx.principal, loc.operator_id))


@router.post("/transits", status_code=201, response_model=TransitOut, summary="Permit a transit (officers)")
def add_transit(body: TransitIn, tx: Tx) -> TransitOut:
    return status.transit_out(transit.permit(tx.session, principal=tx.principal, data=body))


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


@router.get("/supervision/alerts", response_model=list[AlertOut], summary="Alerts of the caller's units")
def get_alerts(
    ctx: Ctx, status: AlertStatus | None = None, kind: AlertKind | None = None, limit: int = 100
) -> list[AlertOut]:
    ctx.principal.require_officer()
    found = repository.alerts(
        ctx.session, scope=ctx.principal.scope, status=status, kind=kind, limit=clamp_limit(limit)
    )
    return [alert_out(a) for a in found]


@router.post(
    "/supervision/alerts/{alert_id}/acknowledge", response_model=AlertOut, summary="Acknowledge an alert"
)
def acknowledge(alert_id: AlertId, body: AlertActionIn, tx: Tx) -> AlertOut:
    return alert_out(
        alerts.acknowledge(tx.session, principal=tx.principal, alert_id=alert_id, note=body.note)
    )


@router.post(
    "/supervision/alerts/{alert_id}/close", response_model=AlertOut, summary="Close an alert with a note"
)
def close(alert_id: AlertId, body: AlertActionIn, tx: Tx) -> AlertOut:
    return alert_out(alerts.close(tx.session, principal=tx.principal, alert_id=alert_id, note=body.note))
