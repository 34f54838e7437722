"""The declarations package's modules import one another without a cycle (service and officer used to
import each other from inside functions), and its domain is pure: importing it loads no web framework,
no database toolkit."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import haiquan.declarations

PACKAGE = "haiquan.declarations"
ROOT = Path(haiquan.declarations.__file__).parent


def imports_within_package(path: Path) -> set[str]:
    """The package's modules `path` imports, at any depth (a function-level import counts)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == PACKAGE:
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PACKAGE + "."):
            found.add(node.module.split(".")[2])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[2] for a in node.names if a.name.startswith(PACKAGE + "."))
    return found - {path.stem}


def graph() -> dict[str, set[str]]:
    return {path.stem: imports_within_package(path) for path in ROOT.glob("*.py")}


def cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the modules along it, or None."""
    state: dict[str, str] = {}  # "open" while on the current path, "done" once explored

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = "open"
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":  # on the current path: back to it closes a cycle
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt, [*path, nxt])):
                return found
        state[node] = "done"
        return None

    for start in sorted(edges):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


def test_the_cycle_finder_finds_one() -> None:
    assert cycle({"service": {"officer"}, "officer": {"clearance"}, "clearance": {"service"}}) == [
        "clearance", "service", "officer", "clearance",
    ]  # fmt: skip
    assert cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_in_the_declarations_package() -> None:
    edges = graph()
    assert {"service", "officer", "registration", "domain"} <= set(edges)
    assert cycle(edges) is None, " -> ".join(cycle(edges) or [])
    assert "officer" not in edges["service"]
    assert "service" not in edges["officer"]


def test_the_domain_is_pure() -> None:
    # the catalogue only: the facts the lifecycle records are named there (plain Python, like the domain)
    assert imports_within_package(ROOT / "domain.py") <= {"catalogue"}
    probe = (
        "import sys, haiquan.declarations.domain; "
        "print(sorted(m for m in ('fastapi', 'starlette', 'sqlalchemy', 'pydantic') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
