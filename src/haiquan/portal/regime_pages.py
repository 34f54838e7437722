"""The enterprise's special regimes on the portal (issue #19): its stocks per item and regime, its deadlines
(re-export, bonded storage, processing contract; overdue ones highlighted), its discrepancies, its
finalisation reports with their reconciliation status, the latest ledger entries (filtered by item) and its
ledger as Excel. Read only, through the regimes module's repository with the staff member's scope: the
enterprise's own tax code, never another's."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from haiquan.kit.errors import NotFound
from haiquan.portal import text
from haiquan.portal.domain import Area, require
from haiquan.portal.session import PortalCtx
from haiquan.regimes import (
    finalisation_export,
    finalisation_repository,
    labels,  # noqa: F401  (regimes, entry kinds, deadline states)
    repository,
)
from haiquan.regimes.finalisation_tables import FinalisationRow
from haiquan.web import i18n, nav
from haiquan.web.render import add_template_dir, render

router = APIRouter(include_in_schema=False)
add_template_dir(Path(__file__).parent / "templates")
_ = text
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ITEM = r"^[0-9A-Za-z.\-]{1,20}$"
i18n.add_messages(
    {
        "pt.regimes": ("Loại hình đặc biệt", "Special regimes"),
        "pr.intro": ("Tồn kho, thời hạn, sai lệch và quyết toán của doanh nghiệp theo các loại hình gia công, SXXK, chế xuất, tạm nhập tái xuất, kho ngoại quan.", "Your enterprise's stocks, deadlines, discrepancies and finalisations under processing, export production, EPE, temporary import and bonded warehouse regimes."),
        "pr.never_by_hand": ("Sổ do hệ thống ghi từ tờ khai và thông điệp cổng; điều chỉnh là bút toán mới.", "Written by the platform from declarations and gate messages; corrections are new entries."),
        "pr.balances": ("Tồn kho theo mã hàng và loại hình", "Stock per item and regime"),
        "pr.deadlines": ("Thời hạn", "Deadlines"),
        "pr.discrepancies": ("Sai lệch", "Discrepancies"),
        "pr.finalisations": ("Báo cáo quyết toán", "Finalisation reports"),
        "pr.ledger": ("Sổ theo dõi (bút toán gần nhất)", "Ledger (latest entries)"),
        "pr.xlsx": ("Tải sổ theo dõi (Excel)", "Download the ledger (Excel)"),
        "pr.none": ("Không có.", "None."),
        "pr.regime": ("Loại hình", "Regime"), "pr.item": ("Mã hàng", "Item"), "pr.unit": ("ĐVT", "Unit"),
        "pr.in": ("Nhập", "In"), "pr.out": ("Xuất", "Out"), "pr.held": ("Tồn", "Held"),
        "pr.due_on": ("Hạn", "Due on"), "pr.state": ("Tình trạng", "State"), "pr.kind": ("Loại", "Kind"),
        "pr.declaration": ("Tờ khai", "Declaration"), "pr.left": ("Còn lại", "Left"),
        "pr.duty": ("Thuế liên quan (đồng)", "Duty at stake (VND)"), "pr.at": ("Thời điểm", "At"),
        "pr.quantity": ("Lượng", "Quantity"), "pr.status": ("Trạng thái", "Status"),
        "pr.location": ("Địa điểm", "Location"), "pr.period": ("Kỳ báo cáo", "Period"),
        "pr.filed": ("Nộp lúc", "Filed"), "pr.reconciled": ("Đối chiếu", "Reconciliation"),
        "pr.code": ("Mã loại hình", "Type code"), "pr.entry": ("Loại bút toán", "Entry kind"),
        "pr.filter_item": ("Lọc theo mã hàng", "Filter by item"), "pr.latest": ("Số bút toán", "Entries"),
        "pr.filter": ("Lọc", "Filter"),
        "pr.dl.reexport": ("Tái xuất", "Re-export"), "pr.dl.storage": ("Lưu kho ngoại quan", "Bonded storage"),
        "pr.dl.contract": ("Hợp đồng gia công", "Processing contract"),
        "pr.rec.matched": ("Khớp", "Matched"), "pr.rec.open": ("Có chênh lệch đang xử lý", "Discrepancies being reviewed"),
        "pr.rec.resolved": ("Chênh lệch đã xử lý", "Discrepancies resolved"),
    }
)  # fmt: skip
nav.register("pt.regimes", "/portal/regimes", roles=None)


def _tax_code(ctx: PortalCtx) -> str:
    tax_code = ctx.principal.scope.tax_code
    if tax_code is None:
        raise NotFound("no enterprise in this scope", field="tax_code")
    return tax_code


def _reconciliation(ctx: PortalCtx, f: FinalisationRow) -> str:
    """matched (no discrepancy), open (one still with the officer) or resolved (all decided)."""
    if not f.discrepancies:
        return "matched"
    found = finalisation_repository.lines(ctx.session, f.id, scope=ctx.principal.scope)
    return "open" if any(x.task == "open" for x in found) else "resolved"


@router.get("/portal/regimes", name="portal_regimes")
def regimes_page(
    request: Request,
    ctx: PortalCtx,
    item: Annotated[str | None, Query(pattern=ITEM)] = None,
    n: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Response:
    require(ctx.principal.role, Area.DECLARATIONS)
    s, scope, tax_code = ctx.session, ctx.principal.scope, _tax_code(ctx)
    reports = finalisation_repository.finalisations(s, scope=scope, tax_code=tax_code, limit=20)
    context: dict[str, Any] = {
        "tax_code": tax_code, "item": item or "", "n": n,
        "balances": repository.balances(s, scope=scope, tax_code=tax_code),
        "deadlines": repository.deadlines(s, scope=scope, tax_code=tax_code),
        "discrepancies": repository.discrepancies(s, scope=scope, tax_code=tax_code),
        "reports": [(f, _reconciliation(ctx, f)) for f in reports],
        "legs": repository.ledger_legs(s, scope=scope, tax_code=tax_code, item_code=item, limit=n,
                                       newest_first=True),
    }  # fmt: skip
    return render(request, "portal_regimes.html", context)


@router.get("/portal/regimes/ledger.xlsx", name="portal_regimes_xlsx")
def ledger_xlsx(request: Request, ctx: PortalCtx) -> Response:
    require(ctx.principal.role, Area.DECLARATIONS)
    tax_code = _tax_code(ctx)
    data = finalisation_export.ledger_xlsx(ctx.session, scope=ctx.principal.scope, tax_code=tax_code,
                                           lang=i18n.lang_of(request))  # fmt: skip
    name = f"ledger_{tax_code}.xlsx"
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})
