"""Officers' Vietnamese pages (English with ?lang=en): the queue of applications addressed to their units
with their legal deadlines, and an application's page with its documents and the decision form."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from haiquan.applications import access, repository, service, views
from haiquan.applications.domain import OPEN, Decision, Outcome
from haiquan.kit.auth import DECIDING_ROLES
from haiquan.kit.errors import DomainError, NotFound, ValidationFailed
from haiquan.web import nav
from haiquan.web.i18n import add_labels, add_messages
from haiquan.web.render import add_template_dir, render, set_flash
from haiquan.web.session import PageCtx, check_csrf

router = APIRouter(tags=["pages"], include_in_schema=False)
add_template_dir(Path(__file__).parent / "templates")
add_messages(
    {
        "apl.title": ("Hồ sơ đề nghị trực tuyến", "Applications filed online"),
        "apl.intro": ("Gần đến hạn xử lý trước", "Nearest legal deadline first"),
        "apl.none": ("Không có hồ sơ nào.", "No application."),
        "apl.kind": ("Loại hồ sơ", "Kind"),
        "apl.applicant": ("Doanh nghiệp (MST)", "Applicant (tax code)"),
        "apl.subject": ("Nội dung", "Subject"),
        "apl.office": ("Đơn vị tiếp nhận", "Office"),
        "apl.status": ("Trạng thái", "Status"),
        "apl.filed": ("Ngày nộp", "Filed"),
        "apl.deadline": ("Hạn xử lý", "Deadline"),
        "apl.source": ("Căn cứ thời hạn", "Legal source of the deadline"),
        "apl.overdue": ("Quá hạn", "Overdue"),
        "apl.open": ("Xem", "Open"),
        "apl.declaration": ("Số tờ khai", "Declaration"),
        "apl.amount": ("Số tiền đề nghị", "Amount asked"),
        "apl.goods": ("Hàng hóa (mã hàng)", "Goods (goods code)"),
        "apl.details": ("Giải trình", "Grounds"),
        "apl.documents": ("Tài liệu đính kèm", "Documents"),
        "apl.no_documents": ("Chưa có tài liệu.", "No document."),
        "apl.history": ("Quá trình xử lý", "History"),
        "apl.review": ("Tiếp nhận xử lý", "Take it up"),
        "apl.ask": ("Yêu cầu bổ sung hồ sơ", "Ask for information"),
        "apl.ask_send": ("Gửi yêu cầu", "Send the request"),
        "apl.decision": ("Quyết định", "Decision"),
        "apl.outcome": ("Kết quả", "Outcome"),
        "apl.reasons": ("Lý do, căn cứ", "Reasons"),
        "apl.granted": ("Số tiền chấp thuận", "Amount granted"),
        "apl.hs_decided": ("Mã số HS xác định", "HS code decided"),
        "apl.valid_to": ("Hiệu lực đến", "Valid until"),
        "apl.new_due": ("Hạn nộp mới", "New due date"),
        "apl.submit": ("Ghi nhận quyết định", "Record the decision"),
        "apl.saved": ("Đã ghi nhận.", "Recorded."),
        "apl.decided": ("Đã quyết định", "Decided"),
        "apl.back": ("Danh sách hồ sơ", "Back to the list"),
        "apl.handled": ("Đã giải quyết / đúng hạn", "Decided / on time"),
        "nav.applications": ("Hồ sơ trực tuyến", "Applications"),
    }
)
nav.register("nav.applications", "/applications", roles=tuple(sorted(DECIDING_ROLES)))
add_labels(
    "application_kind",
    {
        "refund": ("Hoàn thuế", "Refund"),
        "exemption": ("Miễn thuế", "Exemption"),
        "no_collection": ("Không thu thuế", "No collection"),
        "ruling_classification": ("Xác định trước mã số", "Classification ruling"),
        "ruling_origin": ("Xác định trước xuất xứ", "Origin ruling"),
        "ruling_value": ("Xác định trước trị giá", "Value ruling"),
        "extension": ("Gia hạn nộp thuế", "Payment extension"),
    },
)
add_labels(
    "application_status",
    {
        "filed": ("Đã nộp", "Filed"),
        "under_review": ("Đang xử lý", "Under review"),
        "info_requested": ("Chờ bổ sung", "Information requested"),
        "approved": ("Chấp thuận", "Approved"),
        "partly_approved": ("Chấp thuận một phần", "Partly approved"),
        "refused": ("Từ chối", "Refused"),
        "withdrawn": ("Đã rút", "Withdrawn"),
    },
)
add_labels("application_outcome", {
    "approved": ("Chấp thuận", "Approve"), "partly_approved": ("Chấp thuận một phần", "Approve in part"),
    "refused": ("Từ chối", "Refuse"),
})  # fmt: skip


@router.get("/applications", name="applications_page")
def queue_page(request: Request, ctx: PageCtx) -> Response:
    scope = access.officer_scope(ctx.principal)
    rows = repository.listing(ctx.session, scope=scope, statuses=[s.value for s in OPEN])
    return render(request, "applications.html", {"items": [views.application_out(r) for r in rows]})


def _page(
    request: Request, ctx: Any, application_id: str, errors: dict[str, str], status: int = 200
) -> Response:
    scope = access.officer_scope(ctx.principal)
    row = repository.get(ctx.session, application_id, scope=scope)
    history = repository.history(ctx.session, application_id, scope=scope)
    a = views.detail_out(row, history, repository.documents(ctx.session, application_id, scope=scope))
    context = {"a": a, "errors": errors, "outcomes": [o.value for o in Outcome]}
    return render(request, "application.html", context, status_code=status)


@router.get("/applications/{application_id}", name="application_page")
def application_page(request: Request, ctx: PageCtx, application_id: str) -> Response:
    return _page(request, ctx, application_id, {})


def _date(form: Any, name: str) -> date | None:
    raw = str(form.get(name) or "").strip()
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise ValidationFailed("a date (YYYY-MM-DD)", field=name) from None


def _decision_of(form: Any) -> Decision:
    raw = str(form.get("outcome") or "")
    if raw not in {o.value for o in Outcome}:
        raise ValidationFailed("choose an outcome", field="outcome")
    amount = str(form.get("amount") or "").replace(".", "").replace(",", "").strip()
    if amount and not amount.isdigit():
        raise ValidationFailed("a whole number of dong", field="amount")
    return Decision(
        outcome=Outcome(raw), reasons=str(form.get("reasons") or "")[:4000],
        amount=Decimal(amount) if amount else None,
        hs_code=str(form.get("hs_code") or "").strip()[:8], valid_to=_date(form, "valid_to"),
        new_due_date=_date(form, "new_due_date"),
    )  # fmt: skip


@router.post("/applications/{application_id}/act", name="application_act")
async def act(request: Request, ctx: PageCtx, application_id: str) -> Response:
    """One form handler for the three officer actions: take up, ask for information, decide."""
    form = await request.form()
    check_csrf(ctx.settings.effective_secret_key, request.state.session_token, form.get("csrf"))
    action, who = str(form.get("action") or ""), ctx.principal
    try:
        if action == "review":
            service.start_review(ctx.session, principal=who, application_id=application_id)
        elif action == "request_info":
            text = str(form.get("request") or "").strip()[:4000]
            if len(text) < 5:
                raise ValidationFailed("say what the trader must provide", field="request")
            service.request_info(ctx.session, principal=who, application_id=application_id, request=text)
        else:
            decision = _decision_of(form)
            service.decide(ctx.session, principal=who, application_id=application_id, decision=decision)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        ctx.uow.rollback()
        return _page(request, ctx, application_id, {exc.field or "outcome": exc.message}, exc.status)
    ctx.uow.commit()
    request.app.state.dispatcher_wake()
    response = RedirectResponse(
        request.app.url_path_for("application_page", application_id=application_id), 303
    )
    set_flash(response, "apl.saved")
    return response
