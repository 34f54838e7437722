"""The administrator's API for the banks connected to the gateway (payments.banks); the list of connected
banks for every caller."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from haiquan.deps import Ctx, idempotency_of
from haiquan.kit import idempotency
from haiquan.kit.auth import Role
from haiquan.payments import banks
from haiquan.payments.schemas import BankAddedOut, BankIn, BankOut, BankStateIn
from haiquan.payments.tables import BankRow

router = APIRouter(tags=["payments"])
ADMIN = Role.ADMINISTRATOR.value


def _out(row: BankRow) -> BankOut:
    return BankOut(code=row.code, name=row.name, tax_code=row.tax_code, round_the_clock=row.round_the_clock,
                   xml=bool(row.certificate_pem), active=row.active)  # fmt: skip


@router.get("/payments/banks", response_model=list[BankOut], summary="Banks connected to the gateway")
def listed(ctx: Ctx, include_disabled: bool = False) -> list[BankOut]:
    if include_disabled:
        ctx.principal.require_officer(ADMIN)
    return [_out(b) for b in banks.listed(ctx.session, include_disabled=include_disabled)]


@router.post(
    "/payments/banks",
    status_code=201,
    response_model=BankAddedOut,
    summary="Connect a bank (administrators); the answer carries its API key, shown once",
)
def add(body: BankIn, ctx: Ctx) -> Response:
    """With an Idempotency-Key, a replay answers the first answer without the key: it is never stored."""
    ctx.principal.require_officer(ADMIN)
    key, req_hash = idempotency_of(ctx.request, ctx.idempotency_key, body)
    if key is not None:
        stored = idempotency.lookup(ctx.session, principal=ctx.principal.key, key=key, req_hash=req_hash)
        if stored is not None:
            ctx.uow.rollback()
            return JSONResponse(
                stored.body, status_code=stored.status_code, headers={"Idempotent-Replay": "true"}
            )
    added = banks.add(ctx.session, **body.model_dump(), actor=ctx.principal.label)
    out = BankAddedOut(bank=_out(added.bank), api_key=added.api_key).model_dump(mode="json")
    if key is not None:
        idempotency.remember(ctx.session, principal=ctx.principal.key, key=key, req_hash=req_hash,
                             status_code=201, body=out | {"api_key": None})  # fmt: skip
    ctx.uow.commit()
    ctx.request.app.state.dispatcher_wake()
    return JSONResponse(out, status_code=201)


@router.post(
    "/payments/banks/{code}/disable", response_model=BankOut, summary="Disable a bank (administrators)"
)
def disable(code: str, body: BankStateIn, ctx: Ctx) -> Response:
    return _set_active(ctx, code, body, active=False)


@router.post(
    "/payments/banks/{code}/enable", response_model=BankOut, summary="Enable a bank again (administrators)"
)
def enable(code: str, body: BankStateIn, ctx: Ctx) -> Response:
    return _set_active(ctx, code, body, active=True)


def _set_active(ctx: Ctx, code: str, body: BankStateIn, *, active: bool) -> Response:
    ctx.principal.require_officer(ADMIN)
    return ctx.respond(
        lambda: _out(
            banks.set_active(
                ctx.session, code=code, active=active, reason=body.reason, actor=ctx.principal.label
            )
        ),
        body=body,
    )
