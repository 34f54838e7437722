"""The officers' pages of the special regimes, Vietnamese first (English with ?lang=en): the regimes of
the officer's units (alerts, deadlines due, discrepancies, enterprises under a regime), one enterprise's
stocks, ledger, deadlines and monthly flows, and the export-processing enterprises. Read only: the ledger
is written by consumers, never by hand."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from haiquan.regimes import repository
from haiquan.regimes.domain import DeadlineState
from haiquan.regimes.rules import REGIME_NAMES, rules
from haiquan.web import nav
from haiquan.web.i18n import add_labels, add_messages
from haiquan.web.render import add_template_dir, render
from haiquan.web.session import PageCtx

router = APIRouter(tags=["pages"], include_in_schema=False)
add_template_dir(Path(__file__).parent / "templates")
add_messages(
    {
        "rg.title": ("Loại hình đặc thù", "Special regimes"),
        "rg.intro": ("Gia công, SXXK, chế xuất, tạm nhập tái xuất, kho ngoại quan của đơn vị", "Processing, export production, EPEs, temporary imports and bonded warehouses of your units"),
        "rg.alerts": ("Cảnh báo", "Alerts"),
        "rg.deadlines": ("Thời hạn sắp đến và quá hạn", "Deadlines due soon and overdue"),
        "rg.all_deadlines": ("Thời hạn", "Deadlines"),
        "rg.discrepancies": ("Sai lệch", "Discrepancies"),
        "rg.enterprises": ("Doanh nghiệp có tồn theo loại hình", "Enterprises under a regime"),
        "rg.epes": ("Doanh nghiệp chế xuất", "Export-processing enterprises"),
        "rg.none": ("Không có.", "None."),
        "rg.tax_code": ("Mã số thuế", "Tax code"),
        "rg.regime": ("Loại hình", "Regime"),
        "rg.entries": ("Số bút toán", "Entries"),
        "rg.item": ("Mã hàng", "Item"),
        "rg.unit_of": ("ĐVT", "Unit"),
        "rg.in": ("Nhập", "In"),
        "rg.out": ("Xuất", "Out"),
        "rg.held": ("Tồn", "Held"),
        "rg.balances": ("Tồn kho theo loại hình", "Stock under each regime"),
        "rg.ledger": ("Sổ theo dõi (bút toán gần nhất)", "Ledger (latest entries)"),
        "rg.flows": ("Luồng hàng theo tháng", "Flows by month"),
        "rg.month": ("Tháng", "Month"),
        "rg.kind": ("Loại bút toán", "Entry kind"),
        "rg.quantity": ("Lượng", "Quantity"),
        "rg.value": ("Trị giá (đồng)", "Value (VND)"),
        "rg.declaration": ("Tờ khai", "Declaration"),
        "rg.line": ("Dòng", "Line"),
        "rg.code": ("Mã loại hình", "Type code"),
        "rg.at": ("Thời điểm", "At"),
        "rg.due_on": ("Hạn", "Due on"),
        "rg.left": ("Còn lại", "Left"),
        "rg.duty": ("Thuế liên quan (đồng)", "Duty at stake (VND)"),
        "rg.duty_booked": ("Thuế đã ấn định (đồng)", "Duty assessed (VND)"),
        "rg.state": ("Tình trạng", "State"),
        "rg.status": ("Trạng thái", "Status"),
        "rg.zone": ("Khu", "Zone"),
        "rg.since": ("Từ ngày", "Since"),
        "rg.location": ("Địa điểm", "Location"),
        "rg.message": ("Nội dung", "Message"),
        "rg.open": ("Xem", "Open"),
        "rg.epe_boundary": (
            "Hàng hóa giữa doanh nghiệp chế xuất và thị trường nội địa là hàng xuất khẩu, nhập khẩu: DNCX khai theo mã E11, E13, E15, E42.",
            "Goods between an export-processing enterprise and the domestic market are exports and imports: the EPE declares under E11, E13, E15, E42.",
        ),
        "rg.never_by_hand": (
            "Sổ do hệ thống ghi từ tờ khai và thông điệp cổng; điều chỉnh là bút toán mới.",
            "Written by the platform from declarations and gate messages; corrections are new entries.",
        ),
        "nav.regimes": ("Loại hình đặc thù", "Special regimes"),
    }
)  # fmt: skip
add_labels("regime", {r.value: pair for r, pair in REGIME_NAMES.items()})
add_labels(
    "regime_entry",
    {
        "in": ("Nhập", "In"), "out": ("Xuất", "Out"), "produced": ("Sản xuất", "Produced"),
        "reexport": ("Tái xuất", "Re-exported"), "domestic_sale": ("Bán nội địa", "Sold inland"),
        "transfer": ("Chuyển loại hình", "Transferred"), "scrap": ("Phế liệu", "Scrap"),
        "consumed": ("Tiêu hao", "Consumed"), "correction": ("Điều chỉnh", "Correction"),
    },
)  # fmt: skip
add_labels("regime_deadline_state", {s.value: p for s, p in zip(DeadlineState, (
    ("Còn hạn", "Open"), ("Sắp đến hạn", "Due soon"), ("Quá hạn", "Overdue"), ("Đã hoàn thành", "Discharged"),
), strict=True)})  # fmt: skip
add_labels("regime_discrepancy", {
    "outflow_exceeds_stock": ("Xuất vượt tồn", "Outflow over the stock"),
    "gate_exit_without_declaration": ("Ra cổng không có tờ khai", "Out of the gate without a declaration"),
})  # fmt: skip
nav.register("nav.regimes", "/regimes", roles=None)
DUE = (DeadlineState.DUE_SOON.value, DeadlineState.OVERDUE.value)


@router.get("/regimes", name="regimes_page")
def regimes_page(request: Request, ctx: PageCtx) -> Response:
    ctx.principal.require_officer()
    s, scope = ctx.session, ctx.principal.scope
    return render(request, "regimes.html", {
        "alerts": repository.alerts(s, scope=scope), "deadlines": repository.deadlines(s, scope=scope, states=DUE),
        "discrepancies": repository.discrepancies(s, scope=scope, status="open"),
        "enterprises": repository.enterprises_under_regimes(s, scope=scope), "epes": repository.epes(s, scope=scope),
    })  # fmt: skip


@router.get("/regimes/enterprises/{tax_code}", name="regimes_enterprise_page")
def enterprise_page(request: Request, ctx: PageCtx, tax_code: str) -> Response:
    ctx.principal.require_officer()
    s, scope = ctx.session, ctx.principal.scope
    legs = repository.ledger_legs(s, scope=scope, tax_code=tax_code, limit=1000)[-200:]
    epe = next((e for e in repository.epes(s, scope=scope) if e.tax_code == tax_code), None)
    return render(request, "regimes_enterprise.html", {
        "tax_code": tax_code, "balances": repository.balances(s, scope=scope, tax_code=tax_code),
        "legs": list(reversed(legs)), "deadlines": repository.deadlines(s, scope=scope, tax_code=tax_code),
        "discrepancies": repository.discrepancies(s, scope=scope, tax_code=tax_code), "epe": epe,
        "flows": repository.monthly_flows(s, scope=scope, tax_code=tax_code), "codes": rules(),
    })  # fmt: skip
