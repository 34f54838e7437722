"""The enterprise's tax account on the portal (issue #20, from the taxes module): what it owes and since
when, late-payment interest, debts by days past due (aging), the enforcement stage, what blocks
registration, its e-receipts, and its tax-position certificate to download. Read through the taxes
module's own service and repository, with the staff member's (the enterprise's) scope."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from haiquan.kit import clock
from haiquan.kit.errors import NotFound
from haiquan.portal import text
from haiquan.portal.domain import Area, require
from haiquan.portal.session import PortalCtx
from haiquan.taxes import repository, service, views
from haiquan.taxes.documents import XML, certificate_document, receipt_document
from haiquan.web import i18n
from haiquan.web.render import render

router = APIRouter(include_in_schema=False)
_ = text
i18n.add_messages(
    {
        "pt.tax": ("Tài khoản thuế", "Tax account"),
        "pt.outstanding": ("Còn phải nộp", "Outstanding"),
        "pt.overdue": ("Đã quá hạn", "Overdue"),
        "pt.interest": ("Tiền chậm nộp", "Late-payment interest"),
        "pt.blocking": ("Nợ quá 90 ngày (bị từ chối đăng ký tờ khai)", "Owed over 90 days (registration refused)"),
        "pt.blocking_since": ("từ ngày", "since"),
        "pt.aging": ("Phân loại nợ theo số ngày quá hạn", "Debts by days past due"),
        "pt.not_due": ("Chưa đến hạn", "Not yet due"),
        "pt.days": ("{n} ngày", "{n} days"),
        "pt.stage": ("Biện pháp cưỡng chế", "Enforcement stage"),
        "pt.debts": ("Các khoản nợ", "Debts"),
        "pt.due_date": ("Hạn nộp", "Due date"),
        "pt.days_overdue": ("Số ngày quá hạn", "Days overdue"),
        "pt.receipts": ("Biên lai điện tử", "E-receipts"),
        "pt.certificate": ("Tải xác nhận tình trạng nộp thuế (XML)", "Download the tax-position certificate (XML)"),
        "pt.download": ("Tải về", "Download"),
    }
)  # fmt: skip


def _tax_code(ctx: PortalCtx) -> str:
    tax_code = ctx.principal.scope.tax_code
    if tax_code is None:
        raise NotFound("no enterprise in this scope", field="tax_code")
    return tax_code


@router.get("/portal/tax", name="portal_tax")
def tax_page(request: Request, ctx: PortalCtx) -> Response:
    require(ctx.principal.role, Area.PAYMENTS)
    tax_code = _tax_code(ctx)
    acc = service.account_of(ctx.session, principal=ctx.principal, tax_code=tax_code,
                             rate_per_day=ctx.settings.tax_late_interest_per_day)  # fmt: skip
    found = repository.receipts(ctx.session, scope=ctx.principal.scope, tax_code=tax_code)
    context = {"a": views.account_out(tax_code, acc), "receipts": [views.receipt_out(r) for r in found[:50]]}
    return render(request, "portal_tax.html", context)


@router.get("/portal/tax/certificate.xml", name="portal_tax_certificate")
def certificate(request: Request, ctx: PortalCtx) -> Response:
    require(ctx.principal.role, Area.PAYMENTS)
    tax_code = _tax_code(ctx)
    ent = repository.enterprise(ctx.session, scope=ctx.principal.scope, tax_code=tax_code)
    acc = service.account_of(ctx.session, principal=ctx.principal, tax_code=tax_code,
                             rate_per_day=ctx.settings.tax_late_interest_per_day)  # fmt: skip
    body, digest, _ = certificate_document(tax_code, ent.name, acc, clock.today_vn(),
                                           ctx.settings.effective_secret_key)  # fmt: skip
    name = f"tax-position-{tax_code}-{acc.on.isoformat()}.xml"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "X-Content-SHA256": digest}
    return Response(body, media_type=XML, headers=headers)


@router.get("/portal/tax/receipts/{number}.xml", name="portal_tax_receipt")
def receipt(request: Request, ctx: PortalCtx, number: str) -> Response:
    require(ctx.principal.role, Area.PAYMENTS)
    found = repository.receipts(
        ctx.session, scope=ctx.principal.scope, tax_code=_tax_code(ctx), number=number[:12]
    )
    if not found:
        raise NotFound(f"no receipt {number} in your scope", field="number")
    body, digest = receipt_document(found[0])
    headers = {
        "Content-Disposition": f'attachment; filename="{found[0].number}.xml"',
        "X-Content-SHA256": digest,
    }
    return Response(body, media_type=XML, headers=headers)
