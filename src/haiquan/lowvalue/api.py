"""Low-value routes: express companies' manifests and the post's dispatches lodged in bulk (up to 5,000
items, an answer per item), parcels read, held, released and turned red. Served by the low-value writer
and its own admission limit (lowvalue.runtime, decision 0024), never the commercial writer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from haiquan.deps import ChangeContext, ChangeCtx, Ctx
from haiquan.kit.auth import EnterpriseRole, Principal
from haiquan.kit.errors import Busy, Conflict, DomainError
from haiquan.kit.groupcommit import Change, Work
from haiquan.kit.pagination import clamp_limit
from haiquan.kit.transaction import TransactionRoute
from haiquan.lowvalue import intake, service
from haiquan.lowvalue.domain import Command, Lane, Status
from haiquan.lowvalue.runtime import LowValue
from haiquan.lowvalue.schemas import (
    BulkOut,
    ExpressManifestIn,
    ParcelOut,
    ParcelPage,
    PostalDispatchIn,
    ReasonIn,
)

router = APIRouter(prefix="/api/v1/lowvalue", tags=["lowvalue"], route_class=TransactionRoute)
Number = Annotated[str, Path(pattern=r"^\d{12}$", description="12-digit low-value declaration number")]


def _runtime(request: Request) -> LowValue:
    lv: LowValue = request.app.state.lowvalue
    if not lv.settings.lowvalue_serve:
        raise DomainError(
            "low-value goods are served by the low-value workers: send this request to them",
            code="lowvalue_elsewhere",
            status=503,
        )
    return lv


async def _submit(ctx: ChangeContext, lv: LowValue, work: Work) -> Response:
    idem = ctx.idempotency
    answer = await lv.writer.submit_async(Change(work, ctx.principal.key, idem.key, idem.request_hash, 200))
    ctx.request.app.state.dispatcher_wake()
    headers = {"Idempotent-Replay": "true"} if answer.replay else None
    return Response(answer.body, answer.status_code, headers=headers, media_type="application/json")


def _prepare(lv: LowValue, body: ExpressManifestIn | PostalDispatchIn) -> intake.Prepared:
    """On the low-value connections (their own pool), never the commercial ones."""
    with lv.db.reading() as uow:
        watched = lv.watched(uow.session)
        return intake.prepare(uow.session, body=body, thresholds=lv.thresholds, watched=watched)


async def _bulk(ctx: ChangeContext, body: ExpressManifestIn | PostalDispatchIn) -> Response:
    lv = _runtime(ctx.request)
    ctx.principal.require_enterprise(EnterpriseRole.CARRIER)
    intake.check_size(len(body.items))
    why = await lv.gate.enter()
    if why is not None:
        raise Busy(f"the low-value path is busy ({why}): send the bulk again after Retry-After seconds")
    try:
        prepared = await run_in_threadpool(_prepare, lv, body)
        return await _submit(ctx, lv, intake.LodgeBulk(ctx.principal, prepared))
    except IntegrityError:  # the same parcel key lodged by another worker at the same moment
        raise Conflict(
            "a parcel of this bulk was lodged meanwhile by another request; nothing was changed: send the "
            "bulk again (the parcels already lodged get their first answer)",
            code="concurrent_bulk",
        ) from None
    finally:
        lv.gate.leave()


@router.post(
    "/express-manifests", response_model=BulkOut, summary="An express manifest and its low-value declarations"
)
async def express_manifest(body: ExpressManifestIn, ctx: ChangeCtx) -> Response:
    """A master air waybill and up to 5,000 house air waybills, each a low-value declaration (MIC on
    import, MEC on export). Each item is answered on its own, in order: accepted with its number and lane,
    or rejected naming its field. An item sent again (same house AWB, same content) gets its first answer."""
    return await _bulk(ctx, body)


@router.post("/postal-dispatches", response_model=BulkOut, summary="A postal dispatch and its items")
async def postal_dispatch(body: PostalDispatchIn, ctx: ChangeCtx) -> Response:
    """The national post's dispatch, its bags and up to 5,000 items, answered per item as an express
    manifest is (the key is the item's UPU id)."""
    return await _bulk(ctx, body)


@router.get("/parcels", response_model=ParcelPage, summary="Parcels in the caller's scope")
def parcels(
    ctx: Ctx,
    manifest: str | None = None,
    status: Status | None = None,
    lane: Lane | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> ParcelPage:
    lv = _runtime(ctx.request)
    with lv.db.reading() as uow:
        return service.search(
            uow.session,
            scope=ctx.principal.scope,
            manifest_id=manifest,
            status=status,
            lane=lane,
            after=cursor,
            limit=clamp_limit(limit),
        )


@router.get("/parcels/{number}", response_model=ParcelOut, summary="One parcel")
def parcel(number: Number, ctx: Ctx) -> ParcelOut:
    lv = _runtime(ctx.request)
    with lv.db.reading() as uow:
        return service.parcel(uow.session, number=number, scope=ctx.principal.scope)


async def _act(ctx: ChangeContext, command: Command, number: str, body: ReasonIn, officers: bool) -> Response:
    lv = _runtime(ctx.request)
    p: Principal = ctx.principal
    if officers:
        p.require_officer()
    elif not p.is_officer:
        p.require_enterprise(EnterpriseRole.CARRIER)
    return await _submit(ctx, lv, service.ParcelAction(p, command, number, body.reason))


@router.post("/parcels/{number}/hold", response_model=ParcelOut, summary="Hold a parcel")
async def hold(number: Number, body: ReasonIn, ctx: ChangeCtx) -> Response:
    """An officer, or the express company whose parcel it is (its scanner flagged it)."""
    return await _act(ctx, Command.HOLD, number, body, officers=False)


@router.post("/parcels/{number}/release", response_model=ParcelOut, summary="Release a held parcel")
async def release(number: Number, body: ReasonIn, ctx: ChangeCtx) -> Response:
    return await _act(ctx, Command.RELEASE, number, body, officers=True)


@router.post("/parcels/{number}/red", response_model=ParcelOut, summary="Turn a parcel red")
async def red(number: Number, body: ReasonIn, ctx: ChangeCtx) -> Response:
    """Physical inspection: the lane becomes red and the parcel is held until released."""
    return await _act(ctx, Command.TURN_RED, number, body, officers=True)
