"""The 24/7 bank gateway (JSON and signed XML), payment references, guarantees and reversals."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from haiquan.deps import Ctx
from haiquan.kit.errors import NotFound, ValidationFailed
from haiquan.payments import banks, batch, confirmations, xmlmsg
from haiquan.payments.bank_api import router as bank_router
from haiquan.payments.schemas import (
    GuaranteeIn,
    GuaranteeOut,
    PaymentBatchIn,
    PaymentBatchOut,
    PaymentIn,
    PaymentOut,
    ReferenceOut,
    ReversalIn,
)
from haiquan.payments.tables import PaymentReferenceRow

router = APIRouter(prefix="/api/v1", tags=["payments"])


def _confirm(ctx: Ctx, body: PaymentIn) -> Response:
    holder: dict[str, bool] = {}

    def run() -> PaymentOut:
        out, new = confirmations.confirm(ctx.session, principal=ctx.principal, data=body)
        holder["new"] = new
        return out

    resp = ctx.respond(run, status_code=201, body=body)
    if holder.get("new") is False:
        resp.status_code = 200  # a repeated confirmation: answered, not booked again
    return resp


@router.post(
    "/payments",
    status_code=201,
    response_model=PaymentOut,
    summary="A bank confirms a payment (201 booked; 200 the same transaction again)",
)
def confirm(body: PaymentIn, ctx: Ctx) -> Response:
    return _confirm(ctx, body)


@router.post(
    "/payments/batch",
    response_model=PaymentBatchOut,
    summary="A bank confirms up to 500 payments in one call, each booked or refused on its own",
)
def confirm_batch(body: PaymentBatchIn, ctx: Ctx) -> Response:
    return ctx.respond(
        lambda: batch.confirm_batch(ctx.session, principal=ctx.principal, raw=body.items), body=body
    )


@router.post(
    "/payments/xml",
    status_code=201,
    response_model=PaymentOut,
    summary="The same confirmation as signed XML (XMLDSig, verified with the bank's certificate)",
    openapi_extra={"requestBody": {"content": {"application/xml": {"schema": {"type": "string"}}}}},
)
async def confirm_xml(request: Request, ctx: Ctx) -> Response:
    raw = await request.body()
    if len(raw) > 64_000:
        raise ValidationFailed("the message is larger than 64 kB", field="body")
    code = xmlmsg.bank_of(raw)
    bank = confirmations.caller_bank(ctx.session, ctx.principal, code)
    body = xmlmsg.verify(raw, cert_pem=banks.certificate_for_xml(bank))
    return _confirm(ctx, body)


@router.post("/payments/reversals", response_model=PaymentOut, summary="A bank takes back a confirmation")
def reverse(body: ReversalIn, ctx: Ctx) -> object:
    return ctx.respond(
        lambda: confirmations.reverse(ctx.session, principal=ctx.principal, data=body), body=body
    )


@router.post(
    "/payments/guarantees", status_code=201, response_model=GuaranteeOut, summary="A bank guarantees duties"
)
def guarantee(body: GuaranteeIn, ctx: Ctx) -> object:
    return ctx.respond(
        lambda: confirmations.guarantee(ctx.session, principal=ctx.principal, data=body),
        status_code=201,
        body=body,
    )


@router.get(
    "/payments/references",
    response_model=list[ReferenceOut],
    summary="Payment references of a declaration (the payer, or officers of its office)",
)
def references(ctx: Ctx, declaration_number: str) -> list[ReferenceOut]:
    rows = ctx.session.scalars(
        select(PaymentReferenceRow)
        .where(PaymentReferenceRow.declaration_number == declaration_number)
        .order_by(PaymentReferenceRow.amendment_no)
    ).all()
    p = ctx.principal
    if p.is_enterprise:
        visible = [r for r in rows if r.payer_tax_code == p.tax_code or _declared_by(ctx, r, p.id)]
    else:
        visible = [r for r in rows if p.scope.covers_unit(r.office)]
    if not visible:
        raise NotFound(
            f"no payment reference for declaration {declaration_number}", field="declaration_number"
        )
    return [ReferenceOut.model_validate(r, from_attributes=True) for r in visible]


def _declared_by(ctx: Ctx, ref: PaymentReferenceRow, enterprise_id: str) -> bool:
    from haiquan.declarations.tables import DeclarationRow

    decl = ctx.session.get(DeclarationRow, ref.declaration_number)
    return decl is not None and decl.declarant_id == enterprise_id


router.include_router(bank_router)
