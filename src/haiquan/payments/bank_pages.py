"""The administrator's bank screen: the banks connected to the gateway, connecting another (its API key
shown once on the answer), disabling and enabling one with a reason. Every action calls the API's service
(`payments.banks`) with the API's role (administrators); the service writes the event and the audit entry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from haiquan.kit.auth import Role
from haiquan.kit.errors import DomainError
from haiquan.payments import banks
from haiquan.payments.schemas import BankIn, BankStateIn
from haiquan.web import i18n, workforms
from haiquan.web.render import add_template_dir, render
from haiquan.web.session import PageCtx

router = APIRouter(include_in_schema=False)
add_template_dir(Path(__file__).parent / "templates")
ADMIN = Role.ADMINISTRATOR.value

i18n.add_messages(
    {
        "bk.title": ("Ngân hàng kết nối cổng thanh toán", "Banks connected to the payment gateway"),
        "bk.add": ("Kết nối ngân hàng", "Connect a bank"),
        "bk.key_once": (
            "Khóa API của ngân hàng — sao chép ngay, khóa chỉ hiển thị một lần này:",
            "The bank's API key — copy it now, it is shown this once only:",
        ),
        "bk.disable": ("Tạm dừng", "Disable"),
        "bk.enable": ("Kích hoạt lại", "Enable"),
        "bk.done.disable": ("Đã tạm dừng ngân hàng", "The bank is disabled"),
        "bk.done.enable": ("Đã kích hoạt lại ngân hàng", "The bank is enabled"),
        "bk.round_the_clock": ("Xác nhận 24/7", "Confirms 24/7"),
        "bk.xml": ("Chứng thư số (XML ký số)", "Certificate (signed XML)"),
        "field.code": ("Mã ngân hàng", "Bank code"),
        "field.round_the_clock": ("Xác nhận 24/7", "Confirms 24/7"),
        "err.bank_exists": ("Ngân hàng này đã được kết nối", "This bank is connected already"),
    }
)


def _page(request: Request, ctx: Any, *, values: dict[str, str] | None = None, errors: workforms.Errors | None = None,
          form: str = "", issued: str | None = None, code: int = 200) -> Response:  # fmt: skip
    context = {"rows": banks.listed(ctx.session, include_disabled=True), "values": values or {}, "form": form,
               "errors": errors or workforms.Errors(i18n.lang_of(request)), "issued": issued}  # fmt: skip
    return render(request, "admin_banks.html", context, status_code=code)


@router.get("/admin/banks", name="admin_banks")
def banks_page(request: Request, ctx: PageCtx) -> Response:
    ctx.principal.require_officer(ADMIN)
    return _page(request, ctx)


@router.post("/admin/banks", name="admin_bank_add")
async def add_bank(request: Request, ctx: PageCtx) -> Response:
    ctx.principal.require_officer(ADMIN)
    values = await workforms.posted(request, ctx)
    errors = workforms.Errors(i18n.lang_of(request))
    try:
        body = BankIn.model_validate(
            {"code": values.get("code", "").upper(), "name": values.get("name", ""), "tax_code": values.get("tax_code", ""),
             "round_the_clock": bool(values.get("round_the_clock"))}
        )  # fmt: skip
        added = banks.add(ctx.session, **body.model_dump(), actor=ctx.principal.label)
    except ValidationError as exc:
        workforms.from_validation(errors, exc)
    except DomainError as exc:
        workforms.from_domain(request, ctx, errors, exc)
    if errors:
        return _page(request, ctx, values=values, errors=errors, form="add", code=errors.status)
    ctx.uow.commit()
    return _page(request, ctx, issued=added.api_key, code=201)  # the key on this answer only


@router.post("/admin/banks/{code}/{action}", name="admin_bank_state")
async def bank_state(request: Request, ctx: PageCtx, code: str, action: str) -> Response:
    ctx.principal.require_officer(ADMIN)
    values = await workforms.posted(request, ctx)
    errors = workforms.Errors(i18n.lang_of(request))
    if action not in ("disable", "enable"):
        errors.add("form", "err.choice")
    try:
        body = BankStateIn(reason=values.get("reason", ""))
        if not errors:
            banks.set_active(ctx.session, code=code[:12], active=action == "enable", reason=body.reason,
                             actor=ctx.principal.label)  # fmt: skip
    except ValidationError as exc:
        workforms.from_validation(errors, exc)
    except DomainError as exc:
        workforms.from_domain(request, ctx, errors, exc)
    if errors:
        return _page(request, ctx, values=values, errors=errors, form=code, code=errors.status)
    return workforms.done(ctx, "/admin/banks", f"bk.done.{action}")
