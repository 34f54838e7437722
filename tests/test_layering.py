"""The layers hold by structure: routes, pages and views run no query of their own (the domain's
`repository.py` does, scoped by the caller); every public repository function takes the caller's scope
as the keyword `scope`, or says by its name that it reads unscoped; every API route answers a declared
response model; a route that changes something gets its transaction from the `Tx` dependency, served by a
`TransactionRoute`."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Any, get_args, get_origin

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.responses import Response
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel

from haiquan import deps
from haiquan.kit.transaction import TransactionRoute
from haiquan.routes import include_routers

SRC = Path(__file__).resolve().parents[1] / "src" / "haiquan"
QUERY_FUNCTIONS = {"select", "insert", "update", "delete", "text"}
QUERY_METHODS = {"execute", "scalars", "scalar", "query"}
SESSION_NAMES = {"session", "s", "db_session"}
UNSCOPED_PREFIX = "unscoped_"


def _layer_files() -> list[Path]:
    names = ("api.py", "pages.py", "views.py")
    return sorted(p for p in SRC.rglob("*.py") if p.name in names or p.name.endswith("_api.py"))


def _table_names(tree: ast.Module) -> set[str]:
    """Names imported from a `tables` module: mapped classes, which `session.get(X, ...)` would read."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1] in (
            "tables",
            "watchlist_tables",
        ):
            out |= {a.asname or a.name for a in node.names}
    return out


def _on_session(call: ast.Call, tables: set[str]) -> bool:
    func = call.func
    assert isinstance(func, ast.Attribute)
    target = func.value
    named = (isinstance(target, ast.Name) and target.id in SESSION_NAMES) or (
        isinstance(target, ast.Attribute) and target.attr == "session"
    )
    reads_table = bool(call.args) and isinstance(call.args[0], ast.Name) and call.args[0].id in tables
    return named or reads_table


def queries_in(source: str) -> list[str]:
    """Each query a module makes itself: `select(...)` and its kin, `.execute(`/`.scalars(`/`.scalar(`/
    `.query(` on anything, `.get(` on a session or of a mapped class, and the import of SQLAlchemy's
    statement builders."""
    tree = ast.parse(source)
    tables = _table_names(tree)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "sqlalchemy":
            found += [
                f"line {node.lineno}: imports {a.name}" for a in node.names if a.name in QUERY_FUNCTIONS
            ]
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in QUERY_FUNCTIONS:
            found.append(f"line {node.lineno}: {func.id}(")
        elif isinstance(func, ast.Attribute) and func.attr in QUERY_METHODS:
            found.append(f"line {node.lineno}: .{func.attr}(")
        elif isinstance(func, ast.Attribute) and func.attr == "get" and _on_session(node, tables):
            found.append(f"line {node.lineno}: .get( on a session")
    return found


def test_the_query_check_finds_each_kind_of_query() -> None:
    source = """
from sqlalchemy import select
from haiquan.cargo.tables import ManifestRow

def route(ctx, s):
    ctx.session.execute(select(ManifestRow))
    ctx.session.scalars(q)
    s.scalar(q)
    db.query(ManifestRow)
    ctx.session.get(ManifestRow, "x")
    other.get(ManifestRow, "x")
    s.get("key")
    TREES.get(ctx.session)
    settings.get("fine")
"""
    found = sorted(queries_in(source))
    assert found == [
        "line 10: .get( on a session",
        "line 11: .get( on a session",
        "line 12: .get( on a session",
        "line 2: imports select",
        "line 6: .execute(",
        "line 6: select(",
        "line 7: .scalars(",
        "line 8: .scalar(",
        "line 9: .query(",
    ]


@pytest.mark.parametrize("path", _layer_files(), ids=lambda p: str(p.relative_to(SRC)))
def test_routes_pages_and_views_run_no_query_of_their_own(path: Path) -> None:
    assert queries_in(path.read_text()) == [], f"{path.relative_to(SRC)}: move the query to repository.py"


def _repositories() -> list[Path]:
    return sorted(SRC.glob("*/repository.py"))


def unscoped_public_functions(source: str) -> list[str]:
    """Public functions that neither take `scope` as a keyword-only argument nor say `unscoped_`."""
    out = []
    for node in ast.parse(source).body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or node.name.startswith("_"):
            continue
        if node.name.startswith(UNSCOPED_PREFIX):
            continue
        if "scope" not in {a.arg for a in node.args.kwonlyargs}:
            out.append(node.name)
    return out


def test_the_scope_check_finds_a_function_without_the_keyword() -> None:
    source = """
def get(session, number, scope): ...
def search(session, *, scope): ...
def unscoped_all(session): ...
def _helper(q): ...
def count(session, *, units): ...
"""
    assert unscoped_public_functions(source) == ["get", "count"]


def test_every_domain_that_serves_records_has_a_repository() -> None:
    served = {p.parent.name for p in _layer_files()} - {"web", "reference", "reports"}
    assert served <= {p.parent.name for p in _repositories()}


@pytest.mark.parametrize("path", _repositories(), ids=lambda p: p.parent.name)
def test_every_public_repository_function_takes_the_callers_scope(path: Path) -> None:
    assert unscoped_public_functions(path.read_text()) == []


def _api_routes() -> list[Any]:
    """(full path, route) of every API route, through the routers' inclusion."""
    app = FastAPI()
    include_routers(app)
    found = []
    for ctx in iter_route_contexts(app.router.routes):
        route = ctx.original_route
        if isinstance(route, APIRoute) and (ctx.path or "").startswith("/api/"):
            found.append(
                pytest.param(str(ctx.path), route, id=f"{sorted(route.methods or ['?'])[0]} {ctx.path}")
            )
    assert len(found) >= 60
    return found


def _takes(dependant: Dependant, call: object) -> bool:
    return any(d.call is call or _takes(d, call) for d in dependant.dependencies)


@pytest.mark.parametrize(("path", "route"), _api_routes())
def test_every_api_route_declares_its_answer(path: str, route: APIRoute) -> None:
    answer = inspect.signature(route.endpoint).return_annotation
    if route.response_model is None:
        # only files (Excel, CSV, XML documents) are answered as a plain Response
        assert answer in ("Response", Response), f"{path}: declare a response model"
        assert path.endswith(("/export", ".xlsx", ".xml")), f"{path}: declare a response model"
    else:
        assert issubclass(_model_of(route.response_model), BaseModel), f"{path}: answer a Pydantic model"
    assert answer not in ("object", "Any", object), f"{path}: return the typed model"
    if _takes(route.dependant, deps.transaction):
        assert isinstance(route, TransactionRoute), f"{path}: a Tx route must be a TransactionRoute"


def _model_of(annotation: Any) -> type:
    """The model of `Model` or `list[Model]`."""
    args = get_args(annotation)
    inner = args[0] if get_origin(annotation) is list and args else annotation
    return inner if isinstance(inner, type) else type(None)


def test_no_route_answers_through_a_closure() -> None:
    for path in _layer_files():
        assert ".respond(" not in path.read_text(), path
