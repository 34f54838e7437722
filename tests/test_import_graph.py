"""The product's import graph does not carry the demonstration and simulation code (`haiquan.demo`):
building the served application, with its routes, pages and consumers, loads none of it, and neither does
the command line until a demo command runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

# prints the haiquan modules loaded after each step, one JSON list a line
PROBE = """
import json, sys
def loaded():
    print(json.dumps(sorted(m for m in sys.modules if m.startswith("haiquan"))), flush=True)
from haiquan.app import create_app
from haiquan.kit.settings import Settings
create_app(Settings(data_dir=sys.argv[1], secret_key="s" * 48, run_dispatcher=False,
                    database_url="sqlite:///" + sys.argv[1] + "/probe.db"))
loaded()
import haiquan.cli  # every command group: reports, supervision, sharing...
loaded()
import haiquan.demo.world  # what a demo command loads: the probe must see it
loaded()
"""


def _is_demo(module: str) -> bool:
    return module == "haiquan.demo" or module.startswith("haiquan.demo.")


def test_the_application_and_the_command_line_do_not_import_the_demo(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
    )
    app, cli, demo = (json.loads(line) for line in done.stdout.strip().splitlines()[-3:])
    assert "haiquan.declarations.api" in app
    assert "haiquan.reports.cli" in cli
    assert [m for m in app if _is_demo(m)] == []
    assert [m for m in cli if _is_demo(m)] == []
    assert "haiquan.demo.world" in demo  # and it would have seen a demo import
