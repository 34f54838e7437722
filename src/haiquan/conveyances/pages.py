"""Officers' pages (Vietnamese, English with ?lang=en): arrivals and departures at the ports of the
officer's units; for targeting officers, the people flagged before arrival (each view audited)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from haiquan.conveyances import repository, targeting, views
from haiquan.kit.auth import Role
from haiquan.web import nav
from haiquan.web.i18n import add_labels, add_messages
from haiquan.web.render import add_template_dir, render
from haiquan.web.session import PageCtx

router = APIRouter(tags=["pages"], include_in_schema=False)
add_template_dir(Path(__file__).parent / "templates")
add_messages(
    {
        "cv.title": ("Phương tiện xuất cảnh, nhập cảnh", "Arrivals and departures"),
        "cv.intro": (
            "Tàu biển, tàu bay tại các cửa khẩu của đơn vị",
            "Vessels and aircraft at your units' ports",
        ),
        "cv.none": ("Chưa có thông tin phương tiện nào.", "No arrival or departure reported."),
        "cv.direction": ("Chiều", "Direction"),
        "cv.craft": ("Phương tiện", "Craft"),
        "cv.voyage": ("Chuyến", "Voyage / flight"),
        "cv.route": ("Hành trình", "Route"),
        "cv.scheduled": ("Dự kiến", "Scheduled"),
        "cv.actual": ("Thực tế", "Actual"),
        "cv.crew": ("Thuyền viên / tổ bay", "Crew"),
        "cv.passengers": ("Hành khách", "Passengers"),
        "cv.version": ("Lần khai", "Version"),
        "cv.flagged": ("Nghi vấn", "Flagged"),
        "cv.office": ("Đơn vị", "Office"),
        "cv.screening": ("Soi chiếu hành khách trước khi đến", "Pre-arrival screening of people"),
        "cv.screening_intro": (
            "Hành khách, thuyền viên trùng hoặc gần trùng danh sách theo dõi. Mỗi lần xem đều được ghi nhật ký.",
            "Passengers and crew matching a watch list. Each view is written to the audit log.",
        ),
        "cv.no_hits": ("Không có người nào nghi vấn.", "Nobody flagged."),
        "cv.person": ("Họ tên", "Name"),
        "cv.dob": ("Ngày sinh", "Date of birth"),
        "cv.nationality": ("Quốc tịch", "Nationality"),
        "cv.document": ("Giấy tờ", "Document"),
        "cv.score": ("Điểm", "Score"),
        "cv.kind": ("Loại", "Match"),
        "cv.reasons": ("Lý do", "Why"),
        "cv.watch": ("Danh sách theo dõi", "Watch list entry"),
        "nav.conveyances": ("Phương tiện XNC", "Conveyances"),
        "nav.person_screening": ("Soi chiếu hành khách", "People screening"),
    }
)
add_labels(
    "conveyance_direction", {"arrival": ("Nhập cảnh", "Arrival"), "departure": ("Xuất cảnh", "Departure")}
)
add_labels("match_kind", {"exact": ("Trùng khớp", "Exact"), "fuzzy": ("Gần đúng", "Fuzzy")})
nav.register("nav.conveyances", "/conveyances")
nav.register("nav.person_screening", "/conveyances/screening", roles=(Role.TARGETING_OFFICER.value,))


@router.get("/conveyances", name="conveyances_page")
def conveyances_page(request: Request, ctx: PageCtx) -> Response:
    p = ctx.principal
    rows = repository.listing(ctx.session, scope=p.scope, limit=200)
    show = targeting.is_targeting(p)
    flagged = repository.flagged_counts(ctx.session, [r.id for r in rows], scope=p.scope) if show else {}
    items = [views.report_out(r, flagged=flagged.get(r.id, 0) if show else None) for r in rows]
    return render(request, "conveyances.html", {"items": items, "targeting": show})


@router.get("/conveyances/screening", name="person_screening_page")
def screening_page(request: Request, ctx: PageCtx) -> Response:
    """Targeting officers only (403 for others); the read is audited, so the page commits it."""
    found = targeting.read_hits(ctx.session, principal=ctx.principal, limit=500)
    ctx.uow.commit()
    return render(request, "person_screening.html", {"hits": [views.hit_out(h, p, c) for h, p, c in found]})
