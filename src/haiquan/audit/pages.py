"""The audit team's Vietnamese pages (English with ?lang=en): the queue of declarations selected for
post-clearance audit, a case with its findings and assessment, and the plans per period and unit."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from haiquan.audit import repository, service
from haiquan.kit.errors import DomainError, NotFound, ValidationFailed
from haiquan.web import nav
from haiquan.web.i18n import add_labels, add_messages
from haiquan.web.render import add_template_dir, render, set_flash
from haiquan.web.session import PageCtx, check_csrf

router = APIRouter(tags=["pages"], include_in_schema=False)
add_template_dir(Path(__file__).parent / "templates")
add_messages(
    {
        "au.queue": ("Kiểm tra sau thông quan: tờ khai chờ kiểm tra", "Post-clearance audit: the queue"),
        "au.none": ("Không có tờ khai nào trong hàng chờ.", "The queue is empty."),
        "au.number": ("Số tờ khai", "Declaration"),
        "au.unit": ("Đơn vị", "Unit"),
        "au.trader": ("Doanh nghiệp", "Trader"),
        "au.source": ("Nguồn lựa chọn", "Selected by"),
        "au.reason": ("Lý do", "Reason"),
        "au.score": ("Điểm rủi ro", "Risk score"),
        "au.open": ("Mở cuộc kiểm tra", "Open an audit"),
        "au.kind": ("Hình thức", "Kind"),
        "au.scope": ("Phạm vi kiểm tra", "Scope"),
        "au.case": ("Cuộc kiểm tra sau thông quan", "Post-clearance audit case"),
        "au.cases": ("Các cuộc kiểm tra", "Cases"),
        "au.status": ("Trạng thái", "Status"),
        "au.officer": ("Công chức được giao", "Officer assigned"),
        "au.findings": ("Kết luận kiểm tra", "Findings"),
        "au.documents": ("Hồ sơ, chứng từ đã kiểm tra", "Documents examined"),
        "au.outcome": ("Kết quả", "Outcome"),
        "au.additional_duty": ("Số thuế khai thiếu (đồng)", "Duty short-paid (VND)"),
        "au.late_interest": ("Tiền chậm nộp (đồng)", "Late interest (VND)"),
        "au.penalty": ("Tiền phạt (đồng)", "Penalty (VND)"),
        "au.amendment": ("Khai bổ sung (AMA) lần", "Amendment (AMA) no."),
        "au.record": ("Ghi nhận kết luận", "Record the findings"),
        "au.close": ("Kết thúc và ra quyết định ấn định thuế", "Close with the tax assessment"),
        "au.plans": ("Kế hoạch kiểm tra sau thông quan", "Audit plans"),
        "au.period": ("Kỳ", "Period"),
        "au.title": ("Tên kế hoạch", "Title"),
        "au.planned": ("Số cuộc dự kiến", "Cases planned"),
        "au.adopt": ("Phê duyệt kế hoạch", "Adopt the plan"),
        "au.saved": ("Đã lưu.", "Saved."),
        "au.one_a_line": ("mỗi dòng một ý", "one a line"),
        "au.class": ("Hạng tuân thủ hiện nay", "Compliance class now"),
        "nav.audit": ("Kiểm tra sau thông quan", "Post-clearance audit"),
    }
)
nav.register("nav.audit", "/audit", roles=("officer", "team_lead", "subdepartment_leader", "department_leader",
                                              "analyst", "administrator"))  # fmt: skip
add_labels("audit_source", {
    "blue_lane": ("Luồng xanh dương", "Blue lane"), "score": ("Điểm rủi ro", "Risk score"),
    "watchlist": ("Danh sách theo dõi", "Watch list"), "finalisation": ("Quyết toán", "Finalisation"),
    "query": ("Truy vấn của chuyên viên", "Analyst query"),
})  # fmt: skip
add_labels(
    "audit_kind", {"desk": ("Tại trụ sở hải quan", "Desk"), "on_site": ("Tại trụ sở doanh nghiệp", "On site")}
)
add_labels("audit_status", {"opened": ("Đang kiểm tra", "Open"), "findings_recorded": ("Đã có kết luận", "Findings"),
                            "closed": ("Đã kết thúc", "Closed")})  # fmt: skip
add_labels("compliance_class", {"high": ("Tuân thủ cao", "High"), "normal": ("Bình thường", "Normal"),
                                "low": ("Tuân thủ thấp", "Low")})  # fmt: skip
add_labels("audit_outcome", {"no_fraud": ("Không vi phạm", "No fraud"), "fraud": ("Có vi phạm", "Fraud"),
                             "critical": ("Vi phạm nghiêm trọng", "Critical fraud")})  # fmt: skip


@router.get("/audit", name="audit_queue_page")
def queue_page(request: Request, ctx: PageCtx) -> Response:
    service.require_auditor(ctx.session, ctx.principal)
    items = repository.queue(ctx.session, scope=ctx.principal.scope)
    cases = repository.cases(ctx.session, scope=ctx.principal.scope, limit=50)
    return render(request, "audit_queue.html", {"items": items, "cases": cases})


@router.get("/audit/cases/{case_id}", name="audit_case_page")
def case_page(request: Request, ctx: PageCtx, case_id: str) -> Response:
    return _case(request, ctx, case_id, {})


def _case(request: Request, ctx: Any, case_id: str, errors: dict[str, str], status: int = 200) -> Response:
    service.require_auditor(ctx.session, ctx.principal)
    row = repository.case(ctx.session, case_id, scope=ctx.principal.scope)
    trader = repository.unscoped_case_trader(ctx.session, row)
    return render(
        request, "audit_case.html", {"c": row, "trader": trader, "errors": errors}, status_code=status
    )


@router.get("/audit/plans", name="audit_plans_page")
def plans_page(request: Request, ctx: PageCtx) -> Response:
    service.require_auditor(ctx.session, ctx.principal)
    return render(
        request, "audit_plans.html", {"plans": repository.plans(ctx.session, scope=ctx.principal.scope)}
    )


def _lines(raw: object) -> list[str]:
    return [x.strip()[:500] for x in str(raw or "").splitlines() if x.strip()][:50]


def _amount(raw: object) -> Decimal:
    try:
        value = Decimal(str(raw or "0").replace(".", "").replace(",", "").strip() or "0")
    except InvalidOperation:
        raise ValidationFailed("a whole number of đồng", field="additional_duty") from None
    if value < 0:
        raise ValidationFailed("a whole number of đồng", field="additional_duty")
    return value


async def _posted(request: Request, ctx: Any) -> Any:
    form = await request.form()
    check_csrf(ctx.settings.effective_secret_key, request.state.session_token, form.get("csrf"))
    return form


def _done(request: Request, ctx: Any, name: str, **params: str) -> Response:
    ctx.uow.commit()
    request.app.state.dispatcher_wake()
    response = RedirectResponse(request.app.url_path_for(name, **params), status_code=303)
    set_flash(response, "au.saved")
    return response


@router.post("/audit/cases", name="audit_case_open")
async def open_submit(request: Request, ctx: PageCtx) -> Response:
    form = await _posted(request, ctx)
    kind = "on_site" if form.get("kind") == "on_site" else "desk"
    row = service.open_case(ctx.session, principal=ctx.principal, number=None,
                            candidate_id=str(form.get("candidate_id") or "")[:32] or None, kind=kind,
                            scope=str(form.get("scope") or "trị giá hải quan / customs value")[:2000])  # fmt: skip
    return _done(request, ctx, "audit_case_page", case_id=row.id)


@router.post("/audit/cases/{case_id}/findings", name="audit_findings_submit")
async def findings_submit(request: Request, ctx: PageCtx, case_id: str) -> Response:
    form = await _posted(request, ctx)
    outcome = str(form.get("outcome") or "")
    try:
        if outcome not in ("no_fraud", "fraud", "critical"):
            raise ValidationFailed("choose an outcome", field="outcome")
        findings = _lines(form.get("findings"))
        if not findings:
            raise ValidationFailed("write at least one finding", field="findings")
        service.record_findings(ctx.session, principal=ctx.principal, case_id=case_id, outcome=outcome,
                                additional_duty=_amount(form.get("additional_duty")), findings=findings,
                                documents=_lines(form.get("documents")))  # fmt: skip
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        ctx.uow.rollback()
        return _case(request, ctx, case_id, {exc.field or "outcome": exc.message}, exc.status)
    return _done(request, ctx, "audit_case_page", case_id=case_id)


@router.post("/audit/cases/{case_id}/close", name="audit_close_submit")
async def close_submit(request: Request, ctx: PageCtx, case_id: str) -> Response:
    await _posted(request, ctx)
    try:
        service.close_case(ctx.session, principal=ctx.principal, case_id=case_id)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        ctx.uow.rollback()
        return _case(request, ctx, case_id, {exc.field or "status": exc.message}, exc.status)
    return _done(request, ctx, "audit_case_page", case_id=case_id)


@router.post("/audit/plans", name="audit_plan_submit")
async def plan_submit(request: Request, ctx: PageCtx) -> Response:
    form = await _posted(request, ctx)
    try:
        planned = int(str(form.get("planned_cases") or "0"))
    except ValueError:
        planned = 0
    if planned < 1:
        raise ValidationFailed("at least one case", field="planned_cases")
    service.adopt_plan(ctx.session, principal=ctx.principal, unit=str(form.get("unit") or "")[:16],
                       period=str(form.get("period") or "")[:10], title=str(form.get("title") or "")[:300],
                       planned_cases=planned, themes=_lines(form.get("themes")))  # fmt: skip
    return _done(request, ctx, "audit_plans_page")
