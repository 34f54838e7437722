"""One declaration and the officer's decision on it, and its printable record (A4).

A failed submit answers the page again with the typed values and an error summary that takes focus;
work.js keeps a draft of the form in the browser (localStorage, by declaration number) so that a session
ending mid-decision loses nothing: the login page brings the officer back here and the draft returns."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from haiquan.agencies import views as agency_permits
from haiquan.declarations import officer, repository, views
from haiquan.deps import get_db
from haiquan.inspection import views as scanner_views
from haiquan.kit import clock
from haiquan.kit.errors import DomainError, NotFound
from haiquan.web import (
    forms,
    i18n,
    work_text,  # noqa: F401  (the pages' words)
)
from haiquan.web.render import FLASH_COOKIE, render, set_flash
from haiquan.web.session import PageCtx, check_csrf

router = APIRouter(include_in_schema=False)
NUMBER = re.compile(r"^\d{12}$")
# the order of the error summary's links: the order of the fields on the form
FIELD_ORDER = ("form", "kind", "reason", "fraud_found", "findings")


def _checked(number: str) -> str:
    if not NUMBER.match(number):
        raise NotFound(f"no declaration {number} in your scope", field="number")
    return number


def _summary(errors: dict[str, str], lang: str) -> list[tuple[str, str]]:
    """(anchor, "Field: message") for each wrong field, in the form's order: the GOV.UK error summary."""
    out = []
    for name in FIELD_ORDER:
        if name in errors:
            field = i18n.t(f"decision.{name}", lang) if name != "form" else ""
            out.append(
                (
                    "decision" if name == "form" else name,
                    f"{field}: {errors[name]}" if field else errors[name],
                )
            )
    return out


def _declaration(
    request: Request, ctx: Any, number: str, form: forms.DecisionForm | None = None, status_code: int = 200
) -> Response:
    scope = ctx.principal.scope
    row = repository.get(ctx.session, _checked(number), scope=scope)
    lang = i18n.lang_of(request)
    can, others = forms.may_decide(ctx.principal, row)
    assigned = repository.officer_names(ctx.session, [row], scope=scope).get(row.assigned_officer_id or "")
    form = form or forms.DecisionForm()
    errors = form.messages(lang)
    d = views.full(ctx.session, row, scope=scope, for_officer=ctx.principal.is_officer)
    context = {
        "d": d,
        "paper": d.paper,
        "history": views.history(ctx.session, row, scope=scope, for_officer=ctx.principal.is_officer),
        "assigned": assigned,
        "seconds_left": views.summary(row).seconds_left,
        "can_decide": can,
        "assigned_to_other": others,
        "kinds": forms.decision_kinds(row, repository.recorded(ctx.session, row, scope=scope)) if can else [],
        "form": form,
        "permits": agency_permits.for_page(ctx.session, ctx.principal, number),
        "scanner_images": scanner_views.for_declaration(
            ctx.session, principal=ctx.principal, number=row.number, office=row.office
        ),
        "errors": errors,
        "error_summary": _summary(errors, lang),
        "decision_saved": request.cookies.get(FLASH_COOKIE) == "decision.saved",
    }
    return render(request, "declaration.html", context, status_code=status_code)


@router.get("/declarations/{number}", name="declaration_page")
def declaration(request: Request, ctx: PageCtx, number: str) -> Response:
    return _declaration(request, ctx, number)


@router.get("/declarations/{number}/decision")
def decision_link(request: Request, ctx: PageCtx, number: str) -> Response:
    """The form's address opened as a page (a login that came back here): the declaration's page."""
    url = request.app.url_path_for("declaration_page", number=_checked(number))
    return RedirectResponse(url + "#decision", status_code=303)


@router.post("/declarations/{number}/decision", name="decision_submit")
async def decision(request: Request, ctx: PageCtx, number: str) -> Response:
    posted = await request.form()
    check_csrf(ctx.settings.effective_secret_key, request.state.session_token, posted.get("csrf"))
    repository.get(ctx.session, _checked(number), scope=ctx.principal.scope)  # 404 before anything else
    data, form = forms.parse_decision(posted)
    if data is None:
        return _declaration(request, ctx, number, form, status_code=422)
    try:
        officer.take_decision(ctx.session, principal=ctx.principal, number=number, data=data)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        ctx.uow.rollback()
        if exc.status == 403:
            from haiquan.deps import audit_refusal

            audit_refusal(get_db(request), request, ctx.principal.label, exc.message)
        forms.domain_error(form, exc)
        return _declaration(request, ctx, number, form, status_code=exc.status)
    ctx.uow.commit()
    request.app.state.dispatcher_wake()
    response = RedirectResponse(request.app.url_path_for("declaration_page", number=number), status_code=303)
    set_flash(response, "decision.saved")
    return response


@router.get("/declarations/{number}/record", name="declaration_record")
def record(request: Request, ctx: PageCtx, number: str) -> Response:
    """The decision / inspection record, laid out for an A4 sheet (print.css)."""
    scope = ctx.principal.scope
    row = repository.get(ctx.session, _checked(number), scope=scope)
    context = {
        "d": views.full(ctx.session, row, scope=scope, for_officer=True),
        "decisions": repository.decisions(ctx.session, row, scope=scope),
        "companies": repository.enterprise_names(ctx.session, [row.declarant_tax_code], scope=scope),
        "printed_at": clock.now(),
    }
    return render(request, "record.html", context)
