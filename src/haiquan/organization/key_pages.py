"""The administrator's enterprise screens: the enterprises of their scope, and one enterprise's API keys
(issue one, shown once on the answer and never again; its scopes and expiry; revoke). The keys come from
the API's service (`organization.credentials`), which checks the scopes and the expiry and writes the
event and the audit entry; the enterprise is looked up in the administrator's scope as the API does."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from haiquan.kit import clock
from haiquan.kit.auth import ALL_SCOPES, Role
from haiquan.kit.clock import VN
from haiquan.kit.errors import DomainError
from haiquan.organization import credentials, repository
from haiquan.web import i18n, workforms
from haiquan.web.render import add_template_dir, render
from haiquan.web.session import PageCtx

router = APIRouter(include_in_schema=False)
add_template_dir(Path(__file__).parent / "templates")
ADMIN = Role.ADMINISTRATOR.value
SCOPES = sorted(ALL_SCOPES)

i18n.add_messages(
    {
        "ad.keys": ("Khóa API của {name}", "API keys of {name}"),
        "ad.key_issue": ("Cấp khóa API mới", "Issue a new API key"),
        "ad.key_once": (
            "Khóa API mới — sao chép ngay, khóa chỉ hiển thị một lần này:",
            "The new API key — copy it now, it is shown this once only:",
        ),
        "ad.key_revoke": ("Thu hồi", "Revoke"),
        "ad.key_revoked": ("Đã thu hồi khóa API", "The API key is revoked"),
        "ad.key_active": ("Đang dùng", "Active"),
        "ad.key_ended": ("Hết hiệu lực", "Ended"),
        "ad.created": ("Ngày cấp", "Issued"),
        "ad.search": ("Mã số thuế hoặc tên", "Tax code or name"),
        "ad.roles": ("Vai trò", "Roles"),
        "field.label": ("Mục đích sử dụng", "What it is for"),
        "field.scopes": ("Quyền của khóa", "Scopes"),
        "field.tax_code": ("Mã số thuế", "Tax code"),
        "err.unknown_scope": ("Chọn ít nhất một quyền", "Choose at least one scope"),
        "err.validation_failed.expires_at": (
            "Ngày hết hiệu lực phải ở tương lai và không quá thời hạn tối đa",
            "The expiry must be in the future and within the longest allowed",
        ),
    }
)
i18n.add_labels(
    "enterprise_status",
    {"active": ("Đang hoạt động", "Active"), "suspended": ("Bị đình chỉ", "Suspended"),
     "dissolved": ("Đã giải thể", "Dissolved")},
)  # fmt: skip
i18n.add_labels(
    "enterprise_role",
    {"declarant": ("Người khai", "Declarant"), "terminal_operator": ("Doanh nghiệp kho bãi, cảng", "Terminal operator"),
     "bank": ("Ngân hàng", "Bank"), "carrier": ("Hãng vận chuyển", "Carrier"), "agency": ("Cơ quan", "Agency")},
)  # fmt: skip
i18n.add_labels(
    "key_scope",
    {"read": ("Đọc (GET)", "Read (GET)"), "write": ("Ghi (khai báo, gửi thông điệp)", "Write (lodge, send)"),
     "manage": ("Quản lý khóa và webhook", "Manage keys and webhook")},
)  # fmt: skip


@router.get("/admin/enterprises", name="admin_enterprises")
def enterprises_page(request: Request, ctx: PageCtx, q: str = "") -> Response:
    ctx.principal.require_officer(ADMIN)
    q = q.strip()[:100]
    rows = repository.enterprises(ctx.session, scope=ctx.principal.scope, query=q)
    return render(request, "admin_enterprises.html", {"rows": rows, "q": q})


def _keys(request: Request, ctx: Any, tax_code: str, *, values: dict[str, str] | None = None,
          errors: workforms.Errors | None = None, issued: str | None = None, code: int = 200) -> Response:  # fmt: skip
    ent = repository.enterprise_by_tax_code(ctx.session, tax_code, scope=ctx.principal.scope)
    now = clock.now()
    keys = [(k, credentials.scopes_of(k), k.revoked_at is None and (k.expires_at is None or k.expires_at > now))
            for k in credentials.keys_of(ctx.session, ent.id)]  # fmt: skip
    context = {"e": ent, "keys": keys, "scopes": SCOPES, "issued": issued, "values": values or {},
               "errors": errors or workforms.Errors(i18n.lang_of(request))}  # fmt: skip
    return render(request, "admin_keys.html", context, status_code=code)


@router.get("/admin/enterprises/{tax_code}/keys", name="admin_keys")
def keys_page(request: Request, ctx: PageCtx, tax_code: str) -> Response:
    ctx.principal.require_officer(ADMIN)
    return _keys(request, ctx, tax_code[:14])


def _expiry(value: str) -> datetime | None:
    try:
        return (
            datetime.combine(datetime.fromisoformat(value).date(), time(23, 59), tzinfo=VN) if value else None
        )
    except ValueError:
        return clock.now()  # refused by the service as not in the future, named on the form


@router.post("/admin/enterprises/{tax_code}/keys", name="admin_key_issue")
async def issue_key(request: Request, ctx: PageCtx, tax_code: str) -> Response:
    ctx.principal.require_officer(ADMIN)
    form = await request.form()
    values = await workforms.posted(request, ctx)
    ent = repository.enterprise_by_tax_code(ctx.session, tax_code, scope=ctx.principal.scope)
    errors = workforms.Errors(i18n.lang_of(request))
    values["scopes"] = ",".join(str(s) for s in form.getlist("scopes"))
    try:
        full, _ = credentials.issue_key(
            ctx.session, enterprise=ent, actor=ctx.principal.label, label=values.get("label", "")[:100],
            scopes=[s for s in values["scopes"].split(",") if s], expires_at=_expiry(values.get("expires_at", "")),
        )  # fmt: skip
    except DomainError as exc:
        workforms.from_domain(request, ctx, errors, exc)
        return _keys(request, ctx, tax_code, values=values, errors=errors, code=errors.status)
    ctx.uow.commit()
    return _keys(request, ctx, tax_code, issued=full, code=201)  # shown on this answer only, never stored


@router.post("/admin/enterprises/{tax_code}/keys/{key_id}/revoke", name="admin_key_revoke")
async def revoke_key(request: Request, ctx: PageCtx, tax_code: str, key_id: str) -> Response:
    ctx.principal.require_officer(ADMIN)
    await workforms.posted(request, ctx)
    ent = repository.enterprise_by_tax_code(ctx.session, tax_code, scope=ctx.principal.scope)
    credentials.revoke_key(ctx.session, enterprise=ent, key_id=key_id[:16], actor=ctx.principal.label)
    return workforms.done(ctx, request.app.url_path_for("admin_keys", tax_code=tax_code), "ad.key_revoked")
