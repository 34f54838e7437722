"""The administrator's API for the banks connected to the gateway (payments.banks); the list of connected
banks for every caller."""

from __future__ import annotations

from fastapi import APIRouter

from haiquan.deps import Ctx, Tx
from haiquan.kit.auth import Role
from haiquan.kit.transaction import TransactionRoute
from haiquan.payments import banks
from haiquan.payments.schemas import BankAddedOut, BankIn, BankOut, BankStateIn
from haiquan.payments.tables import BankRow

router = APIRouter(tags=["payments"], route_class=TransactionRoute)
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
def add(body: BankIn, tx: Tx) -> BankAddedOut:
    """With an Idempotency-Key, a replay answers the first answer without the key: it is never stored."""
    tx.principal.require_officer(ADMIN)
    added = banks.add(tx.session, **body.model_dump(), actor=tx.principal.label)
    out = BankAddedOut(bank=_out(added.bank), api_key=added.api_key)
    tx.keep(out.model_copy(update={"api_key": None}))
    return out


@router.post(
    "/payments/banks/{code}/disable", response_model=BankOut, summary="Disable a bank (administrators)"
)
def disable(code: str, body: BankStateIn, tx: Tx) -> BankOut:
    return _set_active(tx, code, body, active=False)


@router.post(
    "/payments/banks/{code}/enable", response_model=BankOut, summary="Enable a bank again (administrators)"
)
def enable(code: str, body: BankStateIn, tx: Tx) -> BankOut:
    return _set_active(tx, code, body, active=True)


def _set_active(tx: Tx, code: str, body: BankStateIn, *, active: bool) -> BankOut:
    tx.principal.require_officer(ADMIN)
    row = banks.set_active(tx.session, code=code, active=active, reason=body.reason, actor=tx.principal.label)
    return _out(row)
