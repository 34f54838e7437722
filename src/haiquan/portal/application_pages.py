"""The enterprise's applications on the portal (issue #20, from the applications module): file one
(refund, exemption, "không thu", advance ruling, payment-deadline extension) with its documents, follow it
to the officer's decision and its reasons, answer a request for information, withdraw it. Every change goes
through the applications module's own service, acting as the enterprise (its declarant role and scope);
the staff member is named in the actor (`enterprise:<tax code>/<username>`). Documents are checked there
(type by their first bytes, size, name) and served back as inert attachments."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from haiquan.applications import service, views
from haiquan.applications.domain import Kind
from haiquan.applications.schemas import FilingIn
from haiquan.kit.auth import EnterpriseRole, Principal
from haiquan.kit.errors import DomainError, ValidationFailed
from haiquan.organization import service as org
from haiquan.portal import repository as portal_repository
from haiquan.portal import text
from haiquan.portal.domain import Area, require
from haiquan.portal.session import PortalCtx
from haiquan.web import i18n, workforms
from haiquan.web.render import render, set_flash
from haiquan.web.session import check_csrf

router = APIRouter(include_in_schema=False)
_ = text
MAX_UPLOAD = 10 * 1024 * 1024
DECLARANT = EnterpriseRole.DECLARANT.value
FIELDS = ("kind", "subject", "details", "declaration_number", "amount", "requested_due_date", "hs_code",
          "origin_country", "goods_code", "goods_description", "reason_code", "refund_mode")  # fmt: skip
i18n.add_messages(
    {
        "pt.applications": ("Hồ sơ đề nghị", "Applications"),
        "pt.app_new": ("Nộp hồ sơ đề nghị", "File an application"),
        "pt.app_filed": ("Đã nộp hồ sơ", "The application is filed"),
        "pt.app_deadline": ("Hạn xử lý theo luật", "Legal deadline"),
        "pt.app_decision": ("Quyết định và lý do", "Decision and reasons"),
        "pt.app_documents": ("Tài liệu kèm theo", "Documents"),
        "pt.app_attach": ("Đính kèm tài liệu (PDF, JPEG, PNG, XML; tối đa 10 MB)", "Attach a document (PDF, JPEG, PNG, XML; 10 MB at most)"),
        "pt.app_attached": ("Đã đính kèm tài liệu", "The document is attached"),
        "pt.app_answer": ("Trả lời yêu cầu bổ sung", "Answer the request for information"),
        "pt.app_answered": ("Đã gửi trả lời", "The answer is sent"),
        "pt.app_withdraw": ("Rút hồ sơ", "Withdraw"),
        "pt.app_withdrawn": ("Đã rút hồ sơ", "The application is withdrawn"),
        "pt.app_subject": ("Tiêu đề hồ sơ", "Subject"),
        "pt.app_note": ("Nội dung trả lời", "Your answer"),
        "pt.app_declarants": (
            "Hồ sơ đề nghị dành cho doanh nghiệp khai hải quan", "Applications are filed by declarants"
        ),
        "pt.app_requested": ("Hải quan yêu cầu bổ sung", "Customs asks for"),
        "field.kind": ("Loại hồ sơ", "Kind"),
        "field.details": ("Nội dung, căn cứ", "Details and grounds"),
        "field.declaration_number": ("Số tờ khai", "Declaration number"),
        "field.amount": ("Số tiền đề nghị (đồng)", "Amount asked for (VND)"),
        "field.requested_due_date": ("Hạn nộp đề nghị", "Due date asked for"),
        "field.origin_country": ("Xuất xứ đề nghị", "Origin asked for"),
        "field.goods_description": ("Mô tả hàng hóa", "Goods description"),
        "field.document": ("Tài liệu", "Document"),
    }
)  # fmt: skip


def acting(ctx: Any) -> Principal:
    """The enterprise as the applications module knows its callers, naming the staff member who acts."""
    ent = portal_repository.enterprise(ctx.session, scope=ctx.principal.scope)
    return replace(org.enterprise_principal(ent), name=f"{ent.tax_code}/{ctx.principal.name}")


@router.get("/portal/applications", name="portal_applications")
def applications_page(request: Request, ctx: PortalCtx) -> Response:
    require(ctx.principal.role, Area.DECLARATIONS)
    files = DECLARANT in ctx.principal.enterprise_roles  # the applications module hears declarants only
    rows = service.queue(ctx.session, principal=acting(ctx)) if files else []
    context = {"rows": [views.application_out(r) for r in rows], "files": files}
    return render(request, "portal_applications.html", context)


def _form(request: Request, ctx: Any, *, values: dict[str, str] | None = None,
          errors: workforms.Errors | None = None, code: int = 200) -> Response:  # fmt: skip
    context = {"kinds": [k.value for k in Kind], "values": values or {"kind": "refund"},
               "errors": errors or workforms.Errors(i18n.lang_of(request))}  # fmt: skip
    return render(request, "portal_application_new.html", context, status_code=code)


@router.get("/portal/applications/new", name="portal_application_new")
def new_page(request: Request, ctx: PortalCtx) -> Response:
    require(ctx.principal.role, Area.FILING)
    return _form(request, ctx)


async def _posted(request: Request, ctx: Any) -> tuple[dict[str, str], UploadFile | None]:
    form = await request.form(max_part_size=MAX_UPLOAD + 1024)
    check_csrf(ctx.settings.effective_secret_key, request.state.session_token, form.get("csrf"))
    values = {k: str(v).strip() for k, v in form.items() if isinstance(v, str) and k != "csrf"}
    upload = form.get("document")
    return values, upload if isinstance(upload, UploadFile) and upload.filename else None


async def _attach(ctx: Any, application_id: str, upload: UploadFile) -> None:
    data = await upload.read(MAX_UPLOAD + 1)
    service.attach_document(ctx.session, principal=acting(ctx), application_id=application_id,
                            filename=upload.filename or "", content_type=upload.content_type or "",
                            data=data, data_dir=ctx.settings.data_dir)  # fmt: skip


@router.post("/portal/applications", name="portal_application_file")
async def file_application(request: Request, ctx: PortalCtx) -> Response:
    require(ctx.principal.role, Area.FILING)
    values, upload = await _posted(request, ctx)
    errors = workforms.Errors(i18n.lang_of(request))
    try:
        data = FilingIn.model_validate({k: values[k] for k in FIELDS if values.get(k)})
    except ValidationError as exc:
        workforms.from_validation(errors, exc)
        return _form(request, ctx, values=values, errors=errors, code=422)
    try:
        row = service.file(ctx.session, principal=acting(ctx), data=data)
        if upload is not None:
            await _attach(ctx, row.id, upload)
    except DomainError as exc:
        workforms.from_domain(request, ctx, errors, exc, names={"data": "document", "content_type": "document",
                                                                "filename": "document"})  # fmt: skip
        return _form(request, ctx, values=values, errors=errors, code=errors.status)
    return workforms.done(
        ctx, request.app.url_path_for("portal_application", application_id=row.id), "pt.app_filed"
    )


@router.get("/portal/applications/{application_id}", name="portal_application")
def application_page(request: Request, ctx: PortalCtx, application_id: str) -> Response:
    require(ctx.principal.role, Area.DECLARATIONS)
    row, history, docs = service.read(ctx.session, principal=acting(ctx), application_id=application_id[:32])
    detail = views.detail_out(row, history, docs)  # 404 for another enterprise's
    errors = workforms.Errors(i18n.lang_of(request))
    return render(request, "portal_application.html", {"a": detail, "errors": errors, "values": {}})


@router.post("/portal/applications/{application_id}/documents", name="portal_application_attach")
async def attach(request: Request, ctx: PortalCtx, application_id: str) -> Response:
    require(ctx.principal.role, Area.FILING)
    _, upload = await _posted(request, ctx)
    if upload is None:
        raise ValidationFailed("choose a file to attach", field="document")
    await _attach(ctx, application_id[:32], upload)
    return workforms.done(ctx, request.app.url_path_for("portal_application", application_id=application_id),
                          "pt.app_attached")  # fmt: skip


@router.get(
    "/portal/applications/{application_id}/documents/{document_id}", name="portal_application_document"
)
def document(request: Request, ctx: PortalCtx, application_id: str, document_id: str) -> Response:
    require(ctx.principal.role, Area.DECLARATIONS)
    doc, data = service.read_document(ctx.session, principal=acting(ctx), application_id=application_id[:32],
                                      document_id=document_id[:32], data_dir=ctx.settings.data_dir)  # fmt: skip
    return views.download(doc, data)


@router.post("/portal/applications/{application_id}/information", name="portal_application_answer")
async def answer(request: Request, ctx: PortalCtx, application_id: str) -> Response:
    require(ctx.principal.role, Area.FILING)
    values, upload = await _posted(request, ctx)
    if upload is not None:
        await _attach(ctx, application_id[:32], upload)
    service.provide_info(ctx.session, principal=acting(ctx), application_id=application_id[:32],
                         note=values.get("note", "")[:4000])  # fmt: skip
    return workforms.done(ctx, request.app.url_path_for("portal_application", application_id=application_id),
                          "pt.app_answered")  # fmt: skip


@router.post("/portal/applications/{application_id}/withdrawal", name="portal_application_withdraw")
async def withdraw(request: Request, ctx: PortalCtx, application_id: str) -> Response:
    require(ctx.principal.role, Area.FILING)
    await _posted(request, ctx)
    service.withdraw(ctx.session, principal=acting(ctx), application_id=application_id[:32])
    ctx.uow.commit()
    response = RedirectResponse(request.app.url_path_for("portal_applications"), status_code=303)
    set_flash(response, "pt.app_withdrawn")
    return response
