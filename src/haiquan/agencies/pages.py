"""The agency's Vietnamese pages (English with ?lang=en): its pending requests, in its scope only, and the
decision form. Its staff log in on the shared login page; customs officers are refused here, and agency
staff everywhere else (kit.auth.Principal.require_officer)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from haiquan.agencies import access, repository, service, views
from haiquan.agencies.domain import AGENCIES, OPEN, DecisionInput, Outcome
from haiquan.kit.auth import Role
from haiquan.kit.errors import DomainError, NotFound, ValidationFailed
from haiquan.web import nav
from haiquan.web.i18n import add_labels, add_messages
from haiquan.web.render import add_template_dir, render, set_flash
from haiquan.web.session import AgencyPageCtx, check_csrf

router = APIRouter(tags=["pages"], include_in_schema=False)
add_template_dir(Path(__file__).parent / "templates")
add_messages(
    {
        "ag.title": ("Yêu cầu kiểm tra chuyên ngành đang chờ", "Pending permit and inspection requests"),
        "ag.intro": ("Các dòng hàng cần giấy phép hoặc kết quả kiểm tra của cơ quan", "Lines waiting for"),
        "ag.none": ("Không có yêu cầu nào đang chờ.", "No pending request."),
        "ag.number": ("Số tờ khai", "Declaration"),
        "ag.line": ("Dòng hàng", "Line"),
        "ag.hs": ("Mã HS", "HS code"),
        "ag.origin": ("Xuất xứ", "Origin"),
        "ag.office": ("Chi cục", "Office"),
        "ag.requirement": ("Yêu cầu", "Requirement"),
        "ag.status": ("Trạng thái", "Status"),
        "ag.since": ("Từ lúc", "Since"),
        "ag.deadline": ("Hạn xử lý", "Deadline"),
        "ag.overdue": ("Quá hạn", "Overdue"),
        "ag.open": ("Xử lý", "Decide"),
        "ag.decision": ("Quyết định", "Decision"),
        "ag.outcome": ("Kết quả", "Outcome"),
        "ag.reason": ("Lý do", "Reason"),
        "ag.conditions": ("Điều kiện", "Conditions"),
        "ag.lab": ("Số kết quả phân tích / kiểm nghiệm", "Laboratory result reference"),
        "ag.submit": ("Ghi nhận quyết định", "Record the decision"),
        "ag.saved": ("Đã ghi nhận quyết định.", "Decision recorded."),
        "ag.decided": ("Đã quyết định", "Decided"),
        "ag.back": ("Danh sách yêu cầu", "Back to the list"),
        "ag.reference": ("Số giấy phép do doanh nghiệp khai", "Permit number given by the declarant"),
        "ag.permits": ("Giấy phép, kiểm tra chuyên ngành", "Other agencies' permits and inspections"),
        "ag.agency": ("Cơ quan", "Agency"),
        "ag.hold": ("Chờ KTCN", "Awaiting agency"),
        "nav.agency": ("Kiểm tra chuyên ngành", "Permits and inspections"),
    }
)
nav.register("nav.agency", "/agency", roles=(Role.AGENCY_OFFICER.value,))
add_labels(
    "permit_status",
    {
        "requested": ("Chờ xử lý", "Requested"),
        "under_inspection": ("Đang kiểm tra", "Under inspection"),
        "approved": ("Đạt / cấp phép", "Approved"),
        "conditional": ("Đạt có điều kiện", "Approved with conditions"),
        "refused": ("Không đạt / từ chối", "Refused"),
    },
)
add_labels("permit_outcome", {o.value: p for o, p in zip(Outcome, (
    ("Đạt / cấp phép", "Approve"), ("Đạt có điều kiện", "Approve with conditions"), ("Từ chối", "Refuse"),
), strict=True)})  # fmt: skip


@router.get("/agency", name="agency_permits_page")
def permits_page(request: Request, ctx: AgencyPageCtx) -> Response:
    scope = access.agency_scope(ctx.session, ctx.principal)
    rows = repository.listing(ctx.session, scope=scope, statuses=[s.value for s in OPEN])
    agency = AGENCIES[scope.agency or ""]
    return render(
        request, "agency_permits.html", {"items": [views.permit_out(r) for r in rows], "agency": agency}
    )


def _permit_page(
    request: Request, ctx: Any, permit_id: str, errors: dict[str, str], status: int = 200
) -> Response:
    scope = access.agency_scope(ctx.session, ctx.principal)
    row = repository.get(ctx.session, permit_id, scope=scope)
    context = {"p": views.permit_out(row), "errors": errors, "outcomes": [o.value for o in Outcome]}
    return render(request, "agency_permit.html", context, status_code=status)


@router.get("/agency/permits/{permit_id}", name="agency_permit_page")
def permit_page(request: Request, ctx: AgencyPageCtx, permit_id: str) -> Response:
    return _permit_page(request, ctx, permit_id, {})


def _decision_of(form: Any) -> DecisionInput:
    raw = str(form.get("outcome") or "")
    if raw not in {o.value for o in Outcome}:
        raise ValidationFailed("choose an outcome", field="outcome")
    text = {k: str(form.get(k) or "").strip()[:2000] for k in ("reason", "conditions", "lab_reference")}
    return DecisionInput(Outcome(raw), text["reason"], text["conditions"], text["lab_reference"][:80])


@router.post("/agency/permits/{permit_id}/decision", name="agency_decision_submit")
async def decision_submit(request: Request, ctx: AgencyPageCtx, permit_id: str) -> Response:
    form = await request.form()
    check_csrf(ctx.settings.effective_secret_key, request.state.session_token, form.get("csrf"))
    try:
        decision = _decision_of(form)
        service.decide(ctx.session, principal=ctx.principal, permit_id=permit_id, decision=decision)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        ctx.uow.rollback()
        return _permit_page(request, ctx, permit_id, {exc.field or "outcome": exc.message}, exc.status)
    ctx.uow.commit()
    request.app.state.dispatcher_wake()
    response = RedirectResponse(request.app.url_path_for("agency_permits_page"), status_code=303)
    set_flash(response, "ag.saved")
    return response
