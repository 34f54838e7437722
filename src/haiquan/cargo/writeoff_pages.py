"""The officer's write-off page (Vietnamese first): the closed write-offs of the officer's units with
their undischarged and over-discharged bills, per carrier and voyage; the same queries as the API."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from haiquan.cargo import writeoff_repository
from haiquan.cargo.writeoff_api import report_out
from haiquan.web import i18n, nav
from haiquan.web.render import add_template_dir, render
from haiquan.web.session import PageCtx

router = APIRouter(include_in_schema=False)
add_template_dir(Path(__file__).parent / "templates")
nav.register("nav.writeoff", "/cargo/writeoff")

i18n.add_messages(
    {
        "nav.writeoff": ("Thanh khoản manifest", "Manifest write-off"),
        "wo.title": ("Thanh khoản manifest quá hạn", "Manifest write-off after the legal period"),
        "wo.none": ("Không có manifest nào còn sai lệch", "No manifest with discrepancies"),
        "wo.voyage": ("Phương tiện / chuyến", "Vessel / voyage"),
        "wo.carrier": ("Hãng vận chuyển", "Carrier"),
        "wo.closed": ("Ngày khóa", "Closed"),
        "wo.bill": ("Vận đơn", "Bill"),
        "wo.manifested": ("Số kiện trên manifest", "Packages manifested"),
        "wo.declared": ("Số kiện đã khai", "Packages declared"),
        "wo.declarations": ("Tờ khai", "Declarations"),
        "wo.gated_out": ("Đã qua cổng", "Gated out"),
        "wo.standing": ("Tình trạng", "Standing"),
        "wo.counts": (
            "{u} chưa thanh khoản · {o} khai vượt / {n} vận đơn",
            "{u} undischarged · {o} over-discharged / {n} bills",
        ),
    }
)
i18n.add_labels(
    "writeoff",
    {
        "discharged": ("Đã thanh khoản", "Discharged"),
        "undischarged": ("Chưa thanh khoản", "Undischarged"),
        "over_discharged": ("Khai vượt", "Over-discharged"),
    },
)


@router.get("/cargo/writeoff", name="writeoff_page")
def writeoff_page(request: Request, ctx: PageCtx, voyage: str | None = None) -> Response:
    ctx.principal.require_officer()
    rows = writeoff_repository.reports(ctx.session, scope=ctx.principal.scope, voyage=voyage or None,
                                       discrepancies_only=True, limit=200)  # fmt: skip
    reports = [report_out(r, m, discrepancies_only=True) for r, m in rows]
    return render(request, "cargo_writeoff.html", {"reports": reports, "voyage": voyage or ""})
