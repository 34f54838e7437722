"""EDIFACT routes for carriers' systems: PAXLST (crew and passenger lists) and CUSCAR (cargo report), as
the interchange module answers CUSDEC: the body is the interchange (Content-Type application/EDIFACT or
text/plain); the answer is the CONTRL acceptance (201), or with `Accept: application/json` the report or
manifests stored, as JSON with the CONTRL. A rejected interchange stores nothing and is answered with the
`200` and a CONTRL rejection naming segment, element and component (the HTTP exchange succeeded; every
HTTP error stays problem+json, as for CUSDEC: decision 0036), or with `Accept: application/problem+json`
(or `application/json`) by problem+json with the error's status (422) naming the same place."""

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
from haiquan.interchange.errors import EDIFACT_TYPES, EdifactError, UnsupportedMediaType
from haiquan.kit import clock
from haiquan.kit.transaction import Transaction, TransactionRoute
from haiquan.risk.prearrival import with_profiles

router = APIRouter(prefix="/api/v1/interchange", tags=["interchange"], route_class=TransactionRoute)
EDIFACT = "application/EDIFACT"  # the answer's media type
MAX_BYTES = 8_000_000
EdifactText = Annotated[
    str,
    Body(
        media_type=EDIFACT_TYPES[0],
        max_length=MAX_BYTES,
        description="A UN/EDIFACT interchange, UNA/UNB to UNZ",
    ),
]


class PaxlstAccepted(BaseModel):
    conveyance: ConveyanceOut
    contrl: str = Field(description="CONTRL accepting the interchange (UCI action 7)")


class CuscarAccepted(BaseModel):
    manifests: list[ManifestOut]
    contrl: str = Field(description="CONTRL accepting the interchange (UCI action 7)")


def _reference() -> str:
    return clock.now().strftime("%y%m%d%H%M%S%f")[:14]


def _answer(
    tx: Transaction, text: str, build: Callable[[Interchange], BaseModel], status: int
) -> BaseModel | Response:
    """Parse, then map and store; on a refusal roll back (nothing stored) and answer CONTRL or problem+json."""
    tx.principal.require_enterprise("carrier")  # before reading a stranger's message
    accept = tx.request.headers.get("accept", "").lower()
    given = tx.request.headers.get("content-type", "").split(";")[0].strip().lower()
    if given not in EDIFACT_TYPES:
        raise UnsupportedMediaType(f"send Content-Type {' or '.join(EDIFACT_TYPES)}", field="Content-Type")
    ic: Interchange | None = None
    try:
        ic = edifact.parse(text)
        out = build(ic)
    except EdifactError as exc:
        tx.uow.rollback()
        if "json" in accept:  # application/problem+json or application/json
            raise
        received = Received.of(ic) if ic is not None else Received.from_text(text)
        return Response(contrl.reject(exc, received, reference=_reference()), REFUSED, media_type=EDIFACT)
    if "application/json" in accept:
        return out
    return Response(contrl.acknowledge(ic, reference=_reference()), status, media_type=EDIFACT)


# also offered as text/plain (EDIFACT_TYPES), as the CUSDEC route is: what generated clients can send
_TEXT_BODY = {
    "requestBody": {
        "content": {"text/plain": {"schema": {"type": "string", "description": "A UN/EDIFACT interchange"}}}
    }
}
_CONTRL = {
    "content": {EDIFACT: {"schema": {"type": "string"}}},
    "description": "Accepted and stored: the CONTRL acceptance (or with Accept: application/json, what was stored)",
}
_REFUSED = {
    "content": {EDIFACT: {"schema": {"type": "string"}}},
    "description": "Refused, nothing stored: the CONTRL rejection naming segment, element and component",
}
_PROBLEM = {
    "description": "Refused, with Accept: application/problem+json or application/json (problem+json)"
}
REFUSED = 200  # the interchange answered (a rejection), nothing stored; HTTP errors stay problem+json


@router.post(
    "/paxlst", status_code=201, response_model=PaxlstAccepted, openapi_extra=_TEXT_BODY, responses={201: _CONTRL, 200: _REFUSED, 415: {"description": "Another Content-Type (problem+json)"}, 422: _PROBLEM},
    summary="Crew and passenger list as PAXLST (D.02B/D.05B): a report received or amended (carriers)",
)  # fmt: skip
def receive_paxlst(message: EdifactText, tx: Tx) -> BaseModel | Response:
    def build(ic: Interchange) -> BaseModel:
        row = inbound.receive_paxlst(tx.session, principal=tx.principal, ic=ic)
        report = views.report_of(tx.session, row, scope=tx.principal.scope, targeting=False)
        return PaxlstAccepted(conveyance=report, contrl=contrl.acknowledge(ic, reference=_reference()))

    return _answer(tx, message, build, 201)


@router.post(
    "/cuscar", status_code=201, response_model=CuscarAccepted, openapi_extra=_TEXT_BODY, responses={201: _CONTRL, 200: _REFUSED, 415: {"description": "Another Content-Type (problem+json)"}, 422: _PROBLEM},
    summary="Cargo report as CUSCAR (D.96B/D.01B): the e-manifest received or replaced (carriers)",
)  # fmt: skip
def receive_cuscar(message: EdifactText, tx: Tx, request: Request) -> BaseModel | Response:
    def build(ic: Interchange) -> BaseModel:
        scorer = with_profiles(scorer_of(request), tx.session)
        rows = inbound.receive_cuscar(tx.session, principal=tx.principal, ic=ic, scorer=scorer)
        out = [manifest_out(tx.session, m, scope=tx.principal.scope) for m in rows]
        return CuscarAccepted(manifests=out, contrl=contrl.acknowledge(ic, reference=_reference()))

    return _answer(tx, message, build, 201)
