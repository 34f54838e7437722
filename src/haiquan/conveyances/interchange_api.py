"""EDIFACT routes for carriers' systems: PAXLST (crew and passenger lists) and CUSCAR (cargo report). The
body is the interchange (Content-Type application/EDIFACT or text/plain). The answer is JSON with the
CONTRL acceptance, or, with `Accept: application/EDIFACT`, the CONTRL itself; a rejected interchange
stores nothing and is answered 422: problem+json naming segment, element and component, or a CONTRL
rejection carrying the same place."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Body, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from haiquan.cargo.api import manifest_out, scorer_of
from haiquan.cargo.schemas import ManifestOut
from haiquan.conveyances import inbound, views
from haiquan.conveyances.schemas import ConveyanceOut
from haiquan.deps import Tx
from haiquan.interchange import contrl, edifact
from haiquan.interchange.contrl import Received
from haiquan.interchange.edifact import Interchange
from haiquan.interchange.errors import EdifactError
from haiquan.kit import clock
from haiquan.kit.transaction import Transaction, TransactionRoute
from haiquan.risk.prearrival import with_profiles

router = APIRouter(prefix="/api/v1/interchange", tags=["conveyances"], route_class=TransactionRoute)
EDIFACT = "application/EDIFACT"
MAX_BYTES = 8_000_000
EdifactText = Annotated[
    str,
    Body(media_type=EDIFACT, max_length=MAX_BYTES, description="A UN/EDIFACT interchange, UNA/UNB to UNZ"),
]


class PaxlstAccepted(BaseModel):
    conveyance: ConveyanceOut
    contrl: str = Field(description="CONTRL accepting the interchange (UCI action 7)")


class CuscarAccepted(BaseModel):
    manifests: list[ManifestOut]
    contrl: str = Field(description="CONTRL accepting the interchange (UCI action 7)")


def _wants_edifact(request: Request) -> bool:
    return "application/edifact" in request.headers.get("accept", "").lower()


def _reference() -> str:
    return clock.now().strftime("%y%m%d%H%M%S%f")[:14]


def _answer(
    tx: Transaction, text: str, build: Callable[[Interchange], BaseModel], status: int
) -> BaseModel | Response:
    """Parse, then map and store; on a refusal roll back (nothing stored) and answer CONTRL or problem+json."""
    ic: Interchange | None = None
    try:
        ic = edifact.parse(text)
        out = build(ic)
    except EdifactError as exc:
        tx.uow.rollback()
        if not _wants_edifact(tx.request):
            raise
        received = Received.of(ic) if ic is not None else Received()
        return Response(
            contrl.reject(exc, received, reference=_reference()), status_code=422, media_type=EDIFACT
        )
    if _wants_edifact(tx.request):
        return Response(
            contrl.acknowledge(ic, reference=_reference()), status_code=status, media_type=EDIFACT
        )
    return out


_CONTRL = {
    "content": {EDIFACT: {"schema": {"type": "string"}}},
    "description": "CONTRL (Accept: application/EDIFACT)",
}


@router.post(
    "/paxlst", status_code=201, response_model=PaxlstAccepted, responses={422: _CONTRL},
    summary="Crew and passenger list as PAXLST (D.02B/D.05B): a report received or amended (carriers)",
)  # fmt: skip
def receive_paxlst(message: EdifactText, tx: Tx) -> BaseModel | Response:
    def build(ic: Interchange) -> BaseModel:
        row = inbound.receive_paxlst(tx.session, principal=tx.principal, ic=ic)
        report = views.report_of(tx.session, row, scope=tx.principal.scope, targeting=False)
        return PaxlstAccepted(conveyance=report, contrl=contrl.acknowledge(ic, reference=_reference()))

    return _answer(tx, message, build, 201)


@router.post(
    "/cuscar", status_code=201, response_model=CuscarAccepted, responses={422: _CONTRL},
    summary="Cargo report as CUSCAR (D.96B/D.01B): the e-manifest received or replaced (carriers)",
)  # fmt: skip
def receive_cuscar(message: EdifactText, tx: Tx, request: Request) -> BaseModel | Response:
    def build(ic: Interchange) -> BaseModel:
        scorer = with_profiles(scorer_of(request), tx.session)
        rows = inbound.receive_cuscar(tx.session, principal=tx.principal, ic=ic, scorer=scorer)
        out = [manifest_out(tx.session, m, scope=tx.principal.scope) for m in rows]
        return CuscarAccepted(manifests=out, contrl=contrl.acknowledge(ic, reference=_reference()))

    return _answer(tx, message, build, 201)
