"""Declarations lodged as messages: a broker lodges a declaration as EDIFACT CUSDEC or WCO Data Model
XML and is answered CUSRES or the WCO response; haiquan.interchange maps the message and lodges it through
the JSON API's own services (interchange.lodging.LodgeAndRegister).

Refusals: a syntax or envelope error is answered by a CONTRL rejection; an error in the declaration (its
content, or the service's refusal) by a CUSRES (or WCO response) rejection naming the place. The HTTP
exchange itself succeeded, so these answers are `200` (`201` only when a declaration was stored), as EDI
partners read the message's answer; every HTTP error (4xx) stays problem+json like everywhere else. A
caller that sends `Accept: application/problem+json` gets the refusal as problem+json with the error's
status (422 mostly). Authentication and scope errors are problem+json. Nothing is stored from a refusal."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import RootModel

from haiquan.declarations.schemas import DeclarationOut
from haiquan.deps import ChangeCtx
from haiquan.interchange import contrl, cusdec, cusres, edifact, wco, wco_response
from haiquan.interchange.errors import EDIFACT_TYPES, EdifactError, Syntax, UnsupportedMediaType, XmlError
from haiquan.interchange.lodging import LodgeAndRegister
from haiquan.interchange.writer import Outgoing, Writer
from haiquan.kit import clock
from haiquan.kit.domain_errors import DomainError
from haiquan.kit.transaction import TransactionRoute

router = APIRouter(prefix="/api/v1/interchange", tags=["interchange"], route_class=TransactionRoute)
EDIFACT = "application/EDIFACT"
XML_TYPES = ("application/xml", "text/xml")
REFUSED = 200  # the message answered (a rejection), nothing stored; HTTP errors stay problem+json


def _answers(media: str) -> dict[int | str, dict[str, Any]]:
    text = {media: {"schema": {"type": "string"}}}
    return {
        201: {"description": "Accepted and registered: the answer carries the number and the lane", "content": text},
        200: {"description": "Refused, nothing stored: the CONTRL/CUSRES rejection (or the WCO response, "
              "FunctionCode 27) names the place", "content": text},
        422: {"description": "Refused, with `Accept: application/problem+json` (problem+json naming the place)"},
        415: {"description": "Another Content-Type than the route reads (problem+json)"},
    }  # fmt: skip


def _doc(media: tuple[str, ...], what: str) -> dict[str, Any]:
    content = {m: {"schema": {"type": "string", "description": what}} for m in media}
    return {"requestBody": {"required": True, "content": content}}


class EdifactText(RootModel[str]):
    """An EDIFACT interchange: the CUSRES (or the CONTRL of a rejection)."""


class XmlText(RootModel[str]):
    """A WCO Data Model response (XML)."""


class EdifactResponse(Response):
    media_type = EDIFACT


class XmlResponse(Response):
    media_type = "application/xml"


def _check_type(ctx: ChangeCtx, allowed: tuple[str, ...]) -> None:
    """The caller may lodge (a 403 before the body is read, as problem+json) and sent what the route reads."""
    ctx.principal.require_enterprise("declarant")
    given = ctx.request.headers.get("content-type", "").split(";")[0].strip().lower()
    if given not in allowed:
        raise UnsupportedMediaType(f"send Content-Type {' or '.join(allowed)}", field="Content-Type")


def _wants_problem(ctx: ChangeCtx) -> bool:
    return "application/problem+json" in ctx.request.headers.get("accept", "")


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")  # UNOC (ISO 8859-1) sent as such


def _reference() -> str:
    return uuid.uuid4().hex[:14].upper()


def _edifact(text: str, status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(text, status, headers=headers, media_type=EDIFACT)


async def _lodge(ctx: ChangeCtx, decl: Any) -> tuple[DeclarationOut, dict[str, str] | None]:
    work = LodgeAndRegister(ctx.principal, decl, ctx.settings.declaration_keep_days,
                            ctx.request.app.state.channel_engine)  # fmt: skip
    answer = await ctx.submit(work, status_code=201, alone=True)
    replay = answer.headers.get("Idempotent-Replay")
    return DeclarationOut.model_validate_json(bytes(answer.body)), (
        {"Idempotent-Replay": replay} if replay else None
    )


def _reply(ic: edifact.Interchange, msg: Outgoing) -> str:
    return Writer().interchange(sender=ic.recipient, recipient=ic.sender, control_ref=_reference(),
                                messages=[msg], prepared=clock.now())  # fmt: skip


@router.post("/cusdec", status_code=201, responses=_answers(EDIFACT), response_class=EdifactResponse,
             response_model=EdifactText,
             openapi_extra=_doc((EDIFACT, "text/plain"), "One CUSDEC (D.96B or D.01B) in an interchange"),
             summary="Lodge and register a declaration sent as EDIFACT CUSDEC; answered CUSRES")  # fmt: skip
async def lodge_cusdec(ctx: ChangeCtx) -> Response:
    _check_type(ctx, EDIFACT_TYPES)
    problem = _wants_problem(ctx)
    text = _text(await ctx.request.body())
    try:
        ic = edifact.parse(text)
        if len(ic.messages) != 1:
            raise EdifactError.at(ic.segments[-1], "one CUSDEC per interchange", element=1, component=1,
                                  syntax=Syntax.TOO_MANY_REPETITIONS)  # fmt: skip
    except EdifactError as exc:
        if problem:
            raise
        return _edifact(contrl.reject(exc, contrl.Received.from_text(text), reference=_reference()), REFUSED)
    try:
        decl, reading = cusdec.read(ic.messages[0])
        try:
            out, headers = await _lodge(ctx, decl)
        except EdifactError:
            raise
        except DomainError as exc:
            err = reading.sources.error(exc.field, exc.message)
            err.status, err.code = exc.status, exc.code
            raise err from None
    except EdifactError as exc:
        if problem:
            raise
        lrn = cusdec.functional_reference(ic.messages[0])
        msg = cusres.rejected(exc, functional_reference=lrn, reference="1", at=clock.now(), code=exc.code)
        return _edifact(_reply(ic, msg), REFUSED)
    msg = cusres.accepted(
        out, functional_reference=reading.functional_reference, reference="1", at=clock.now()
    )
    return _edifact(_reply(ic, msg), 201, headers)


@router.post("/wco/declarations", status_code=201, responses=_answers("application/xml"), response_class=XmlResponse,
             response_model=XmlText,
             openapi_extra=_doc(("application/xml",), "A WCO-DM Declaration (interchange/schemas/wco-declaration.xsd)"),
             summary="Lodge and register a declaration sent as WCO Data Model XML; answered the WCO response")  # fmt: skip
async def lodge_wco(ctx: ChangeCtx) -> Response:
    _check_type(ctx, XML_TYPES)
    problem, lrn = _wants_problem(ctx), ""
    try:
        decl, lrn, sources = wco.read(await ctx.request.body())
        try:
            out, headers = await _lodge(ctx, decl)
        except DomainError as exc:
            err = XmlError(exc.message, xpath=sources.xpath_of(exc.field))
            err.status, err.code = exc.status, exc.code
            raise err from None
    except XmlError as exc:
        if problem:
            raise
        body = wco_response.rejected(exc, xpath=exc.xpath, functional_reference=lrn, at=clock.now())
        return Response(body, REFUSED, media_type="application/xml")
    body = wco_response.accepted(out, functional_reference=lrn, at=clock.now())
    return Response(body, 201, headers=headers, media_type="application/xml")
