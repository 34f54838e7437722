"""The event catalogue holds by structure: every type is declared once, named as a fact, described by a
TypedDict and a committed JSON Schema; docs/events.md is what the catalogues give; every consumer takes
catalogue members only (no prefix), routes on them by equality (no substring); no producer writes a type
as text."""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import shutil
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from typing_extensions import is_typeddict

from haiquan import consumers
from haiquan.kit import catalogue
from haiquan.kit.outbox import Consumer
from haiquan.kit.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "haiquan"
NAME = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")  # as the envelope's schema says
# past participles that do not end in -ed
IRREGULAR = frozenset(
    {"set", "paid", "held", "sent", "left", "made", "done", "taken", "given", "written", "withdrawn"}
)


def supervision_pending() -> bool:
    """Supervision's catalogue is the other part of issue #16: until it exists, supervision's own producers
    and the reports' supervision route are not yet held to these rules (they are, the moment it does)."""
    return importlib.util.find_spec("haiquan.supervision.catalogue") is None


def test_every_type_is_declared_once_with_a_typed_payload() -> None:
    entries = catalogue.entries()
    assert len(entries) >= 60  # every domain's: declarations, payments, risk, cargo, organisation, ...
    domains = {e.domain for e in entries}
    assert {"declarations", "payments", "risk", "cargo", "organization", "enforcement", "sharing"} <= domains
    for e in entries:
        assert NAME.match(e.name), e.name
        assert is_typeddict(e.payload), f"{e.name}: {e.payload!r} is not a TypedDict"
        assert catalogue.describe(e.payload), f"{e.name}: its payload has no docstring for the docs"


def test_every_type_is_named_as_a_fact() -> None:
    for e in catalogue.entries():
        words = e.name.split(".", 1)[1].split("_")
        assert any(w.endswith("ed") or w in IRREGULAR for w in words), f"{e.name} is not in the past tense"


def test_former_names_lead_to_current_types() -> None:
    renamed = catalogue.renamed()
    assert renamed["declaration.register"] == "declaration.registered"
    assert renamed["declaration.clear"] == "declaration.cleared"
    for old, new in renamed.items():
        assert old not in catalogue.types()
        assert new in catalogue.types()
        assert catalogue.current_name(old) == new
    assert catalogue.current_name("declaration.registered") == "declaration.registered"


def test_every_type_has_its_json_schema() -> None:
    for e in catalogue.entries():
        path = ROOT / catalogue.SCHEMA_DIR / f"{e.name}.schema.json"
        assert path.exists(), f"{path.name} missing: run `PYTHONPATH=src python scripts/gen_events.py`"
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert schema["$id"].endswith(f"/{e.name}.schema.json")
        assert set(schema["required"]) == set(getattr(e.payload, "__required_keys__", ()))


def test_the_generated_docs_and_schemas_are_fresh() -> None:
    stale = [str(p.relative_to(ROOT)) for p in catalogue.stale(ROOT)]
    assert stale == [], f"stale: {stale}; run `PYTHONPATH=src python scripts/gen_events.py`"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    (tmp_path / "docs").mkdir()
    shutil.copy(ROOT / catalogue.EVENTS_DOC, tmp_path / catalogue.EVENTS_DOC)
    shutil.copytree(ROOT / catalogue.SCHEMA_DIR, tmp_path / catalogue.SCHEMA_DIR)
    return tmp_path


def test_a_stale_file_is_named_and_written_again(copy: Path) -> None:
    doc, schemas = copy / catalogue.EVENTS_DOC, copy / catalogue.SCHEMA_DIR
    doc.write_text(doc.read_text(encoding="utf-8").replace("`declaration.lodged`", "`declaration.lodge`"))
    (schemas / "payment.confirmed.schema.json").unlink()
    (schemas / "declaration.lodge.schema.json").write_text("{}")
    assert catalogue.stale(copy) == sorted(
        [doc, schemas / "payment.confirmed.schema.json", schemas / "declaration.lodge.schema.json"]
    )
    catalogue.write(copy)
    assert catalogue.stale(copy) == []
    assert not (schemas / "declaration.lodge.schema.json").exists()
    assert "`declaration.lodged`" in doc.read_text(encoding="utf-8")


def test_the_docs_keep_their_prose_around_the_generated_section() -> None:
    text = (ROOT / catalogue.EVENTS_DOC).read_text(encoding="utf-8")
    assert text.index("## Envelope") < text.index(catalogue.BEGIN) < text.index("## Consuming events")


class Collecting:
    """Stands for the dispatcher: keeps what `consumers.register_all` registers."""

    def __init__(self) -> None:
        self.consumers: list[Consumer] = []

    def register(self, consumer: Consumer) -> None:
        self.consumers.append(consumer)


@pytest.fixture
def registered(tmp_path: Path) -> list[Consumer]:
    d = Collecting()
    consumers.register_all(d, Settings(data_dir=tmp_path, secret_key="k" * 40))  # type: ignore[arg-type]
    return d.consumers


def test_every_consumer_takes_types_a_catalogue_declares(registered: list[Consumer]) -> None:
    names = {c.name for c in registered}
    assert {"notifications", "payments.declarations", "reports.rollups", "risk.labels"} <= names
    known = catalogue.types()
    if supervision_pending():  # supervision's own types are declared by its catalogue, when it comes
        known |= {t for c in registered for t in c.types if t.startswith("supervision.")}
    for c in registered:
        assert c.types, f"{c.name} takes no type"
        unknown = sorted(t for t in c.types if t not in known)
        assert unknown == [], f"{c.name} waits for types nobody declares: {unknown}"


def test_no_consumer_takes_types_by_prefix(registered: list[Consumer]) -> None:
    pending = {("reports.rollups", "supervision.")} if supervision_pending() else set()
    by_prefix = {(c.name, p) for c in registered for p in c.prefixes}
    assert by_prefix == pending, "consumers name the catalogue's members, not prefixes"


@cache
def _modules() -> tuple[tuple[Path, ast.Module], ...]:
    """Every module of the package, parsed once for the tests below."""
    return tuple(
        (path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        for path in sorted(SRC.rglob("*.py"))
    )


def _exempt(path: Path) -> bool:
    return supervision_pending() and path.is_relative_to(SRC / "supervision")


def _type_written_as_text(value: ast.expr) -> bool:
    """A literal, an f-string, a concatenation, a `.format`/`%` or a subscript (`event["type"]`)."""
    if isinstance(value, ast.Constant | ast.JoinedStr | ast.BinOp | ast.Subscript):
        return True
    return (
        isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "format"
    )


def test_no_producer_writes_an_event_type_as_text() -> None:
    found, bad = 0, []
    for path, tree in _modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or _exempt(path):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name not in ("record", "row_for"):
                continue
            for kw in node.keywords:
                if kw.arg == "type":
                    found += 1
                    if _type_written_as_text(kw.value):
                        bad.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found >= 30  # the walk sees the producers
    assert bad == [], f"event types written as text (use the catalogue's member): {bad}"


# Type tests that are not routing: an agency agreement names types by pattern (`enforcement.*`, chosen by
# an administrator), and `haiquan sharing totals --type` filters the summary's rows for display.
NOT_ROUTING = {("sharing/domain.py", "covers"), ("sharing/cli_status.py", "totals_cmd")}


def _substring_tests(tree: ast.Module) -> Iterator[tuple[str, int]]:
    """(function, line) of each test on an event's `.type` by text: compared with a literal, a `.startswith`,
    `.split`, ... of it, or `... in x.type`."""
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef):
            continue
        for node in ast.walk(fn):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and _is_type(node.func.value)
            ):
                yield fn.name, node.lineno
            elif isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                literal = any(isinstance(s, ast.Constant) and isinstance(s.value, str) for s in sides)
                contains = any(isinstance(op, ast.In | ast.NotIn) for op in node.ops) and _is_type(sides[-1])
                if (literal and any(_is_type(s) for s in sides)) or contains:
                    yield fn.name, node.lineno


def _is_type(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "type"


def test_consumers_route_by_members_not_by_substrings() -> None:
    pending = (
        {("reports/handlers.py", f) for f in ("on_supervision", "_route")} if supervision_pending() else set()
    )
    seen, bad = 0, []
    for path, tree in _modules():
        rel = str(path.relative_to(SRC))
        if _exempt(path):
            continue
        for fn, line in _substring_tests(tree):
            seen += 1
            if (rel, fn) not in NOT_ROUTING | pending:
                bad.append(f"{rel}:{line} ({fn})")
    assert seen >= len(NOT_ROUTING)  # the walk finds the known ones
    assert bad == [], f"event types tested by text (compare with the catalogue's members): {bad}"


def test_every_declared_type_is_produced_somewhere() -> None:
    """A member named outside the catalogues (a producer, or a table of them): no type is declared for
    nothing."""
    used: set[tuple[str, str]] = set()
    for path, tree in _modules():
        if path.name == "catalogue.py":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                used.add((node.value.id, node.attr))
    unused = [e.name for e in catalogue.entries() if (type(e.member).__name__, e.member.name) not in used]
    assert unused == [], f"declared and never recorded: {unused}"


def test_the_api_guide_lists_every_former_name() -> None:
    """Terminals and agencies read type names (docs/api.md, "Event type names"): each rename is shown."""
    guide = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    missing = [old for old, new in catalogue.renamed().items() if f"| `{old}` | `{new}` |" not in guide]
    assert missing == []
