"""The navigation bar: a list other modules append to with `register(label_key, path, roles)`.

An entry is shown only when the app has a GET route at its path (so a placeholder for a module not yet
built stays hidden) and, when `roles` is given, only to officers holding one of them."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI
from starlette.routing import Route

from haiquan.kit.auth import Principal


@dataclass(frozen=True)
class NavItem:
    label_key: str
    path: str
    roles: frozenset[str] | None = None


NAV: list[NavItem] = []


def register(label_key: str, path: str, roles: list[str] | tuple[str, ...] | None = None) -> None:
    """Add a link (idempotent: the same path is kept once, the last registration wins)."""
    NAV[:] = [i for i in NAV if i.path != path]
    NAV.append(NavItem(label_key, path, frozenset(roles) if roles else None))


# The officers' pages and the places other modules' pages will live at.
register("nav.queue", "/queue")
register("nav.declarations", "/declarations")
register("nav.supervision", "/supervision")
register("nav.risk", "/risk")
register("nav.payments", "/payments")
register("nav.enforcement", "/enforcement")
register("nav.reports", "/reports")


def _get_paths(app: FastAPI) -> set[str]:
    paths: set[str] = set()
    for route in app.router.routes:
        if isinstance(route, Route) and "GET" in (route.methods or set()):
            paths.add(route.path)
    return paths


def items_for(app: FastAPI, principal: Principal | None) -> list[NavItem]:
    if principal is None:
        return []
    paths = _get_paths(app)
    return [
        i
        for i in NAV
        if i.path in paths and (i.roles is None or (principal.role is not None and principal.role in i.roles))
    ]
