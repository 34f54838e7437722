"""The tax accounts' API: an enterprise reads its own account, debts, aging, interest, receipts and
downloads its tax-position certificate; officers read the accounts within the offices of their scope,
the positions of the last recompute, and book penalties and fees."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from haiquan.deps import Ctx, Tx
from haiquan.kit import clock
from haiquan.kit.errors import NotFound
from haiquan.kit.transaction import TransactionRoute
from haiquan.taxes import charges, repository, service, views
from haiquan.taxes.documents import XML, certificate_document, receipt_document
from haiquan.taxes.domain import Stage
from haiquan.taxes.schemas import (
    AccountOut,
    AgingOut,
    ChargeOut,
    DebtOut,
    FeeIn,
    FeeOut,
    InterestOut,
    PenaltyIn,
    PositionOut,
    ReceiptOut,
    StageOut,
)

router = APIRouter(prefix="/api/v1/taxes", tags=["taxes"], route_class=TransactionRoute)
TaxCode = Annotated[str, Path(pattern=r"^\d{10}(\d{3})?$", description="The enterprise's tax code")]


def _account(ctx: Ctx, tax_code: str) -> AccountOut:
    acc = service.account_of(ctx.session, principal=ctx.principal, tax_code=tax_code,
                             rate_per_day=ctx.settings.tax_late_interest_per_day)  # fmt: skip
    return views.account_out(tax_code, acc)


@router.get("/accounts/{tax_code}", response_model=AccountOut, summary="An enterprise's tax account today")
def account(tax_code: TaxCode, ctx: Ctx) -> AccountOut:
    return _account(ctx, tax_code)


@router.get(
    "/accounts/{tax_code}/debts", response_model=list[DebtOut], summary="Its unpaid debts, oldest first"
)
def debts(tax_code: TaxCode, ctx: Ctx) -> list[DebtOut]:
    return _account(ctx, tax_code).debts


@router.get("/accounts/{tax_code}/aging", response_model=AgingOut, summary="Its debts by days past due")
def aging(tax_code: TaxCode, ctx: Ctx) -> AgingOut:
    return _account(ctx, tax_code).aging


@router.get("/accounts/{tax_code}/interest", response_model=InterestOut, summary="Its late-payment interest")
def interest(tax_code: TaxCode, ctx: Ctx) -> InterestOut:
    a = _account(ctx, tax_code)
    return InterestOut(tax_code=tax_code, on=a.on, late_interest=a.late_interest,
                       rate_per_day=ctx.settings.tax_late_interest_per_day)  # fmt: skip


@router.get("/accounts/{tax_code}/stage", response_model=StageOut, summary="Its enforcement stage")
def stage(tax_code: TaxCode, ctx: Ctx) -> StageOut:
    return _account(ctx, tax_code).stage


@router.get(
    "/accounts/{tax_code}/certificate.xml",
    summary="Its tax-position certificate, every office (XML, hashed and sealed): itself or national officers",
)
def certificate(tax_code: TaxCode, ctx: Ctx) -> Response:
    acc = service.whole_account_of(ctx.session, principal=ctx.principal, tax_code=tax_code,
                                   rate_per_day=ctx.settings.tax_late_interest_per_day)  # fmt: skip
    ent = repository.enterprise(ctx.session, scope=ctx.principal.scope, tax_code=tax_code)
    body, digest, _ = certificate_document(tax_code, ent.name, acc, clock.today_vn(),
                                           ctx.settings.effective_secret_key)  # fmt: skip
    name = f"tax-position-{tax_code}-{acc.on.isoformat()}.xml"
    return Response(body, media_type=XML, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                   "X-Content-SHA256": digest})  # fmt: skip


@router.get("/accounts/{tax_code}/receipts", response_model=list[ReceiptOut], summary="Its e-receipts")
def receipts(tax_code: TaxCode, ctx: Ctx) -> list[ReceiptOut]:
    return [
        views.receipt_out(r)
        for r in repository.receipts(ctx.session, scope=ctx.principal.scope, tax_code=tax_code)
    ]


@router.get("/accounts/{tax_code}/receipts/{number}.xml", summary="One e-receipt as a document (XML, hashed)")
def receipt(tax_code: TaxCode, number: Annotated[str, Path(pattern=r"^BL\d{10}$")], ctx: Ctx) -> Response:
    found = repository.receipts(ctx.session, scope=ctx.principal.scope, tax_code=tax_code, number=number)
    if not found:
        raise NotFound(f"no receipt {number} in your scope", field="number")
    body, digest = receipt_document(found[0])
    return Response(body, media_type=XML, headers={"Content-Disposition": f'attachment; filename="{number}.xml"',
                                                   "X-Content-SHA256": digest})  # fmt: skip


@router.get(
    "/positions", response_model=list[PositionOut], summary="Positions of the last recompute, worst first"
)
def positions(
    ctx: Ctx,
    stage: Annotated[list[Stage] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[PositionOut]:
    ctx.principal.require_officer()
    rows = repository.positions(ctx.session, scope=ctx.principal.scope,
                                stages=[s.value for s in stage] if stage else None, limit=limit)  # fmt: skip
    return [views.position_out(r) for r in rows]


@router.post(
    "/penalties", response_model=ChargeOut, status_code=201, summary="Decide an administrative penalty"
)
def decide_penalty(body: PenaltyIn, tx: Tx) -> ChargeOut:
    row = charges.decide_penalty(tx.session, principal=tx.principal, enterprise_id=body.enterprise_id,
                                 declaration_id=body.declaration_number, violation=body.violation,
                                 legal_basis=body.legal_basis, amount=body.amount)  # fmt: skip
    return views.charge_out(row)


@router.post(
    "/fees", response_model=ChargeOut, status_code=201, summary="Charge a customs fee from the fee table"
)
def charge_fee(body: FeeIn, tx: Tx) -> ChargeOut:
    row = charges.charge_fee(tx.session, principal=tx.principal, enterprise_id=body.enterprise_id, fee=body.fee,
                             quantity=body.quantity, declaration_number=body.declaration_number)  # fmt: skip
    return views.charge_out(row)


@router.get(
    "/charges",
    response_model=list[ChargeOut],
    summary="Penalties, late interest assessed and fees in the caller's scope",
)
def list_charges(
    ctx: Ctx,
    tax_code: Annotated[str | None, Query(pattern=r"^\d{10}(\d{3})?$")] = None,
    kind: Annotated[str | None, Query(pattern="^(penalty|interest|fee)$")] = None,
) -> list[ChargeOut]:
    rows = repository.charges(ctx.session, scope=ctx.principal.scope, tax_code=tax_code, kind=kind)
    return [views.charge_out(r) for r in rows]


@router.get(
    "/charges/{number}", response_model=ChargeOut, summary="One penalty, late interest assessment or fee"
)
def get_charge(number: Annotated[str, Path(pattern=r"^\d{12}$")], ctx: Ctx) -> ChargeOut:
    return views.charge_out(charges.charge_of(ctx.session, principal=ctx.principal, number=number))


@router.get("/fee-table", response_model=list[FeeOut], summary="The customs fees and their legal source")
def fee_table(ctx: Ctx) -> list[FeeOut]:
    _ = ctx
    return [FeeOut(**f._asdict()) for f in charges.fee_table().values()]
