"""Officers' pages, on the shared web layer (the officer's session, anonymous → /login?next=…, the shared
layout and navigation, Vietnamese first, `?lang=en` for English, times in Asia/Ho_Chi_Minh): the alerts of
the supervising unit, one consignment's story (manifest, gate messages, declarations, alerts) and the
operators' roll-out ranking."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from sqlalchemy import select

from haiquan.cargo.tables import ConsignmentRow, ManifestRow
from haiquan.organization.tables import EnterpriseRow
from haiquan.supervision import alerts, registry
from haiquan.supervision import status as goods_status
from haiquan.supervision.api import list_alerts
from haiquan.supervision.tables import AlertRow, MovementRow, OperatorRow
from haiquan.web.i18n import add_labels, add_messages, lang_of
from haiquan.web.render import add_template_dir, render
from haiquan.web.session import PageCtx

router = APIRouter(tags=["pages"], include_in_schema=False)
add_template_dir(Path(__file__).parent / "templates")

add_messages(
    {
        "sv.alerts": ("Cảnh báo giám sát hải quan", "Customs supervision alerts"),
        "sv.terminals": (
            "Doanh nghiệp kho bãi, cảng — thứ tự triển khai",
            "Terminal operators — roll-out ranking",
        ),
        "sv.goods": ("Lô hàng", "Consignment"),
        "sv.kind": ("Loại", "Kind"),
        "sv.bill": ("Vận đơn / container", "Bill / container"),
        "sv.where": ("Địa điểm", "Location"),
        "sv.message": ("Nội dung", "Message"),
        "sv.status": ("Trạng thái", "Status"),
        "sv.raised": ("Thời điểm", "Raised"),
        "sv.note": ("Ghi chú", "Note"),
        "sv.none": ("Không có cảnh báo.", "No alerts."),
        "sv.all": ("Tất cả", "All"),
        "sv.rank": ("Thứ tự", "Rank"),
        "sv.operator": ("Doanh nghiệp", "Operator"),
        "sv.unit": ("Chi cục giám sát", "Supervising unit"),
        "sv.connection": ("Kết nối", "Connection"),
        "sv.tx": ("Giao dịch/ngày", "Transactions/day"),
        "sv.teu": ("TEU/năm", "TEU/year"),
        "sv.tonnes": ("Tấn/năm", "Tonnes/year"),
        "sv.ready": ("Sẵn sàng CNTT", "IT readiness"),
        "sv.score": ("Điểm", "Score"),
        "sv.manifest": ("Bản khai hàng hoá (manifest)", "E-manifest"),
        "sv.vessel": ("Tàu / chuyến", "Vessel / voyage"),
        "sv.carrier": ("Hãng vận chuyển", "Carrier"),
        "sv.arrival": ("Dự kiến đến", "Expected arrival"),
        "sv.received": ("Nhận lúc", "Received"),
        "sv.late": ("Gửi muộn {m} phút", "Sent {m} minutes late"),
        "sv.packages": ("Số kiện", "Packages"),
        "sv.may_leave": ("Hàng được phép qua khu vực giám sát", "The goods may leave"),
        "sv.may_not_leave": ("Hàng chưa được phép qua khu vực giám sát", "The goods may not leave yet"),
        "sv.gone": ("Hàng đã ra khỏi khu vực giám sát", "The goods have left the controlled area"),
        "sv.containers": ("Container / hàng", "Containers / goods"),
        "sv.seal": ("Seal", "Seal"),
        "sv.gate_in_at": ("Get-In", "Gate-in"),
        "sv.gate_out_at": ("Get-Out", "Gate-out"),
        "sv.movements": ("Thông điệp Get-In / Get-Out", "Gate messages"),
        "sv.at": ("Thời điểm", "At"),
        "sv.outcome": ("Kết quả", "Outcome"),
        "sv.declarations": ("Tờ khai", "Declarations"),
        "sv.no_declaration": ("Chưa có tờ khai.", "No declaration yet."),
        "sv.number": ("Số tờ khai", "Number"),
        "sv.channel": ("Luồng", "Channel"),
    }
)
add_labels(
    "sv_state",
    {
        "expected": ("Chưa đến", "Expected"),
        "in": ("Trong khu vực giám sát", "In the controlled area"),
        "out": ("Đã ra", "Left"),
        "moving": ("Đang vận chuyển", "In transit"),
    },
)
add_labels(
    "sv_kind",
    {"gate_in": ("Get-In", "Gate-in"), "gate_out": ("Get-Out", "Gate-out"), "stock": ("Tồn", "Stock")},
)
add_labels("sv_outcome", {"applied": ("Chấp nhận", "Applied"), "refused": ("Từ chối", "Refused")})
add_labels(
    "sv_alert",
    {
        "open": ("Đang mở", "Open"),
        "acknowledged": ("Đã tiếp nhận", "Acknowledged"),
        "closed": ("Đã đóng", "Closed"),
        "surveyed": ("Đã khảo sát", "Surveyed"),
        "testing": ("Đang kết nối thử", "Testing"),
        "live": ("Đã kết nối chính thức", "Live"),
    },
)
GoodsId = Annotated[str, PathParam(min_length=1, max_length=60)]


@router.get("/supervision/alerts")
def alerts_page(
    request: Request, ctx: PageCtx, status: str | None = "open", kind: str | None = None
) -> Response:
    lang = lang_of(request)
    rows = list_alerts(ctx, status or None, kind, 200)
    items = [{"row": a, "title": alerts.title(a.kind)[0 if lang != "en" else 1]} for a in rows]
    return render(request, "supervision_alerts.html", {"items": items, "status": status or ""})


@router.get("/supervision/goods/{goods_id}", name="supervision_goods_page")
def goods_page(request: Request, ctx: PageCtx, goods_id: GoodsId) -> Response:
    """One consignment as customs followed it: what the carrier declared, each gate message with its
    outcome, the declarations covering it and the alerts raised; officers of the supervising unit only."""
    s = ctx.session
    answer = goods_status.of_consignment(s, principal=ctx.principal, ident=goods_id)
    c = s.get(ConsignmentRow, answer.consignment_id)
    assert c is not None
    manifest = s.get(ManifestRow, c.manifest_id)
    carrier = s.get(EnterpriseRow, manifest.carrier_id) if manifest else None
    moves = list(
        s.scalars(
            select(MovementRow).where(MovementRow.goods_id == c.goods_id).order_by(MovementRow.id).limit(500)
        )
    )
    operators = dict(
        s.execute(
            select(OperatorRow.id, OperatorRow.name).where(OperatorRow.id.in_({m.operator_id for m in moves}))
        ).all()
    )
    raised = s.scalars(select(AlertRow).where(AlertRow.goods_id == c.goods_id).order_by(AlertRow.id)).all()
    lang = lang_of(request)
    context = {
        "answer": answer,
        "consignment": c,
        "manifest": manifest,
        "carrier": carrier,
        "moves": moves,
        "operators": operators,
        "alerts": [{"row": a, "title": alerts.title(a.kind)[0 if lang != "en" else 1]} for a in raised],
    }
    return render(request, "supervision_goods.html", context)


@router.get("/supervision/terminals")
def terminals_page(request: Request, ctx: PageCtx, unit: str | None = None) -> Response:
    ranked = registry.ranking(ctx.session, ctx.principal, unit=unit)
    return render(request, "supervision_terminals.html", {"ranked": ranked})
