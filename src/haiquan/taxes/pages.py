"""Officers' Vietnamese pages (English with ?lang=en): the enterprises with overdue tax debts as the last
recompute found them, worst first, and one enterprise's tax account today with its aging chart, its
debts, its enforcement stage and its penalties and fees."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import Response

from haiquan.taxes import repository, service, views
from haiquan.web import nav
from haiquan.web.i18n import add_messages
from haiquan.web.render import add_template_dir, render
from haiquan.web.session import PageCtx

router = APIRouter(tags=["pages"], include_in_schema=False)
add_template_dir(Path(__file__).parent / "templates")
add_messages(
    {
        "tx.title": ("Nợ thuế quá hạn", "Overdue tax debts"),
        "tx.intro": ("Theo lần tính gần nhất (hằng đêm), nợ quá 90 ngày trước", "As last recomputed (nightly), over 90 days first"),
        "tx.none": ("Không có doanh nghiệp nợ quá hạn.", "No enterprise owes anything overdue."),
        "tx.tax_code": ("Mã số thuế", "Tax code"),
        "tx.outstanding": ("Còn nợ", "Outstanding"),
        "tx.overdue": ("Quá hạn", "Overdue"),
        "tx.over_90": ("Quá 90 ngày", "Over 90 days"),
        "tx.interest": ("Tiền chậm nộp", "Late interest"),
        "tx.stage": ("Biện pháp", "Stage"),
        "tx.oldest_due": ("Hạn nộp sớm nhất", "Oldest due date"),
        "tx.open": ("Xem tài khoản", "Open the account"),
        "tx.account": ("Tài khoản thuế", "Tax account"),
        "tx.on": ("Ngày", "On"),
        "tx.aging": ("Tuổi nợ", "Aging"),
        "tx.debts": ("Các khoản nợ", "Debts"),
        "tx.key": ("Số tờ khai / quyết định", "Declaration / decision"),
        "tx.regime": ("Thời hạn nộp", "Regime"),
        "tx.incurred": ("Phát sinh", "Incurred"),
        "tx.due": ("Hạn nộp", "Due"),
        "tx.amount": ("Số tiền", "Amount"),
        "tx.days": ("Số ngày quá hạn", "Days overdue"),
        "tx.blocks": ("Dừng làm thủ tục hải quan", "Customs procedures stopped"),
        "tx.charges": ("Quyết định xử phạt, phí, lệ phí", "Penalties and fees"),
        "tx.reference": ("Mã tham chiếu nộp tiền", "Payment reference"),
        "tx.no_debt": ("Không còn nợ.", "Nothing owed."),
        "tx.certificate": ("Tải xác nhận tình trạng nợ thuế (XML)", "Download the tax-position certificate (XML)"),
        "tx.bucket.not_due": ("Chưa đến hạn", "Not due"),
        "tx.bucket.1-30": ("1–30 ngày", "1–30 days"),
        "tx.bucket.31-60": ("31–60 ngày", "31–60 days"),
        "tx.bucket.61-90": ("61–90 ngày", "61–90 days"),
        "tx.bucket.over_90": ("Trên 90 ngày", "Over 90 days"),
        "nav.taxes": ("Nợ thuế", "Tax debts"),
    }
)  # fmt: skip
OFFICERS = ("officer", "team_lead", "subdepartment_leader", "department_leader", "analyst", "administrator")
nav.register("nav.taxes", "/taxes", roles=OFFICERS)
TaxCode = Annotated[str, PathParam(pattern=r"^\d{10}(\d{3})?$")]


@router.get("/taxes", name="taxes_positions_page")
def positions_page(request: Request, ctx: PageCtx) -> Response:
    ctx.principal.require_officer()
    rows = repository.positions(ctx.session, scope=ctx.principal.scope, stages=None, limit=200)
    return render(request, "taxes_positions.html", {"items": [views.position_out(r) for r in rows]})


@router.get("/taxes/accounts/{tax_code}", name="taxes_account_page")
def account_page(request: Request, ctx: PageCtx, tax_code: TaxCode) -> Response:
    ctx.principal.require_officer()
    ent = repository.enterprise(ctx.session, scope=ctx.principal.scope, tax_code=tax_code)
    acc = service.account_of(ctx.session, principal=ctx.principal, tax_code=tax_code,
                             rate_per_day=ctx.settings.tax_late_interest_per_day)  # fmt: skip
    out = views.account_out(tax_code, acc)
    charges = repository.charges(ctx.session, scope=ctx.principal.scope, tax_code=tax_code, kind=None)
    aging = out.aging.model_dump()
    chart = json.dumps({"keys": list(aging), "values": [float(v) for v in aging.values()]})
    return render(request, "taxes_account.html", {
        "a": out, "name": ent.name, "charges": [views.charge_out(c) for c in charges],
        "chart_json": chart.replace("<", "\\u003c"),
    })  # fmt: skip
