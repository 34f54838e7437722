"""Officers' pages: alerts of the supervising unit and the operators' roll-out ranking. Vietnamese first
(?lang=en for English); times shown in Asia/Ho_Chi_Minh."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from haiquan.deps import Ctx
from haiquan.kit import clock
from haiquan.supervision import alerts, registry
from haiquan.supervision.api import list_alerts

router = APIRouter(tags=["pages"], include_in_schema=False)
_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape()
)
_env.filters["vn"] = lambda d: clock.to_vn(d).strftime("%d/%m/%Y %H:%M") if d else ""

TEXT = {
    "vi": {
        "alerts": "Cảnh báo giám sát hải quan",
        "terminals": "Doanh nghiệp kho bãi, cảng — thứ tự triển khai",
        "kind": "Loại",
        "goods": "Vận đơn / container",
        "where": "Địa điểm",
        "message": "Nội dung",
        "status": "Trạng thái",
        "raised": "Thời điểm",
        "note": "Ghi chú",
        "none": "Không có cảnh báo.",
        "rank": "Thứ tự",
        "name": "Doanh nghiệp",
        "unit": "Chi cục giám sát",
        "connection": "Kết nối",
        "tx": "Giao dịch/ngày",
        "teu": "TEU/năm",
        "tonnes": "Tấn/năm",
        "ready": "Sẵn sàng CNTT",
        "score": "Điểm",
        "open": "Đang mở",
        "acknowledged": "Đã tiếp nhận",
        "closed": "Đã đóng",
        "other": "English",
        "surveyed": "Đã khảo sát",
        "testing": "Đang kết nối thử",
        "live": "Đã kết nối chính thức",
    },
    "en": {
        "alerts": "Customs supervision alerts",
        "terminals": "Terminal operators — roll-out ranking",
        "kind": "Kind",
        "goods": "Bill / container",
        "where": "Location",
        "message": "Message",
        "status": "Status",
        "raised": "Raised",
        "note": "Note",
        "none": "No alerts.",
        "rank": "Rank",
        "name": "Operator",
        "unit": "Supervising unit",
        "connection": "Connection",
        "tx": "Transactions/day",
        "teu": "TEU/year",
        "tonnes": "Tonnes/year",
        "ready": "IT readiness",
        "score": "Score",
        "open": "Open",
        "acknowledged": "Acknowledged",
        "closed": "Closed",
        "other": "Tiếng Việt",
        "surveyed": "Surveyed",
        "testing": "Testing",
        "live": "Live",
    },
}


def _render(name: str, lang: str, **kw: Any) -> HTMLResponse:
    lang = "en" if lang == "en" else "vi"
    html = _env.get_template(name).render(t=TEXT[lang], lang=lang, other="vi" if lang == "en" else "en", **kw)
    return HTMLResponse(html)


@router.get("/supervision/alerts", response_class=HTMLResponse)
def alerts_page(
    ctx: Ctx, lang: str = "vi", status: str | None = "open", kind: str | None = None
) -> HTMLResponse:
    rows = list_alerts(ctx, status or None, kind, 200)
    items = [{"row": a, "title": alerts.title(a.kind)[0 if lang != "en" else 1]} for a in rows]
    return _render("alerts.html", lang, items=items, status=status or "", who=ctx.principal.name)


@router.get("/supervision/terminals", response_class=HTMLResponse)
def terminals_page(ctx: Ctx, lang: str = "vi", unit: str | None = None) -> HTMLResponse:
    ranked = registry.ranking(ctx.session, ctx.principal, unit=unit)
    return _render("terminals.html", lang, ranked=ranked, who=ctx.principal.name)
