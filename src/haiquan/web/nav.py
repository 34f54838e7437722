"""The navigation bar: a list other modules append to with `register(label_key, path, roles)`.

An entry is shown only when the app has a GET route at its path (so a placeholder for a module not yet
built stays hidden) and, when `roles` is given, only to officers holding one of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from starlette.routing import Match

from haiquan.kit.auth import AGENCY_ROLES, Principal


@dataclass(frozen=True)
class NavItem:
    label_key: str
    path: str
    roles: frozenset[str] | None = None
    counter: str | None = None  # a JSON endpoint answering {"count": n}, shown as a live badge


NAV: list[NavItem] = []


def register(
    label_key: str, path: str, roles: list[str] | tuple[str, ...] | None = None, counter: str | None = None
) -> None:
    """Add a link; registering a path again replaces it in place (the order of first registration stays)."""
    item = NavItem(label_key, path, frozenset(roles) if roles else None, counter)
    for n, existing in enumerate(NAV):
        if existing.path == path:
            NAV[n] = item
            return
    NAV.append(item)


# The officers' pages and the places other modules' pages will live at.
LEADERS = ("team_lead", "subdepartment_leader", "department_leader", "administrator")
register("nav.queue", "/queue")
register("nav.declarations", "/declarations")
register("nav.supervision", "/supervision/alerts", counter="/supervision/alerts/count")
register("nav.risk", "/risk", roles=("analyst", *LEADERS))
register("nav.payments", "/payments")
register("nav.enforcement", "/enforcement")
register("nav.reports", "/reports", roles=("analyst", *LEADERS))
# The work screens of issue 23: cases for those who record them, the analyst's and the administrator's.
CASE_ROLES = ("officer", "team_lead", "subdepartment_leader", "department_leader")
register("nav.cases", "/enforcement/cases", roles=CASE_ROLES)
register("nav.analysis", "/risk/profiles", roles=("analyst", "administrator"))
register("nav.admin", "/admin", roles=("administrator",))
register("nav.sharing", "/sharing", roles=("analyst", *LEADERS))


def has_page(app: FastAPI, path: str) -> bool:
    """Whether a GET on `path` reaches a route, remembered per app (app.state.nav_pages): matching every route for each nav
    entry cost ~20 ms a page. The answer is asked again whenever the app's route count changes (routes
    are added at start-up, by include_router or a decorator)."""
    routes = app.router.routes
    known: tuple[int, dict[str, bool]] | None = getattr(app.state, "nav_pages", None)
    if known is None or known[0] != len(routes):
        known = app.state.nav_pages = (len(routes), {})
    if path not in known[1]:
        known[1][path] = _matches(routes, path)
    return known[1][path]


def _matches(routes: list[Any], path: str) -> bool:
    """Asked through the routes' own matching, so routes included from routers count too."""
    scope = {
        "type": "http",
        "path": path,
        "method": "GET",
        "root_path": "",
        "query_string": b"",
        "headers": [],
    }
    return any(route.matches(scope)[0] is Match.FULL for route in routes)


def items_for(app: FastAPI, principal: Principal | None) -> list[NavItem]:
    if principal is None:
        return []
    return [i for i in NAV if _shown(i, principal) and has_page(app, i.path)]


PORTAL = "/portal"  # the trader portal's entries: for an enterprise's staff only, and only those


def _shown(item: NavItem, principal: Principal) -> bool:
    """Entries without roles are for customs officers (another agency's staff see only those naming theirs);
    an enterprise's staff (kind `staff`) see the portal's entries and nothing else."""
    if (principal.kind == "staff") != (item.path == PORTAL or item.path.startswith(PORTAL + "/")):
        return False
    if item.roles is None:
        return principal.role not in AGENCY_ROLES
    return principal.role is not None and principal.role in item.roles


def current(items: list[NavItem], path: str) -> str | None:
    """The entry the page belongs to: the longest entry path that is the page's path or a folder above it
    (/enforcement/cases/12 is under "Vụ việc", not also under "Chống buôn lậu")."""
    under = [i.path for i in items if path == i.path or path.startswith(i.path.rstrip("/") + "/")]
    return max(under, key=len, default=None)
