"""The one way a test says that a service or data set it needs is missing. Without it the test is
skipped with the reason; with `HAIQUAN_REQUIRE_SERVICES=1` (CI, and anyone who wants to be sure every
test ran) the same call fails instead. tests/test_skips.py holds that no test skips any other way."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
REQUIRE = os.environ.get("HAIQUAN_REQUIRE_SERVICES") == "1"
PG_ADMIN_URL = os.environ.get("HAIQUAN_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CHROMIUM = "/usr/bin/chromium"


def need_service(reason: str) -> None:
    """Skip, or fail when the CI demands every service."""
    if REQUIRE:
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


def pg_problem() -> str | None:
    """Why PostgreSQL cannot be reached at HAIQUAN_TEST_PG, or None when it can."""
    try:
        eng = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with eng.connect() as conn:
            conn.execute(text("SELECT 1"))
        eng.dispose()
        return None
    except Exception as exc:
        return f"PostgreSQL not reachable at {PG_ADMIN_URL.split('@')[-1]}: {type(exc).__name__}"


def need_postgres() -> None:
    problem = pg_problem()
    if problem:
        need_service(problem)


def nats_server() -> str:
    """The nats-server binary (PATH, else /usr/sbin)."""
    binary = shutil.which("nats-server") or "/usr/sbin/nats-server"
    if not Path(binary).exists():
        need_service("nats-server binary not found")
    return binary


def chromium() -> str:
    """Headless Chromium for the browser tests, with Playwright to drive it."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        need_service("the Playwright Python package is not installed")
    found = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if found is None:
        need_service(f"Chromium not found at {CHROMIUM} or on PATH")
    return str(found)


def axe_script() -> str:
    """axe-core's script, from the axe-playwright-python test dependency (never served by the app)."""
    try:
        from axe_playwright_python.base import AXE_SCRIPT
    except ImportError:
        need_service("axe-playwright-python (axe-core) is not installed: pip install -e '.[dev]'")
    return str(AXE_SCRIPT)


def kcs_dir() -> Path:
    """The KCS synthetic declarations (shared/data/kcs beside the repository, or HAIQUAN_KCS_DIR)."""
    folder = Path(os.environ.get("HAIQUAN_KCS_DIR") or ROOT.parent / "shared" / "data" / "kcs")
    if not (folder / "df_syn_train_eng.csv").exists():
        need_service(
            f"KCS data not found at {folder.resolve()} (shared/ beside the repository, or HAIQUAN_KCS_DIR)"
        )
    return folder
