"""The public reference API: tariff lines with their rates per scheme, the exchange rates of a day, HS
search by code and by words (Vietnamese and English, diacritics ignored) and the procedure codes. Public
data, so deliberately unauthenticated (decision 0034): no key, no cookie read; each answer carries an ETag
and `Cache-Control: public` (a repeat with If-None-Match is a 304 without a body), and every client
address has its own rate (`rate_public_per_second`, `rate_public_burst`): past it, a 429 problem with
Retry-After."""

from __future__ import annotations

import hashlib
from datetime import date as Date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import TypeAdapter

from haiquan.deps import get_db, get_settings_dep
from haiquan.kit import clock
from haiquan.kit.errors import NotFound, TooManyRequests, ValidationFailed
from haiquan.kit.ratelimit import Buckets, Rate
from haiquan.kit.sources import client_address
from haiquan.reference import procedures, public
from haiquan.reference.public_schemas import (
    ExchangeRateOut,
    ExchangeRatesOut,
    HSHitOut,
    ProcedureOut,
    TariffLineOut,
)

PREFIX = "/api/v1/public"
LONG, SHORT = 3600, 600  # seconds a cache may keep an answer: reference lists, a day's rates and searches


def per_address(request: Request) -> None:
    """The public routes' own rate, per client address (kit.ratelimit's token buckets)."""
    settings = get_settings_dep(request)
    if not settings.rate_limits_enabled:
        return
    state = request.app.state
    buckets = getattr(state, "public_buckets", None)
    if buckets is None:
        buckets = state.public_buckets = Buckets(settings.rate_tracked_keys)
    source = client_address(request.scope, getattr(state, "trusted_proxies", ()))
    wait = buckets.take(source, Rate(settings.rate_public_per_second, settings.rate_public_burst))
    if wait > 0:
        raise TooManyRequests(
            "too many requests to the public API from this address: send again after Retry-After seconds",
            retry_after=wait, code="rate_limited",
        )  # fmt: skip


router = APIRouter(prefix=PREFIX, tags=["public"], dependencies=[Depends(per_address)])


def cached(request: Request, model: Any, value: Any, max_age: int) -> Response:
    """The answer with an ETag (a hash of its body) and `Cache-Control: public`; 304 when it matches."""
    body = TypeAdapter(model).dump_json(value)
    tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": tag, "Cache-Control": f"public, max-age={max_age}", "Vary": "Accept-Encoding"}
    asked = {t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "").split(",")}
    if tag in asked or "*" in asked:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def _line(row: Any) -> TariffLineOut:
    return TariffLineOut(hs8=row.hs8, description_vi=row.description_vi, description_en=row.description_en,
                         unit=row.unit, rates=public.rates_of(row))  # fmt: skip


@router.get(
    "/tariff/{hs8}", response_model=TariffLineOut, summary="A national tariff line and its rates per scheme"
)
def tariff_line(
    request: Request, hs8: Annotated[str, Path(pattern=r"^[0-9]{8}$", description="8 digits")]
) -> Response:
    with get_db(request).reading() as uow:
        row = public.unscoped_tariff_line(uow.session, hs8)
    if row is None:
        raise NotFound(f"no tariff line {hs8}", field="hs8")
    return cached(request, TariffLineOut, _line(row), LONG)


@router.get(
    "/tariff", response_model=list[TariffLineOut], summary="The tariff lines under a code (2 to 8 digits)"
)
def tariff_lines(
    request: Request,
    prefix: Annotated[str, Query(pattern=r"^[0-9]{2,8}$", description="The lines' first digits, e.g. 8703")],
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Response:
    with get_db(request).reading() as uow:
        rows = public.unscoped_tariff_lines(uow.session, prefix, limit=limit)
    return cached(request, list[TariffLineOut], [_line(r) for r in rows], LONG)


@router.get(
    "/exchange-rates", response_model=ExchangeRatesOut, summary="The exchange rates in force on a day"
)
def exchange_rates(
    request: Request,
    date: Annotated[Date | None, Query(description="The day (Vietnam time); default today")] = None,
) -> Response:
    on = date or clock.today_vn()
    with get_db(request).reading() as uow:
        found = public.unscoped_rates_on(uow.session, on)
    out = ExchangeRatesOut(
        date=on, rates=[ExchangeRateOut(currency=c, valid_from=f, vnd_per_unit=v) for c, f, v in found]
    )
    return cached(request, ExchangeRatesOut, out, SHORT)


@router.get(
    "/hs", response_model=list[HSHitOut], summary="Search HS codes and tariff lines by code or by words"
)
def hs_search(
    request: Request,
    q: Annotated[
        str, Query(min_length=1, max_length=100, description="A code (8517, 8517.13) or words, vi or en")
    ],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Response:
    if not q.strip():
        raise ValidationFailed("say what to look for", field="q")
    with get_db(request).reading() as uow:
        hits = public.unscoped_search(uow.session, q, limit=limit)
    out = [HSHitOut(code=h.entry.code, description_en=h.entry.description_en,
                    description_vi=h.entry.description_vi, match=h.match) for h in hits]  # fmt: skip
    return cached(request, list[HSHitOut], out, SHORT)


@router.get(
    "/procedure-codes", response_model=list[ProcedureOut], summary="VNACCS procedure codes (mã loại hình)"
)
def procedure_codes(
    request: Request,
    kind: Annotated[Literal["import", "export"] | None, Query(description="import or export")] = None,
) -> Response:
    out = [ProcedureOut(code=p.code, kind=p.kind, name_vi=p.name_vi, name_en=p.name_en)
           for p in procedures.listed(kind)]  # fmt: skip
    return cached(request, list[ProcedureOut], out, LONG)
