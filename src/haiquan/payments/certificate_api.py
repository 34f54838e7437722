"""The certificates that verify banks' signed XML confirmations (payments.banks): customs registers,
replaces and revokes them; the bank reads its own."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from haiquan.deps import Ctx, Tx
from haiquan.kit.auth import Role
from haiquan.kit.errors import NotFound
from haiquan.kit.transaction import TransactionRoute
from haiquan.payments import banks, repository
from haiquan.payments.schemas import BankCertificateIn, BankCertificateOut, BankStateIn
from haiquan.payments.tables import BankRow

router = APIRouter(prefix="/api/v1", tags=["payments"], route_class=TransactionRoute)
ADMIN = Role.ADMINISTRATOR.value
BankCode = Annotated[str, Path(pattern=r"^[A-Za-z][A-Za-z0-9]{1,11}$", description="Bank code, e.g. VCB")]


def certificate_out(row: BankRow) -> BankCertificateOut:
    return BankCertificateOut(code=row.code, tax_code=row.tax_code, registered=row.certificate_pem is not None,
                              not_before=row.certificate_not_before, not_after=row.certificate_not_after,
                              revoked_at=row.certificate_revoked_at)  # fmt: skip


@router.get(
    "/payments/banks/{code}/certificate",
    response_model=BankCertificateOut,
    summary="A bank's certificate for signed XML (administrators; the bank itself)",
)
def get_certificate(code: BankCode, ctx: Ctx) -> BankCertificateOut:
    row = repository.bank(ctx.session, code, scope=ctx.principal.scope)  # an enterprise: its own only
    if row is None or not ctx.principal.is_enterprise:
        ctx.principal.require_officer(ADMIN)
    if row is None:
        raise NotFound(f"no bank {code}", field="code")
    return certificate_out(row)


@router.put(
    "/payments/banks/{code}/certificate",
    response_model=BankCertificateOut,
    summary="Register or replace a bank's certificate (administrators): it must name the bank's tax code",
)
def put_certificate(code: BankCode, body: BankCertificateIn, tx: Tx) -> BankCertificateOut:
    tx.principal.require_officer(ADMIN)
    row = banks.set_certificate(
        tx.session, code=code, pem=body.certificate_pem, actor=tx.principal.label, field="certificate_pem"
    )
    return certificate_out(row)


@router.post(
    "/payments/banks/{code}/certificate/revoke",
    response_model=BankCertificateOut,
    summary="Revoke a bank's certificate now (administrators): its signed XML is refused",
)
def revoke_certificate(code: BankCode, body: BankStateIn, tx: Tx) -> BankCertificateOut:
    tx.principal.require_officer(ADMIN)
    return certificate_out(
        banks.revoke_certificate(tx.session, code=code, reason=body.reason, actor=tx.principal.label)
    )
