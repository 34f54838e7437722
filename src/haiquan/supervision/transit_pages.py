"""The officer's pages of the transits traders declare (Vietnamese first, English with ?lang=en): those
arriving at and leaving from the officer's units; one transit with the departure office's accept and refuse
forms and the destination office's arrival form (the same use cases as the API)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from pydantic import ValidationError

from haiquan.kit.auth import DECIDING_ROLES
from haiquan.kit.errors import DomainError
from haiquan.supervision import transit_declarations, transit_foreign
from haiquan.supervision.schemas import TransitArrivalIn, TransitRefuseIn
from haiquan.web import i18n, nav, workforms
from haiquan.web.render import add_template_dir, render
from haiquan.web.session import PageCtx

router = APIRouter(include_in_schema=False)
add_template_dir(Path(__file__).parent / "templates")
TransitId = Annotated[str, PathParam(pattern=r"^[0-9a-f]{32}$")]
LIST_LIMIT = 200

i18n.add_messages(
    {
        "nav.transits": ("Hàng vận chuyển", "Transits"),
        "tr.title": ("Hàng vận chuyển chịu sự giám sát hải quan", "Goods moving under customs control"),
        "tr.arriving": ("Đến đơn vị", "Arriving at my units"),
        "tr.leaving": ("Đi từ đơn vị", "Leaving from my units"),
        "tr.none": ("Không có tờ khai vận chuyển nào.", "No transit."),
        "tr.number": ("Số tờ khai vận chuyển", "Transit number"),
        "tr.transport": ("Loại hình", "Transport"),
        "tr.trader": ("Doanh nghiệp (MST)", "Trader (tax code)"),
        "tr.from": ("Hải quan đi", "Departure office"),
        "tr.origin_node": ("khai tại nút", "declared at node"),
        "tr.to": ("Hải quan đến", "Destination office"),
        "tr.route": ("Tuyến đường", "Route"),
        "tr.hours": ("Thời gian cho phép (giờ)", "Hours allowed"),
        "tr.deadline": ("Hạn đến", "Due by"),
        "tr.goods": ("Hàng hóa", "Goods"),
        "tr.seals": ("Số seal", "Seals"),
        "tr.containers": ("Số container", "Containers"),
        "tr.duty": ("Số thuế bảo lãnh (VND)", "Duty guaranteed (VND)"),
        "tr.guarantee": ("Bảo lãnh", "Guarantee"),
        "tr.status": ("Trạng thái", "Status"),
        "tr.overdue": ("Quá hạn", "Overdue"),
        "tr.outcome": ("Kết quả khi đến", "Outcome on arrival"),
        "tr.accept": ("Chấp nhận cho vận chuyển", "Accept the transit"),
        "tr.refuse": ("Từ chối", "Refuse"),
        "tr.reason": ("Lý do", "Reason"),
        "tr.arrival": ("Xác nhận hàng đến", "Record the arrival"),
        "tr.seals_found": ("Seal khi đến (mỗi số một dòng)", "Seals found (one a line)"),
        "tr.discrepancy": ("Có sai lệch khác (số kiện, hư hỏng)", "Another discrepancy (count, damage)"),
        "tr.note": ("Ghi chú", "Note"),
        "tr.back": ("Danh sách hàng vận chuyển", "All transits"),
        "tr.done.accept": ("Đã chấp nhận tờ khai vận chuyển", "The transit is accepted"),
        "tr.done.refuse": ("Đã từ chối tờ khai vận chuyển", "The transit is refused"),
        "tr.done.arrival": ("Đã xác nhận hàng đến", "The arrival is recorded"),
    }
)
i18n.add_labels(
    "transit_status",
    {
        "declared": ("Chờ chấp nhận", "Declared"),
        "accepted": ("Đang vận chuyển", "Under way"),
        "refused": ("Bị từ chối", "Refused"),
        "cancelled": ("Đã hủy", "Cancelled"),
        "arrived": ("Đã đến", "Arrived"),
    },
)
i18n.add_labels(
    "transit_outcome",
    {
        "intact": ("Seal nguyên vẹn", "Seals intact"),
        "discrepancy": ("Có sai lệch", "Discrepancy"),
        "": ("", ""),
    },
)
nav.register("nav.transits", "/supervision/transits", roles=tuple(sorted(DECIDING_ROLES)))


@router.get("/supervision/transits", name="transit_list_page")
def transit_list(request: Request, ctx: PageCtx) -> Response:
    ctx.principal.require_officer()
    scope = ctx.principal.scope
    lists = {
        way: transit_foreign.listing(
            ctx.session, scope=scope, status=None, arriving=way == "arriving", limit=LIST_LIMIT
        )
        for way in ("arriving", "leaving")
    }  # fmt: skip
    return render(request, "supervision_transits.html", {"lists": lists})


def _page(request: Request, ctx: Any, transit_id: str, errors: workforms.Errors | None = None,
          values: dict[str, str] | None = None, status_code: int = 200) -> Response:  # fmt: skip
    ctx.principal.require_officer()
    scope = ctx.principal.scope
    t = transit_foreign.find(ctx.session, transit_id, scope=scope)
    context = {
        "tr": t,
        "at_departure": scope.covers_unit(t.departure_office),
        "at_destination": scope.covers_unit(t.destination_office),
        "errors": errors or workforms.Errors(i18n.lang_of(request)),
        "values": values or {},
        "action": (values or {}).get("action", ""),
    }
    return render(request, "supervision_transit.html", context, status_code=status_code)


@router.get("/supervision/transits/{transit_id}", name="transit_page")
def transit_page(request: Request, ctx: PageCtx, transit_id: TransitId) -> Response:
    return _page(request, ctx, transit_id)


def _act(ctx: Any, action: str, transit_id: str, values: dict[str, str]) -> None:
    kw = {"principal": ctx.principal, "transit_id": transit_id}
    if action == "accept":
        transit_declarations.accept(ctx.session, **kw)
    elif action == "refuse":
        body = TransitRefuseIn(reason=values.get("reason", ""))
        transit_declarations.refuse(ctx.session, reason=body.reason, **kw)
    else:
        seals = [s.strip() for s in values.get("seals_found", "").splitlines() if s.strip()]
        arrival = TransitArrivalIn(
            seals_found=seals, discrepancy=values.get("discrepancy") == "on", note=values.get("note", "")
        )
        transit_foreign.close(ctx.session, data=arrival, **kw)


@router.post("/supervision/transits/{transit_id}/{action}", name="transit_action")
async def transit_action(request: Request, ctx: PageCtx, transit_id: TransitId, action: str) -> Response:
    values = await workforms.posted(request, ctx)
    values["action"] = action
    errors = workforms.Errors(i18n.lang_of(request))
    transit_foreign.find(ctx.session, transit_id, scope=ctx.principal.scope)  # the not-found page
    if action not in ("accept", "refuse", "arrival"):
        errors.add("form", "err.choice")
        return _page(request, ctx, transit_id, errors, values, errors.status)
    try:
        _act(ctx, action, transit_id, values)
    except ValidationError as exc:
        workforms.from_validation(errors, exc)
    except DomainError as exc:
        workforms.from_domain(request, ctx, errors, exc)
    if errors:
        return _page(request, ctx, transit_id, errors, values, errors.status)
    url = request.app.url_path_for("transit_page", transit_id=transit_id)
    return workforms.done(ctx, url, f"tr.done.{action}")
