"""The applications' API: a trader files its applications, attaches documents, answers and withdraws, and
reads its own; officers of the office addressed (and of the units above) review, ask for information,
decide and pay refunds back; rulings and extensions are read by the officers at registration and by the
tax accounts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from haiquan.applications import access, repository, service, views
from haiquan.applications.domain import Decision, Kind
from haiquan.applications.schemas import (
    ApplicationDetailOut,
    ApplicationOut,
    DeadlineOut,
    DecisionIn,
    DocumentIn,
    DocumentOut,
    ExtensionOut,
    FilingIn,
    InfoRequestIn,
    NoteIn,
    RefundPaymentIn,
    RulingOut,
    StatusFilter,
)
from haiquan.declarations import repository as declarations
from haiquan.deps import Ctx, Tx
from haiquan.kit import clock
from haiquan.kit.transaction import TransactionRoute

router = APIRouter(prefix="/api/v1/applications", tags=["applications"], route_class=TransactionRoute)


@router.post("", status_code=201, response_model=ApplicationOut, summary="File an application online")
def file(tx: Tx, body: FilingIn) -> ApplicationOut:
    return views.application_out(service.file(tx.session, principal=tx.principal, data=body))


@router.get("", response_model=list[ApplicationOut], summary="Applications in the caller's scope")
def listing(
    ctx: Ctx,
    status: Annotated[list[StatusFilter] | None, Query()] = None,
    kind: Annotated[list[Kind] | None, Query()] = None,
) -> list[ApplicationOut]:
    rows = service.queue(
        ctx.session, principal=ctx.principal, statuses=list(status) if status else None,
        kinds=[k.value for k in kind] if kind else None,
    )  # fmt: skip
    return [views.application_out(r) for r in rows]


@router.get("/deadlines", response_model=list[DeadlineOut], summary="The legal deadlines and their sources")
def deadlines(ctx: Ctx) -> list[DeadlineOut]:
    access.reader_scope(ctx.principal)
    return views.deadlines_out()


@router.get("/extensions", response_model=list[ExtensionOut], summary="Payment deadlines moved by extensions")
def extensions(
    ctx: Ctx, declaration_number: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None
) -> list[ExtensionOut]:
    numbers = [declaration_number] if declaration_number else None
    rows = repository.extensions(
        ctx.session, scope=access.reader_scope(ctx.principal), declaration_numbers=numbers
    )
    return [views.extension_out(e) for e in rows]


@router.get(
    "/declarations/{number}/rulings",
    response_model=list[RulingOut],
    summary="Rulings in force for a declaration",
)
def declaration_rulings(ctx: Ctx, number: str) -> list[RulingOut]:
    """The advance rulings (classification, origin, value) held by the declaration's declarant and party,
    in force today: what the officer sees at registration."""
    scope = access.reader_scope(ctx.principal)
    row = declarations.get(ctx.session, number, scope=ctx.principal.scope)
    holders = [row.declarant_tax_code, row.importer_tax_code or "", row.exporter_tax_code or ""]
    found = repository.rulings_of_holders(ctx.session, holders, clock.today_vn(), scope=scope)
    return [views.ruling_out(r) for r in found]


@router.get("/{application_id}", response_model=ApplicationDetailOut, summary="An application in full")
def detail(ctx: Ctx, application_id: str) -> ApplicationDetailOut:
    row, history, docs = service.read(ctx.session, principal=ctx.principal, application_id=application_id)
    return views.detail_out(row, history, docs)


@router.post(
    "/{application_id}/documents", status_code=201, response_model=DocumentOut, summary="Attach a document"
)
def attach(tx: Tx, application_id: str, body: DocumentIn) -> DocumentOut:
    doc = service.attach_document(
        tx.session, principal=tx.principal, application_id=application_id, filename=body.filename,
        content_type=body.content_type, data=body.decoded(), data_dir=tx.settings.data_dir,
    )  # fmt: skip
    return views.document_out(doc)


@router.get(
    "/{application_id}/documents/{document_id}/content", summary="Download a document (an attachment)"
)
def document(ctx: Ctx, application_id: str, document_id: str) -> Response:
    doc, data = service.read_document(
        ctx.session, principal=ctx.principal, application_id=application_id, document_id=document_id,
        data_dir=ctx.settings.data_dir,
    )  # fmt: skip
    return views.download(doc, data)


@router.post("/{application_id}/review", response_model=ApplicationOut, summary="An officer takes it up")
def review(tx: Tx, application_id: str) -> ApplicationOut:
    row = service.start_review(tx.session, principal=tx.principal, application_id=application_id)
    return views.application_out(row)


@router.post(
    "/{application_id}/information-request", response_model=ApplicationOut, summary="Ask the trader for more"
)
def request_info(tx: Tx, application_id: str, body: InfoRequestIn) -> ApplicationOut:
    row = service.request_info(
        tx.session, principal=tx.principal, application_id=application_id, request=body.request
    )
    return views.application_out(row)


@router.post("/{application_id}/information", response_model=ApplicationOut, summary="The trader answers")
def provide_info(tx: Tx, application_id: str, body: NoteIn) -> ApplicationOut:
    row = service.provide_info(
        tx.session, principal=tx.principal, application_id=application_id, note=body.note
    )
    return views.application_out(row)


@router.post("/{application_id}/withdrawal", response_model=ApplicationOut, summary="The trader withdraws it")
def withdraw(tx: Tx, application_id: str) -> ApplicationOut:
    return views.application_out(
        service.withdraw(tx.session, principal=tx.principal, application_id=application_id)
    )


@router.post("/{application_id}/decision", response_model=ApplicationOut, summary="The officer decides")
def decide(tx: Tx, application_id: str, body: DecisionIn) -> ApplicationOut:
    decision = Decision(
        outcome=body.outcome, reasons=body.reasons, amount=body.amount, hs_code=body.hs_code,
        valid_to=body.valid_to, new_due_date=body.new_due_date,
    )  # fmt: skip
    row = service.decide(tx.session, principal=tx.principal, application_id=application_id, decision=decision)
    return views.application_out(row)


@router.post(
    "/{application_id}/refund-payments", response_model=ApplicationOut, summary="Pay an approved refund back"
)
def pay_refund(tx: Tx, application_id: str, body: RefundPaymentIn) -> ApplicationOut:
    row = service.pay_refund(
        tx.session, principal=tx.principal, application_id=application_id, amount=body.amount
    )
    return views.application_out(row)
