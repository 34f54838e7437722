"""Conveyance routes: carriers report arrivals and departures with crew and passenger lists (and amend
them); officers read the reports of their units; people's data and its screening are for targeting
officers (and the carrier that sent it), every read audited."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path

from haiquan.conveyances import repository, service, targeting, views
from haiquan.conveyances.schemas import (
    ConveyanceIn,
    ConveyanceOut,
    HitOut,
    PersonOut,
    PersonWatchIn,
    PersonWatchOut,
)
from haiquan.deps import Ctx, Tx
from haiquan.kit.auth import Principal
from haiquan.kit.pagination import clamp_limit
from haiquan.kit.transaction import TransactionRoute

router = APIRouter(prefix="/api/v1", tags=["conveyances"], route_class=TransactionRoute)
ConveyanceId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


def require_reader(principal: Principal) -> None:
    """Reports (not their people): the carrier that sent them, or customs officers of their units."""
    if principal.is_enterprise:
        principal.require_enterprise("carrier")
    else:
        principal.require_officer()


@router.post(
    "/conveyances", status_code=201, response_model=ConveyanceOut,
    summary="Report an arrival or departure with its crew and passenger lists (carriers)",
)  # fmt: skip
def submit(body: ConveyanceIn, tx: Tx) -> ConveyanceOut:
    row = service.submit(tx.session, principal=tx.principal, data=body)
    return views.report_of(tx.session, row, scope=tx.principal.scope, targeting=False)


@router.put(
    "/conveyances/{conveyance_id}", response_model=ConveyanceOut,
    summary="Amend or correct a report: a new version (carriers)",
)  # fmt: skip
def amend(conveyance_id: ConveyanceId, body: ConveyanceIn, tx: Tx) -> ConveyanceOut:
    row = service.amend(tx.session, principal=tx.principal, conveyance_id=conveyance_id, data=body)
    return views.report_of(tx.session, row, scope=tx.principal.scope, targeting=False)


@router.get(
    "/conveyances", response_model=list[ConveyanceOut],
    summary="Arrivals and departures: a carrier's own, or those at an officer's units' ports",
)  # fmt: skip
def listing(
    ctx: Ctx, direction: Literal["arrival", "departure"] | None = None, limit: int = 100
) -> list[ConveyanceOut]:
    p = ctx.principal
    require_reader(p)
    rows = repository.listing(ctx.session, scope=p.scope, direction=direction, limit=clamp_limit(limit))
    flagged = repository.flagged_counts(ctx.session, [r.id for r in rows], scope=p.scope)
    show = targeting.is_targeting(p)
    return [views.report_out(r, flagged=flagged.get(r.id, 0) if show else None) for r in rows]


@router.get("/conveyances/{conveyance_id}", response_model=ConveyanceOut, summary="A report (no people)")
def get(conveyance_id: ConveyanceId, ctx: Ctx) -> ConveyanceOut:
    p = ctx.principal
    require_reader(p)
    row = repository.get(ctx.session, conveyance_id, scope=p.scope)
    return views.report_of(ctx.session, row, scope=p.scope, targeting=targeting.is_targeting(p))


@router.get(
    "/conveyances/{conveyance_id}/persons", response_model=list[PersonOut],
    summary="Crew and passengers of a report (targeting officers, the carrier; audited)",
)  # fmt: skip
def persons(conveyance_id: ConveyanceId, tx: Tx) -> list[PersonOut]:
    """Every read is written to the audit log, so the answer is committed like a change."""
    _, people = targeting.read_persons(tx.session, principal=tx.principal, conveyance_id=conveyance_id)
    return [views.person_out(x) for x in people]


@router.get(
    "/conveyance-screening", response_model=list[HitOut],
    summary="People matching a watch list before arrival, best score first (targeting officers; audited)",
)  # fmt: skip
def screening(tx: Tx, conveyance_id: str | None = None, limit: int = 200) -> list[HitOut]:
    found = targeting.read_hits(
        tx.session, principal=tx.principal, conveyance_id=conveyance_id, limit=clamp_limit(limit)
    )
    return [views.hit_out(h, p, c) for h, p, c in found]


@router.post(
    "/conveyance-watchlist", status_code=201, response_model=PersonWatchOut,
    summary="Put a person on the watch list screened before arrival (targeting officers)",
)  # fmt: skip
def add_watch(body: PersonWatchIn, tx: Tx) -> PersonWatchOut:
    return views.watch_out(targeting.add_watch(tx.session, principal=tx.principal, data=body))
