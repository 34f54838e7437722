"""The search box in the header: a declaration number opens the declaration; a tax code, a company's name
(diacritics optional), a bill of lading or air waybill, a container or an HS code lists the declarations
of the officer's units that match, newest first, within an optional range of lodging dates; a container
also links to the consignment that carries it (the supervision goods page)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from haiquan.declarations import lookup, repository, views
from haiquan.kit.clock import VN
from haiquan.kit.errors import DomainError
from haiquan.supervision import status as goods_status
from haiquan.web import work_text  # noqa: F401  (the pages' words)
from haiquan.web.render import render
from haiquan.web.session import PageCtx

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


def _day(value: str) -> tuple[date | None, bool]:
    """(the date, whether the text was wrong); an empty text is no date."""
    if not value:
        return None, False
    try:
        return date.fromisoformat(value), False
    except ValueError:
        return None, True


def _bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """Vietnam days as instants: from the start of `start` to the end of `end`."""
    low = datetime.combine(start, time.min, VN) if start else None
    high = datetime.combine(end + timedelta(days=1), time.min, VN) if end else None
    return low, high


def _dates(
    request: Request,
) -> tuple[dict[str, str], dict[str, str], tuple[datetime | None, datetime | None]]:
    values = {k: request.query_params.get(k, "").strip()[:10] for k in ("from", "to")}
    (start, bad_start), (end, bad_end) = _day(values["from"]), _day(values["to"])
    errors = {k: "search.bad_date" for k, bad in (("from", bad_start), ("to", bad_end)) if bad}
    if start and end and end < start:
        errors["to"] = "search.date_order"
    return values, errors, _bounds(start, end) if not errors else (None, None)


def _consignment(ctx: Any, query: lookup.Query) -> str | None:
    """The goods id of the latest consignment carrying the container, when the officer may see it."""
    if not query.container:
        return None
    try:
        return goods_status.of_container(ctx.session, principal=ctx.principal, number=query.text).goods_id
    except DomainError:
        return None


@router.get("/search", name="search_page")
def search(request: Request, ctx: PageCtx, q: str = "") -> Response:
    query = lookup.read_query(q)
    values, errors, (low, high) = _dates(request)
    scope = ctx.principal.scope
    rows: list[Any] = []
    total = 0
    if query.text and not errors:
        rows, total = lookup.find(
            ctx.session, scope=scope, query=query, lodged_from=low, lodged_before=high, limit=PAGE_SIZE
        )
        if query.number and total == 1:
            return RedirectResponse(request.app.url_path_for("declaration_page", number=rows[0].number), 303)
    names = repository.officer_names(ctx.session, rows, scope=scope)
    companies = repository.enterprise_names(ctx.session, [r.declarant_tax_code for r in rows], scope=scope)
    context = {
        "q": " ".join(q.split())[:100],
        "dates": values,
        "date_errors": errors,
        "items": [
            {"s": views.summary(r, names), "company": companies.get(r.declarant_tax_code, "")} for r in rows
        ],
        "total": total,
        "goods_id": _consignment(ctx, query),
        "container": query.text if query.container else "",
    }
    return render(request, "search.html", context)
