"""Every skip for a missing service or data set goes through tests/services.py, so that
HAIQUAN_REQUIRE_SERVICES=1 turns each of them into a failure: no test calls pytest.skip, importorskip or
skipif on its own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests import services

TESTS = Path(__file__).resolve().parent
SKIPS = {"skip", "skipif", "importorskip"}
# a platform condition, not a missing service: thread names are read from Linux's /proc
ALLOWED = {("kit/test_threads.py", "skipif")}


def _skips(path: Path) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in SKIPS:
            found.append((node.attr, node.lineno))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pytest"):
            found += [(a.name, node.lineno) for a in node.names if a.name in SKIPS]
    return found


def test_no_test_skips_on_its_own() -> None:
    offenders = [
        f"{rel}:{line} ({what})"
        for path in sorted(TESTS.rglob("*.py"))
        if path.name not in {"services.py", "test_skips.py"}
        for what, line in _skips(path)
        if ((rel := path.relative_to(TESTS).as_posix()), what) not in ALLOWED
    ]
    assert offenders == [], "skip through tests/services.py (need_service): " + ", ".join(offenders)


def test_the_scan_finds_a_skip(tmp_path: Path) -> None:
    sample = tmp_path / "test_sample.py"
    sample.write_text("import pytest\n\ndef test_x():\n    pytest.skip('no service')\n")
    assert _skips(sample) == [("skip", 4)]


def test_required_services_turn_the_skip_into_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "REQUIRE", True)
    with pytest.raises(pytest.fail.Exception, match="required service missing: a service"):
        services.need_service("a service")
    monkeypatch.setattr(services, "REQUIRE", False)
    with pytest.raises(pytest.skip.Exception, match="a service"):
        services.need_service("a service")
