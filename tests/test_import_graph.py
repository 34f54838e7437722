"""The product's import graph does not carry the demonstration and simulation code (`haiquan.demo`):
building the served application, with its routes, pages and consumers, loads none of it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

PROBE = """
import json, sys
from haiquan.app import create_app
from haiquan.kit.settings import Settings
settings = Settings(data_dir=sys.argv[1], secret_key="s" * 48, run_dispatcher=False,
                    database_url="sqlite:///" + sys.argv[1] + "/probe.db")
create_app(settings)
print(json.dumps(sorted(m for m in sys.modules if m.startswith("haiquan"))))
"""


def _modules_after(code: str, tmp_path: Path) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
    )
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_the_application_does_not_import_the_demo(tmp_path: Path) -> None:
    loaded = _modules_after(PROBE, tmp_path)
    assert "haiquan.app" in loaded
    assert "haiquan.declarations.api" in loaded  # the probe saw the routes being built
    assert [m for m in loaded if m == "haiquan.demo" or m.startswith("haiquan.demo.")] == []


def test_the_probe_sees_a_demo_import(tmp_path: Path) -> None:
    """The check above can fail: the same probe, with the demo imported, reports it."""
    loaded = _modules_after(
        PROBE.replace("create_app(settings)", "create_app(settings)\nimport haiquan.demo.world"), tmp_path
    )
    assert "haiquan.demo.world" in loaded


@pytest.mark.parametrize("module", ["haiquan.cli", "haiquan.reports.cli", "haiquan.supervision.cli"])
def test_the_command_line_loads_the_demo_only_when_asked(module: str, tmp_path: Path) -> None:
    loaded = _modules_after(
        f"import json, sys\nimport {module}\nprint(json.dumps(sorted(sys.modules)))", tmp_path
    )
    assert module in loaded
    assert not [m for m in loaded if m.startswith("haiquan.demo")]
