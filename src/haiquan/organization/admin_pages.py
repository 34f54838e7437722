"""The administrator's screens: the officers of their scope (deactivate, change role or unit, take off the
roster, end their sessions), the units, and the audit log ("who did what", by officer and time, paged).
Each action calls the API's service with the API's role (administrators); the service writes the event
and the audit entry."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from haiquan.declarations.assignment import change_officer
from haiquan.kit.auth import Role
from haiquan.kit.clock import VN
from haiquan.kit.errors import DomainError
from haiquan.organization import officers, repository, service, sessions
from haiquan.organization.schemas import OfficerIn
from haiquan.web import i18n, workforms
from haiquan.web.render import add_template_dir, render
from haiquan.web.session import PageCtx

router = APIRouter(include_in_schema=False)
add_template_dir(Path(__file__).parent / "templates")
ADMIN = Role.ADMINISTRATOR.value
ROLES = [r.value for r in Role]
AUDIT_PAGE = 50

i18n.add_messages(
    {
        "ad.title": ("Quản trị hệ thống", "Administration"),
        "ad.officers": ("Công chức", "Officers"),
        "ad.officer": ("Công chức {username}", "Officer {username}"),
        "ad.units": ("Đơn vị", "Units"),
        "ad.enterprises": ("Doanh nghiệp và khóa API", "Enterprises and API keys"),
        "ad.banks": ("Ngân hàng kết nối", "Connected banks"),
        "ad.audit": ("Nhật ký kiểm toán", "Audit log"),
        "ad.audit_intro": ("Ai đã làm gì, khi nào", "Who did what, and when"),
        "ad.change": ("Thay đổi tài khoản", "Change the account"),
        "ad.end_sessions": ("Kết thúc mọi phiên đăng nhập", "End every session"),
        "ad.sessions_done": (
            "Đã kết thúc mọi phiên đăng nhập của công chức",
            "Every session of the officer ended",
        ),
        "ad.saved": ("Đã lưu thay đổi tài khoản", "The account is changed"),
        "ad.active": ("Đang hoạt động", "Active"),
        "ad.inactive": ("Đã khóa", "Deactivated"),
        "ad.on_roster": ("Trong danh sách phân công", "On the roster"),
        "ad.level": ("Cấp", "Level"),
        "ad.parent": ("Đơn vị cấp trên", "Parent"),
        "ad.count": ("{n} công chức", "{n} officers"),
        "ad.at": ("Thời điểm", "At"),
        "ad.actor": ("Người thực hiện", "Who"),
        "ad.action": ("Hành động", "Action"),
        "ad.target": ("Đối tượng", "Target"),
        "ad.outcome": ("Kết quả", "Outcome"),
        "field.officer": ("Công chức (tên đăng nhập)", "Officer (username)"),
        "field.action": ("Hành động (bắt đầu bằng)", "Action (starts with)"),
        "field.on_roster": ("Trong danh sách phân công", "On the roster"),
        "field.username": ("Tên đăng nhập", "Username"),
        "field.full_name": ("Họ và tên", "Full name"),
        "ad.new": ("Thêm công chức", "Add an officer"),
        "ad.officer_created": (
            "Đã tạo tài khoản công chức {username}",
            "The account of {username} is created",
        ),
        "ad.password_once": (
            "Mật khẩu ban đầu (chỉ hiển thị một lần, hãy trao tận tay cho công chức):",
            "The first password (shown this once; hand it to the officer in person):",
        ),
        "ad.username_hint": ("chữ thường, số, . _ -; 3 đến 60 ký tự", "lower case, digits, . _ -; 3 to 60"),
        "ad.deactivate": ("Khóa tài khoản", "Deactivate the account"),
        "ad.reactivate": ("Mở lại tài khoản", "Reactivate the account"),
        "err.conflict.username": ("Tên đăng nhập đã có người dùng", "This username is taken"),
        "err.validation_failed.unit": (
            "Đơn vị không tồn tại hoặc ngoài phạm vi của bạn",
            "No such unit in your scope",
        ),
        "err.validation_failed.role": ("Vai trò không hợp lệ", "No such role"),
        "err.own_account": (
            "Quản trị viên không thể tự khóa hoặc đổi vai trò của chính mình",
            "An administrator cannot deactivate their own account or change their own role",
        ),
    }
)
i18n.add_labels(
    "unit_level",
    {"general": ("Tổng cục", "General Department"), "department": ("Cục", "Department"),
     "subdepartment": ("Chi cục", "Sub-department"), "team": ("Đội", "Team")},
)  # fmt: skip
i18n.add_labels("outcome", {"ok": ("Thành công", "Done"), "refused": ("Bị từ chối", "Refused")})


def _admin(ctx: Any) -> None:
    ctx.principal.require_officer(ADMIN)


@router.get("/admin", name="admin_home")
def admin_home(request: Request, ctx: PageCtx) -> Response:
    _admin(ctx)
    return render(request, "admin_home.html", {})


@router.get("/admin/officers", name="admin_officers")
def officers_page(request: Request, ctx: PageCtx, unit: str = "") -> Response:
    _admin(ctx)
    unit = unit.strip().upper()[:16]
    rows = repository.officers(ctx.session, scope=ctx.principal.scope, unit=unit or None)
    return render(request, "admin_officers.html", {"rows": rows, "unit": unit})


def _units(ctx: Any) -> list[tuple[str, str]]:
    """The active units of the administrator's scope, as (code, Vietnamese name)."""
    tree = service.TREES.get(ctx.session)
    scope = ctx.principal.scope
    codes = sorted(tree.units) if scope.units is None else sorted(c for c in scope.units if c in tree.units)
    return [(c, tree.units[c].name_vi) for c in codes]


def _new(request: Request, ctx: Any, values: dict[str, str], errors: workforms.Errors | None = None,
         issued: tuple[str, str] | None = None, code: int = 200) -> Response:  # fmt: skip
    context = {"values": values, "roles": ROLES, "units": _units(ctx), "issued": issued,
               "errors": errors or workforms.Errors(i18n.lang_of(request))}  # fmt: skip
    return render(request, "admin_officer_new.html", context, status_code=code)


@router.get("/admin/officers/new", name="admin_officer_new")
def officer_new(request: Request, ctx: PageCtx) -> Response:
    _admin(ctx)
    return _new(request, ctx, {"unit": ctx.principal.unit or "", "role": "officer"})


@router.post("/admin/officers/new", name="admin_officer_create")
async def officer_create(request: Request, ctx: PageCtx) -> Response:
    """Create the account as the API does; its first password is on this answer only, never stored."""
    _admin(ctx)
    values = await workforms.posted(request, ctx)
    values["username"] = values.get("username", "").lower()
    errors = workforms.Errors(i18n.lang_of(request))
    password = officers.initial_password()
    try:
        data = OfficerIn.model_validate(
            {k: values.get(k, "") for k in ("username", "full_name", "unit", "role")}
        )
        service.add_officer(ctx.session, **data.model_dump(), password=password, actor=ctx.principal.label,
                            by=ctx.principal)  # fmt: skip
    except ValidationError as exc:
        workforms.from_validation(errors, exc)
    except DomainError as exc:
        workforms.from_domain(request, ctx, errors, exc)
    if errors:
        return _new(request, ctx, values, errors, code=errors.status)
    ctx.uow.commit()
    return _new(request, ctx, {"role": "officer"}, issued=(data.username, password), code=201)


def _officer(request: Request, ctx: Any, username: str, values: dict[str, str] | None = None,
             errors: workforms.Errors | None = None, code: int = 200) -> Response:  # fmt: skip
    row = officers.by_username(ctx.session, username, actor=ctx.principal)
    shown = {
        "role": row.role,
        "unit": row.unit,
        "active": "1" if row.active else "",
        "on_roster": "1" if row.on_roster else "",
    }
    context = {"o": row, "values": values or shown, "roles": ROLES,
               "errors": errors or workforms.Errors(i18n.lang_of(request))}  # fmt: skip
    return render(request, "admin_officer.html", context, status_code=code)


@router.get("/admin/officers/{username}", name="admin_officer")
def officer_page(request: Request, ctx: PageCtx, username: str) -> Response:
    _admin(ctx)
    return _officer(request, ctx, username[:60])


@router.post("/admin/officers/{username}", name="admin_officer_submit")
async def officer_submit(request: Request, ctx: PageCtx, username: str) -> Response:
    _admin(ctx)
    values = await workforms.posted(request, ctx)
    officers.by_username(ctx.session, username, actor=ctx.principal)  # the not-found page first
    errors = workforms.Errors(i18n.lang_of(request))
    change = officers.OfficerChange(
        active=bool(values.get("active")), role=values.get("role") or None,
        unit=values.get("unit", "").upper() or None, on_roster=bool(values.get("on_roster")),
    )  # fmt: skip
    try:
        change_officer(
            ctx.session, username=username, change=change, actor=ctx.principal.label, by=ctx.principal
        )
    except DomainError as exc:
        workforms.from_domain(request, ctx, errors, exc)
    if errors:
        return _officer(request, ctx, username, values, errors, errors.status)
    return workforms.done(ctx, request.app.url_path_for("admin_officer", username=username), "ad.saved")


@router.post("/admin/officers/{username}/sessions", name="admin_officer_sessions")
async def end_sessions(request: Request, ctx: PageCtx, username: str) -> Response:
    _admin(ctx)
    await workforms.posted(request, ctx)
    row = officers.by_username(ctx.session, username, actor=ctx.principal)
    sessions.revoke_all(ctx.session, officer=row, reason="revoked", actor=ctx.principal.label)
    return workforms.done(
        ctx, request.app.url_path_for("admin_officer", username=username), "ad.sessions_done"
    )


@router.get("/admin/units", name="admin_units")
def units_page(request: Request, ctx: PageCtx) -> Response:
    _admin(ctx)
    tree = service.TREES.get(ctx.session)
    scope = ctx.principal.scope
    codes = sorted(tree.units) if scope.units is None else sorted(c for c in scope.units if c in tree.units)
    counts: dict[str, int] = {}
    for o in repository.officers(ctx.session, scope=scope):
        counts[o.unit] = counts.get(o.unit, 0) + 1
    rows = [(tree.units[c], len(tree.ancestors(c)) - 1, counts.get(c, 0)) for c in codes]
    return render(request, "admin_units.html", {"rows": rows})


def _day(value: str, end: bool = False) -> datetime | None:
    try:
        d = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return None if d is None else datetime.combine(d + timedelta(days=1 if end else 0), time(), tzinfo=VN)


@router.get("/admin/audit", name="admin_audit")
def audit_page(request: Request, ctx: PageCtx) -> Response:
    _admin(ctx)
    q = {
        k: request.query_params.get(k, "").strip()[:80] for k in ("officer", "action", "from", "to", "before")
    }
    officer = q["officer"]
    actor = (officer if ":" in officer else f"officer:{officer}") if officer else None
    before = int(q["before"]) if q["before"].isdigit() else None
    rows = repository.audit_entries(
        ctx.session, scope=ctx.principal.scope, actor=actor, action=q["action"] or None,
        since=_day(q["from"]), until=_day(q["to"], end=True), before=before, limit=AUDIT_PAGE + 1,
    )  # fmt: skip
    more, rows = len(rows) > AUDIT_PAGE, rows[:AUDIT_PAGE]
    kept = {k: v for k, v in q.items() if v and k != "before"}
    nxt = "?" + urlencode({**kept, "before": rows[-1].seq}) if more else None
    return render(
        request, "admin_audit.html", {"rows": rows, "q": q, "next_url": nxt, "first": "?" + urlencode(kept)}
    )
