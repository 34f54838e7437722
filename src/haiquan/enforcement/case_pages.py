"""The enforcement officer's screens: the case register (filters, paging), opening a case, one case with
its seizures, links and status history, the seizure entry and status forms, and its persons (each read
audited). Every action calls the API's service (`enforcement.service`), which checks the role, the scope
and writes the event and the audit entry; the pages read through the scoped repository."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from haiquan.enforcement import case_forms, domain, reports, service
from haiquan.enforcement import repository as repo
from haiquan.kit.errors import DomainError, NotFound
from haiquan.kit.pagination import decode_cursor, encode_cursor
from haiquan.web import i18n, workforms
from haiquan.web.render import add_template_dir, render
from haiquan.web.session import PageCtx

router = APIRouter(include_in_schema=False)
add_template_dir(Path(__file__).parent / "templates")
PAGE_SIZE = 25
STATUSES = [s.value for s in domain.CaseStatus]
FIELDS = [f.value for f in domain.Field]
ROUTES = [r.value for r in domain.Route]


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _after(cursor: str) -> tuple[str, str] | None:
    try:
        c = decode_cursor(cursor or None)
        return (str(c["d"]), str(c["i"])) if c else None
    except (DomainError, KeyError):
        return None


def _filter(ctx: Any, q: dict[str, str]) -> repo.CaseFilter:
    units = (
        reports.subtree_in_scope(ctx.session, principal=ctx.principal, unit=q["unit"]) if q["unit"] else None
    )
    pick = {"field": FIELDS, "route": ROUTES, "status": STATUSES}
    chosen = {k: (q[k] if q[k] in allowed else None) for k, allowed in pick.items()}
    return repo.CaseFilter(
        units, _day(q["from"]), _day(q["to"]), chosen["field"], chosen["route"], chosen["status"]
    )


@router.get("/enforcement/cases", name="case_register")
def register(request: Request, ctx: PageCtx) -> Response:
    q = {
        k: request.query_params.get(k, "").strip()[:40]
        for k in ("unit", "from", "to", "field", "route", "status")
    }
    q["unit"] = q["unit"].upper()
    scope = ctx.principal.scope
    rows = repo.list_cases(ctx.session, _filter(ctx, q), scope=scope, limit=PAGE_SIZE + 1,
                           after=_after(request.query_params.get("cursor", "")))  # fmt: skip
    more, rows = len(rows) > PAGE_SIZE, rows[:PAGE_SIZE]
    nxt = None
    if more:
        cursor = encode_cursor({"d": rows[-1].detected_on.isoformat(), "i": rows[-1].id})
        nxt = "?" + urlencode({**{k: v for k, v in q.items() if v}, "cursor": cursor})
    ids = [r.id for r in rows]
    context = {
        "rows": rows, "q": q, "next_url": nxt, "paged": "cursor" in request.query_params,
        "items": repo.items_counts(ctx.session, ids, scope=scope),
        "statuses": STATUSES, "fields": FIELDS, "routes": ROUTES,
        "can_open": ctx.principal.role in service.WRITE_ROLES,
    }  # fmt: skip
    return render(request, "cases.html", context)


def _new_page(
    request: Request, ctx: Any, values: dict[str, str], errors: workforms.Errors, code: int
) -> Response:
    context = {
        "values": values,
        "errors": errors,
        "fields": FIELDS,
        "routes": ROUTES,
        "agencies": case_forms.AGENCIES,
    }
    return render(request, "case_new.html", context, status_code=code)


@router.get("/enforcement/cases/new", name="case_new")
def new_case(request: Request, ctx: PageCtx) -> Response:
    ctx.principal.require_officer(*service.WRITE_ROLES)
    values = {"unit": ctx.principal.unit or "", "detected_on": date.today().isoformat()}
    return _new_page(request, ctx, values, workforms.Errors(i18n.lang_of(request)), 200)


@router.post("/enforcement/cases/new")
async def open_case(request: Request, ctx: PageCtx) -> Response:
    values = await workforms.posted(request, ctx)
    errors = workforms.Errors(i18n.lang_of(request))
    try:
        case = service.open_case(ctx.session, principal=ctx.principal, data=case_forms.case_in(values))
    except ValidationError as exc:
        workforms.from_validation(errors, exc, {"coordinated_with": "form"})
    except DomainError as exc:
        if exc.status == 403 and exc.field != "unit":
            raise
        workforms.from_domain(request, ctx, errors, exc)
    if errors:
        return _new_page(request, ctx, values, errors, errors.status)
    return workforms.done(ctx, request.app.url_path_for("case_page", case_id=case.id), "case.opened")


def _case_page(request: Request, ctx: Any, case_id: str, form: str = "", values: dict[str, str] | None = None,
               errors: workforms.Errors | None = None, code: int = 200) -> Response:  # fmt: skip
    scope = ctx.principal.scope
    case = repo.get_case(ctx.session, case_id, scope=scope)
    context = {
        "case": case,
        "items": repo.items_of(ctx.session, [case.id], scope=scope),
        "history": repo.history_of(ctx.session, [case.id], scope=scope),
        "links": repo.links_of(ctx.session, case.id, scope=scope),
        "persons": repo.persons_counts(ctx.session, [case.id], scope=scope).get(case.id, 0),
        "can_write": ctx.principal.role in service.WRITE_ROLES,
        "can_decide": ctx.principal.role in service.DECISION_ROLES,
        "next_statuses": case_forms.next_statuses(case.status),
        "categories": list(domain.CATEGORIES), "measures": case_forms.MEASURES,
        "agencies": case_forms.AGENCIES, "link_kinds": case_forms.LINK_KINDS,
        "form": form, "values": values or {}, "errors": errors or workforms.Errors(i18n.lang_of(request)),
    }  # fmt: skip
    return render(request, "case.html", context, status_code=code)


@router.get("/enforcement/cases/{case_id}", name="case_page")
def case_page(request: Request, ctx: PageCtx, case_id: str) -> Response:
    return _case_page(request, ctx, case_id[:40])


async def _act(request: Request, ctx: Any, case_id: str, form: str, act: Callable[[dict[str, str]], Any],
               flash: str, names: dict[str, str] | None = None) -> Response:  # fmt: skip
    """Run one form's action through the service; its refusal is shown on the case page."""
    values = await workforms.posted(request, ctx)
    repo.get_case(ctx.session, case_id, scope=ctx.principal.scope)  # the not-found page first
    errors = workforms.Errors(i18n.lang_of(request))
    try:
        act(values)
    except ValidationError as exc:
        workforms.from_validation(errors, exc, names)
    except DomainError as exc:
        if isinstance(exc, NotFound) and exc.field == "case_id":
            raise
        workforms.from_domain(request, ctx, errors, exc, names)
    if errors:
        return _case_page(request, ctx, case_id, form, values, errors, errors.status)
    return workforms.done(ctx, request.app.url_path_for("case_page", case_id=case_id) + f"#{form}", flash)


@router.post("/enforcement/cases/{case_id}/seizures", name="seizure_submit")
async def add_seizure(request: Request, ctx: PageCtx, case_id: str) -> Response:
    def act(v: dict[str, str]) -> None:
        item = case_forms.seizure_in(v)
        service.record_seizures(ctx.session, principal=ctx.principal, case_id=case_id, items=[item])

    names = {**case_forms.SEIZURE_NAMES, "items.0.quantity": "quantity", "items.0.category": "category"}
    return await _act(request, ctx, case_id, "seizure", act, "case.seizure_added", names)


@router.post("/enforcement/cases/{case_id}/status", name="case_status_submit")
async def change_status(request: Request, ctx: PageCtx, case_id: str) -> Response:
    def act(v: dict[str, str]) -> None:
        data = case_forms.transition_in(v)
        service.change_status(ctx.session, principal=ctx.principal, case_id=case_id, data=data)

    return await _act(request, ctx, case_id, "status", act, "case.status_changed")


@router.post("/enforcement/cases/{case_id}/edit", name="case_edit_submit")
async def edit_case(request: Request, ctx: PageCtx, case_id: str) -> Response:
    ctx.principal.require_officer(*service.WRITE_ROLES)  # a role the API refuses: the error page

    def act(v: dict[str, str]) -> None:
        data = case_forms.case_patch(v)
        service.patch_case(ctx.session, principal=ctx.principal, case_id=case_id, data=data)

    return await _act(request, ctx, case_id, "edit", act, "case.edited", {"coordinated_with": "form"})


@router.post("/enforcement/cases/{case_id}/links", name="case_link_submit")
async def add_link(request: Request, ctx: PageCtx, case_id: str) -> Response:
    ctx.principal.require_officer(*service.WRITE_ROLES)

    def act(v: dict[str, str]) -> None:
        data = case_forms.link_in(v)
        service.add_link(ctx.session, principal=ctx.principal, case_id=case_id, data=data)

    return await _act(request, ctx, case_id, "links", act, "case.linked", case_forms.LINK_NAMES)


def _persons_page(request: Request, ctx: Any, case_id: str, values: dict[str, str] | None = None,
                  errors: workforms.Errors | None = None, code: int = 200) -> Response:  # fmt: skip
    case = repo.get_case(ctx.session, case_id, scope=ctx.principal.scope)
    rows = service.read_persons(ctx.session, principal=ctx.principal, case_id=case.id)  # audited
    context = {"case": case, "persons": rows, "roles": case_forms.PERSON_ROLES, "values": values or {},
               "errors": errors or workforms.Errors(i18n.lang_of(request))}  # fmt: skip
    response = render(request, "case_persons.html", context, status_code=code)
    ctx.uow.commit()  # the read is written to the audit log
    return response


@router.get("/enforcement/cases/{case_id}/persons", name="case_persons")
def persons(request: Request, ctx: PageCtx, case_id: str) -> Response:
    return _persons_page(request, ctx, case_id[:40])


@router.post("/enforcement/cases/{case_id}/persons")
async def add_person(request: Request, ctx: PageCtx, case_id: str) -> Response:
    values = await workforms.posted(request, ctx)
    errors = workforms.Errors(i18n.lang_of(request))
    try:
        service.add_person(
            ctx.session, principal=ctx.principal, case_id=case_id, data=case_forms.person_in(values)
        )
    except ValidationError as exc:
        workforms.from_validation(errors, exc)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        workforms.from_domain(request, ctx, errors, exc)
    if errors:
        return _persons_page(request, ctx, case_id, values, errors, errors.status)
    return workforms.done(ctx, request.app.url_path_for("case_persons", case_id=case_id), "case.person_added")
