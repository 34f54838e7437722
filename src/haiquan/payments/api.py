"""The 24/7 bank gateway (JSON and signed XML), payment references, guarantees and reversals."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from haiquan.deps import Ctx, Tx
from haiquan.kit.errors import NotFound, ValidationFailed
from haiquan.kit.transaction import TransactionRoute
from haiquan.payments import banks, batch, confirmations, repository, xmlmsg
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

router = APIRouter(prefix="/api/v1", tags=["payments"], route_class=TransactionRoute)


def _confirm(tx: Tx, body: PaymentIn, response: Response) -> PaymentOut:
    out, new = confirmations.confirm(tx.session, principal=tx.principal, data=body)
    if not new:
        response.status_code = 200  # a repeated confirmation: answered, not booked again
    return out


@router.post(
    "/payments",
    status_code=201,
    response_model=PaymentOut,
    summary="A bank confirms a payment (201 booked; 200 the same transaction again)",
)
def confirm(body: PaymentIn, tx: Tx, response: Response) -> PaymentOut:
    return _confirm(tx, body, response)


@router.post(
    "/payments/batch",
    response_model=PaymentBatchOut,
    summary="A bank confirms up to 500 payments in one call, each booked or refused on its own",
)
def confirm_batch(body: PaymentBatchIn, tx: Tx) -> PaymentBatchOut:
    return batch.confirm_batch(tx.session, principal=tx.principal, raw=body.items)


async def _raw_body(request: Request) -> bytes:
    return await request.body()


@router.post(
    "/payments/xml",
    status_code=201,
    response_model=PaymentOut,
    summary="The same confirmation as signed XML (XMLDSig, verified with the bank's certificate)",
    openapi_extra={"requestBody": {"content": {"application/xml": {"schema": {"type": "string"}}}}},
)
def confirm_xml(raw: Annotated[bytes, Depends(_raw_body)], tx: Tx, response: Response) -> PaymentOut:
    if len(raw) > 64_000:
        raise ValidationFailed("the message is larger than 64 kB", field="body")
    code = xmlmsg.bank_of(raw)
    bank = confirmations.caller_bank(tx.session, tx.principal, code)
    body = xmlmsg.verify(raw, cert_pem=banks.certificate_for_xml(bank))
    return _confirm(tx, body, response)


@router.post("/payments/reversals", response_model=PaymentOut, summary="A bank takes back a confirmation")
def reverse(body: ReversalIn, tx: Tx) -> PaymentOut:
    return confirmations.reverse(tx.session, principal=tx.principal, data=body)


@router.post(
    "/payments/guarantees", status_code=201, response_model=GuaranteeOut, summary="A bank guarantees duties"
)
def guarantee(body: GuaranteeIn, tx: Tx) -> GuaranteeOut:
    return confirmations.guarantee(tx.session, principal=tx.principal, data=body)


@router.get(
    "/payments/references",
    response_model=list[ReferenceOut],
    summary="Payment references of a declaration (the payer, or officers of its office)",
)
def references(ctx: Ctx, declaration_number: str) -> list[ReferenceOut]:
    rows = repository.references(ctx.session, declaration_number, scope=ctx.principal.scope)
    if not rows:
        raise NotFound(
            f"no payment reference for declaration {declaration_number}", field="declaration_number"
        )
    return [ReferenceOut.model_validate(r, from_attributes=True) for r in rows]


router.include_router(bank_router)
