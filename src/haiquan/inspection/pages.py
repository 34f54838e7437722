"""Officers' pages of inspection (Vietnamese first): the locations of the officer's units with the on-site
check and the approval as forms (`/inspection/locations`), and one scanner image served from customs'
store (`/inspection/scans/{id}/image`, shown on a declaration's inspection form)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse, Response

from haiquan.deps import audit_refusal, get_db
from haiquan.inspection import repository as repo
from haiquan.inspection import service, views
from haiquan.inspection.domain import InspectionLocationStatus
from haiquan.inspection.schemas import ApprovalDecisionIn, LocationCheckIn
from haiquan.kit.errors import DomainError
from haiquan.web import nav
from haiquan.web.i18n import add_labels, add_messages
from haiquan.web.render import add_template_dir, render, set_flash
from haiquan.web.session import PageCtx, check_csrf

router = APIRouter(tags=["pages"], include_in_schema=False)
add_template_dir(Path(__file__).parent / "templates")
nav.register("nav.inspection", "/inspection/locations")
Id = Annotated[str, PathParam(pattern=r"^[0-9a-f]{32}$")]

add_messages({
    "nav.inspection": ("Địa điểm kiểm tra", "Inspection locations"),
    "insp.title": ("Địa điểm kiểm tra tập trung và kho chuyển phát nhanh", "Inspection locations and express warehouses"),
    "insp.code": ("Mã địa điểm", "Location code"),
    "insp.name": ("Tên", "Name"),
    "insp.operator": ("Doanh nghiệp", "Operator"),
    "insp.conditions": ("Điều kiện", "LocationConditions"),
    "insp.area": ("Diện tích (m²)", "Area (m²)"),
    "insp.scanners": ("Máy soi", "Scanners"),
    "insp.cameras": ("Camera", "Cameras"),
    "insp.status": ("Trạng thái", "Status"),
    "insp.action": ("Xử lý", "Action"),
    "insp.note": ("Ghi chú", "Note"),
    "insp.check_pass": ("Đạt điều kiện", "LocationConditions met"),
    "insp.check_return": ("Trả hồ sơ", "Return"),
    "insp.approve": ("Phê duyệt", "Approve"),
    "insp.refuse": ("Từ chối", "Refuse"),
    "insp.none": ("Chưa có địa điểm nào.", "No location yet."),
    "insp.saved": ("Đã ghi nhận.", "Recorded."),
    "insp.approved_as": ("Phê duyệt bởi", "Approved by"),
    "insp.delegate": ("được ủy quyền", "by delegation"),
    "insp.director": ("Cục trưởng", "director"),
    "scan.title": ("Ảnh máy soi", "Scanner images"),
    "scan.verdict": ("Kết luận của doanh nghiệp", "Operator's verdict"),
    "scan.where": ("Địa điểm / máy soi", "Location / scanner"),
    "scan.hash": ("SHA-256", "SHA-256"),
    "scan.open": ("Mở ảnh", "Open the image"),
    "scan.dicos": ("Tệp DICOS: mở bằng phần mềm xem DICOS", "DICOS object: open in a DICOS viewer"),
    "scan.effect": ("Tác động", "Effect"),
})  # fmt: skip
add_labels("location_status", {
    "submitted": ("Đã nộp hồ sơ", "Submitted"), "returned": ("Trả hồ sơ", "Returned"),
    "checked": ("Đã kiểm tra", "Checked"), "approved": ("Đã phê duyệt", "Approved"),
    "refused": ("Từ chối", "Refused"), "withdrawn": ("Rút hồ sơ", "Withdrawn"),
})  # fmt: skip
add_labels("location_kind", {
    "centralised": ("Địa điểm kiểm tra tập trung", "Centralised inspection location"),
    "express_warehouse": ("Kho hàng chuyển phát nhanh", "Express warehouse"),
})  # fmt: skip
add_labels("verdict", {"clear": ("Không nghi vấn", "Clear"), "suspicious": ("Nghi vấn", "Suspicious")})
add_labels("scan_effect", {
    "recorded": ("Đã ghi nhận", "Recorded"), "turned_red": ("Chuyển luồng đỏ", "Turned red"),
    "already_red": ("Đã ở luồng đỏ", "Already red"), "flagged": ("Đánh dấu cho công chức", "Flagged"),
    "held": ("Tạm giữ bưu kiện", "Parcel held"),
})  # fmt: skip


@router.get("/inspection/locations", name="inspection_locations")
def locations_page(request: Request, ctx: PageCtx) -> Response:
    scope = service.approver_scope(ctx.session, ctx.principal)
    rows = repo.list_locations(ctx.session, scope=scope)
    can_approve = {
        r.id
        for r in rows
        if r.status == InspectionLocationStatus.CHECKED and service.may_approve(ctx.session, ctx.principal, r)
    }
    return render(request, "inspection_locations.html", {"items": rows, "can_approve": can_approve,
                                                         "can_check": ctx.principal.role in service.CHECK_ROLES})  # fmt: skip


async def _act(request: Request, ctx: PageCtx, location_id: str, act: str) -> Response:
    posted = await request.form()
    check_csrf(ctx.settings.effective_secret_key, request.state.session_token, posted.get("csrf"))
    note = str(posted.get("note") or "")[:2000]
    try:
        if act == "check":
            data = LocationCheckIn(passed=posted.get("passed") == "yes", note=note)
            service.check(ctx.session, principal=ctx.principal, location_id=location_id, data=data)
        else:
            choice = ApprovalDecisionIn(
                decision="approve" if posted.get("decision") == "approve" else "refuse", note=note
            )
            service.decide(ctx.session, principal=ctx.principal, location_id=location_id, data=choice)
    except DomainError as exc:
        ctx.uow.rollback()
        if exc.status == 403:
            audit_refusal(get_db(request), request, ctx.principal.label, exc.message)
        return render(
            request, "error.html", {"message": exc.message, "status": exc.status}, status_code=exc.status
        )
    ctx.uow.commit()
    response = RedirectResponse(request.app.url_path_for("inspection_locations"), status_code=303)
    set_flash(response, "insp.saved")
    return response


@router.post("/inspection/locations/{location_id}/check", name="inspection_check")
async def check_submit(request: Request, ctx: PageCtx, location_id: Id) -> Response:
    return await _act(request, ctx, location_id, "check")


@router.post("/inspection/locations/{location_id}/decision", name="inspection_decision")
async def decision_submit(request: Request, ctx: PageCtx, location_id: Id) -> Response:
    return await _act(request, ctx, location_id, "decision")


@router.get("/inspection/scans/{scan_id}/image", name="scanner_image")
def scanner_image(ctx: PageCtx, scan_id: Id) -> Response:
    row = views.readable_scan(ctx.session, principal=ctx.principal, scan_id=scan_id)
    data = views.image_bytes(row, ctx.settings.data_dir)
    headers = {
        "Cache-Control": "private, max-age=300",
        "X-Content-Type-Options": "nosniff",
        "ETag": f'"{row.sha256}"',
    }
    return Response(data, media_type=row.content_type, headers=headers)
