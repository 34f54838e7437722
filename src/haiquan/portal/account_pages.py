"""The enterprise admin's portal pages: its API keys (issue with scopes and an optional end, shown once;
revoke), its webhook (set the address, rotate the signing secret, shown once) and its staff (add, change
role, deactivate). Keys and webhook go through the API's own service (organization.credentials), which
checks them and writes the event and the audit entry; the actor is the staff member (`staff:<username>`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from haiquan.kit import clock
from haiquan.kit.auth import ALL_SCOPES
from haiquan.kit.errors import DomainError
from haiquan.organization import credentials
from haiquan.organization.key_pages import _expiry
from haiquan.portal import repository, service
from haiquan.portal.domain import Area, StaffRole, require
from haiquan.portal.session import PortalCtx
from haiquan.web import i18n, workforms
from haiquan.web.render import render

router = APIRouter(include_in_schema=False)
SCOPES = sorted(ALL_SCOPES)
ROLES = [r.value for r in StaffRole]


def _keys(request: Request, ctx: Any, *, values: dict[str, str] | None = None,
          errors: workforms.Errors | None = None, issued: str | None = None, code: int = 200) -> Response:  # fmt: skip
    ent = repository.enterprise(ctx.session, scope=ctx.principal.scope)
    now = clock.now()
    keys = [(k, credentials.scopes_of(k), k.revoked_at is None and (k.expires_at is None or k.expires_at > now))
            for k in credentials.keys_of(ctx.session, ent.id)]  # fmt: skip
    context = {"e": ent, "keys": keys, "scopes": SCOPES, "issued": issued, "values": values or {},
               "errors": errors or workforms.Errors(i18n.lang_of(request))}  # fmt: skip
    return render(request, "portal_keys.html", context, status_code=code)


@router.get("/portal/keys", name="portal_keys")
def keys_page(request: Request, ctx: PortalCtx) -> Response:
    require(ctx.principal.role, Area.KEYS)
    return _keys(request, ctx)


@router.post("/portal/keys", name="portal_key_issue")
async def issue_key(request: Request, ctx: PortalCtx) -> Response:
    require(ctx.principal.role, Area.KEYS)
    form = await request.form()
    values = await workforms.posted(request, ctx)
    ent = repository.enterprise(ctx.session, scope=ctx.principal.scope)
    errors = workforms.Errors(i18n.lang_of(request))
    values["scopes"] = ",".join(str(s) for s in form.getlist("scopes"))
    try:
        full, _ = credentials.issue_key(
            ctx.session, enterprise=ent, actor=ctx.principal.label, label=values.get("label", "")[:100],
            scopes=[s for s in values["scopes"].split(",") if s], expires_at=_expiry(values.get("expires_at", "")),
        )  # fmt: skip
    except DomainError as exc:
        workforms.from_domain(request, ctx, errors, exc)
        return _keys(request, ctx, values=values, errors=errors, code=errors.status)
    ctx.uow.commit()
    return _keys(request, ctx, issued=full, code=201)  # shown on this answer only, never stored


@router.post("/portal/keys/{key_id}/revoke", name="portal_key_revoke")
async def revoke_key(request: Request, ctx: PortalCtx, key_id: str) -> Response:
    require(ctx.principal.role, Area.KEYS)
    await workforms.posted(request, ctx)
    ent = repository.enterprise(ctx.session, scope=ctx.principal.scope)
    credentials.revoke_key(ctx.session, enterprise=ent, key_id=key_id[:16], actor=ctx.principal.label)
    return workforms.done(ctx, request.app.url_path_for("portal_keys"), "pt.key_revoked")


def _webhook(request: Request, ctx: Any, *, secret: str | None = None, until: Any = None,
             errors: workforms.Errors | None = None, values: dict[str, str] | None = None, code: int = 200) -> Response:  # fmt: skip
    ent = repository.enterprise(ctx.session, scope=ctx.principal.scope)
    context = {"e": ent, "secret": secret, "until": until, "values": values or {"url": ent.webhook_url or ""},
               "errors": errors or workforms.Errors(i18n.lang_of(request))}  # fmt: skip
    return render(request, "portal_webhook.html", context, status_code=code)


@router.get("/portal/webhook", name="portal_webhook")
def webhook_page(request: Request, ctx: PortalCtx) -> Response:
    require(ctx.principal.role, Area.WEBHOOK)
    return _webhook(request, ctx)


@router.post("/portal/webhook", name="portal_webhook_set")
async def set_webhook(request: Request, ctx: PortalCtx) -> Response:
    require(ctx.principal.role, Area.WEBHOOK)
    values = await workforms.posted(request, ctx)
    ent = repository.enterprise(ctx.session, scope=ctx.principal.scope)
    errors = workforms.Errors(i18n.lang_of(request))
    try:
        made = credentials.set_webhook(ctx.session, enterprise=ent, url=values.get("url", "")[:500] or None,
                                       development=ctx.settings.development, actor=ctx.principal.label)  # fmt: skip
    except DomainError as exc:
        workforms.from_domain(request, ctx, errors, exc, names={"webhook_url": "url"})
        return _webhook(request, ctx, errors=errors, values=values, code=errors.status)
    if made is None:
        return workforms.done(ctx, request.app.url_path_for("portal_webhook"), "pt.webhook_saved")
    ctx.uow.commit()
    return _webhook(request, ctx, secret=made)  # the first secret, shown on this answer only


@router.post("/portal/webhook/secret", name="portal_webhook_rotate")
async def rotate_secret(request: Request, ctx: PortalCtx) -> Response:
    require(ctx.principal.role, Area.WEBHOOK)
    await workforms.posted(request, ctx)
    ent = repository.enterprise(ctx.session, scope=ctx.principal.scope)
    secret, until = credentials.rotate_webhook_secret(ctx.session, enterprise=ent, actor=ctx.principal.label,
                                                      overlap_hours=ctx.settings.webhook_secret_overlap_hours)  # fmt: skip
    ctx.uow.commit()
    return _webhook(request, ctx, secret=secret, until=until)


def _staff(request: Request, ctx: Any, *, errors: workforms.Errors | None = None,
           values: dict[str, str] | None = None, code: int = 200) -> Response:  # fmt: skip
    rows = repository.staff(ctx.session, scope=ctx.principal.scope)
    context = {"rows": rows, "roles": ROLES, "values": values or {"role": "declarant"},
               "errors": errors or workforms.Errors(i18n.lang_of(request))}  # fmt: skip
    return render(request, "portal_staff.html", context, status_code=code)


@router.get("/portal/staff", name="portal_staff")
def staff_page(request: Request, ctx: PortalCtx) -> Response:
    require(ctx.principal.role, Area.STAFF)
    return _staff(request, ctx)


@router.post("/portal/staff", name="portal_staff_add")
async def add_staff(request: Request, ctx: PortalCtx) -> Response:
    require(ctx.principal.role, Area.STAFF)
    values = await workforms.posted(request, ctx)
    ent = repository.enterprise(ctx.session, scope=ctx.principal.scope)
    errors = workforms.Errors(i18n.lang_of(request))
    try:
        service.add_staff(ctx.session, enterprise=ent, username=values.get("username", "")[:60],
                          role=values.get("role", ""), password=values.get("password", "")[:200],
                          full_name=values.get("full_name", "")[:200], actor=ctx.principal.label)  # fmt: skip
        ctx.session.flush()
    except DomainError as exc:
        workforms.from_domain(request, ctx, errors, exc)
        values.pop("password", None)
        return _staff(request, ctx, errors=errors, values=values, code=errors.status)
    return workforms.done(ctx, request.app.url_path_for("portal_staff"), "pt.staff_added")


@router.post("/portal/staff/{username}", name="portal_staff_change")
async def change_staff(request: Request, ctx: PortalCtx, username: str) -> Response:
    require(ctx.principal.role, Area.STAFF)
    values = await workforms.posted(request, ctx)
    scope = ctx.principal.scope
    row = repository.staff_member(ctx.session, username[:60], scope=scope)  # 404 for another enterprise's
    ent = repository.enterprise(ctx.session, scope=scope)
    errors = workforms.Errors(i18n.lang_of(request))
    try:
        service.change_staff(ctx.session, enterprise=ent, staff=row, role=values.get("role") or None,
                             active=values.get("active", "1") == "1", actor=ctx.principal.label)  # fmt: skip
    except DomainError as exc:
        workforms.from_domain(request, ctx, errors, exc)
        return _staff(request, ctx, errors=errors, code=errors.status)
    return workforms.done(ctx, request.app.url_path_for("portal_staff"), "pt.staff_changed")
