"""Transits declared by the trader: the enterprise declares and follows its own; the departure office
accepts or refuses; the destination office sees the transits coming to it and closes them on arrival."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from haiquan.deps import Ctx, Tx
from haiquan.kit.pagination import clamp_limit
from haiquan.kit.transaction import TransactionRoute
from haiquan.supervision import transit_declarations, transit_foreign
from haiquan.supervision.schemas import (
    TransitArrivalIn,
    TransitDeclarationIn,
    TransitDeclarationOut,
    TransitRefuseIn,
)
from haiquan.supervision.transit_events import out
from haiquan.supervision.transit_rules import TransitStatus

router = APIRouter(prefix="/api/v1/transit-declarations", tags=["supervision"], route_class=TransactionRoute)
TransitId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The transit's id")]
Direction = Literal["arriving", "leaving"]


@router.post("", status_code=201, response_model=TransitDeclarationOut, summary="Declare a transit (traders)")
def declare(body: TransitDeclarationIn, tx: Tx) -> TransitDeclarationOut:
    return out(transit_declarations.declare(tx.session, principal=tx.principal, data=body))


@router.get("", response_model=list[TransitDeclarationOut], summary="Transits in the caller's scope")
def listing(
    ctx: Ctx,
    status: TransitStatus | None = None,
    direction: Annotated[Direction | None, Query(description="An officer's: to or from its units")] = None,
    limit: int = 100,
) -> list[TransitDeclarationOut]:
    # this node's and those declared on another node for the officer's offices (decision 0039)
    return transit_foreign.listing(
        ctx.session,
        scope=ctx.principal.scope,
        status=status.value if status else None,
        arriving=None if direction is None else direction == "arriving",
        limit=clamp_limit(limit),
    )


@router.get("/{transit_id}", response_model=TransitDeclarationOut, summary="A transit")
def one(transit_id: TransitId, ctx: Ctx) -> TransitDeclarationOut:
    return transit_foreign.find(ctx.session, transit_id, scope=ctx.principal.scope)


@router.post(
    "/{transit_id}/accept", response_model=TransitDeclarationOut, summary="Accept (departure office)"
)
def accept(transit_id: TransitId, tx: Tx) -> TransitDeclarationOut:
    return out(transit_declarations.accept(tx.session, principal=tx.principal, transit_id=transit_id))


@router.post(
    "/{transit_id}/refuse", response_model=TransitDeclarationOut, summary="Refuse (departure office)"
)
def refuse(transit_id: TransitId, body: TransitRefuseIn, tx: Tx) -> TransitDeclarationOut:
    t = transit_declarations.refuse(
        tx.session, principal=tx.principal, transit_id=transit_id, reason=body.reason
    )
    return out(t)


@router.post("/{transit_id}/cancel", response_model=TransitDeclarationOut, summary="Cancel (the trader)")
def cancel(transit_id: TransitId, tx: Tx) -> TransitDeclarationOut:
    return out(transit_declarations.cancel(tx.session, principal=tx.principal, transit_id=transit_id))


@router.post(
    "/{transit_id}/arrival",
    response_model=TransitDeclarationOut,
    summary="Close on arrival (destination office)",
)
def arrival(transit_id: TransitId, body: TransitArrivalIn, tx: Tx) -> TransitDeclarationOut:
    return transit_foreign.close(tx.session, principal=tx.principal, transit_id=transit_id, data=body)
