"""Documented routes take only the query parameters they declare: any other is a 422 naming it, never
silently ignored (a misspelt filter would otherwise answer the unfiltered list). Pages (routes left out of
the OpenAPI description) stay lenient: browsers and links add parameters of their own."""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from haiquan.kit.bounds import PAGE_MAX
from haiquan.kit.errors import ValidationFailed

_declared: dict[int, frozenset[str]] = {}


def declared_query(route: APIRoute) -> frozenset[str]:
    """The names (aliases) of the query parameters the route and its dependencies declare."""
    names = _declared.get(id(route))
    if names is None:
        names = _declared[id(route)] = frozenset(_query_names(route.dependant))
    return names


def _query_names(dependant: Dependant) -> set[str]:
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


async def refuse_unknown_query(request: Request) -> None:
    """A dependency of every API router (routes.include_routers); async so that it runs on the loop."""
    if not request.scope.get("query_string"):
        return
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not route.include_in_schema:
        return
    declared = declared_query(route)
    unknown = [name for name in dict.fromkeys(request.query_params.keys()) if name not in declared]
    if not unknown:
        _refuse_out_of_range(request)
        return
    takes = ", ".join(sorted(declared)) or "none"
    errors = [
        {"field": n, "message": f"unknown query parameter (this route takes: {takes})"} for n in unknown
    ]
    raise ValidationFailed(f"{unknown[0]}: {errors[0]['message']}", field=unknown[0], errors=errors)


def _refuse_out_of_range(request: Request) -> None:
    """A list answers at most PAGE_MAX rows (`limit`), and no number a column cannot hold reaches a query
    (a 19-digit integer overflows PostgreSQL's bigint: a 500 there)."""
    for name, value in request.query_params.multi_items():
        digits = value.lstrip("+-")
        if digits.isdigit() and len(digits) > 18:
            raise ValidationFailed(f"{name}: a number beyond the range any field takes", field=name)
        if name == "limit" and digits.isdigit() and not 1 <= int(value) <= PAGE_MAX:
            raise ValidationFailed(f"limit: between 1 and {PAGE_MAX}", field=name)
