"""Shared fixtures. Every database test runs on SQLite and on PostgreSQL (127.0.0.1:5432, database
`test`; each run creates and drops its own database). Without PostgreSQL those runs are skipped with the
reason, unless HAIQUAN_REQUIRE_SERVICES=1 turns the skip into a failure."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from haiquan.kit import auth, cli_support, clock, pending
from haiquan.kit.db import Base, Database
from haiquan.kit.settings import Settings
from tests.payload_check import _payloads_match_the_catalogue  # noqa: F401  (autouse: every test)
from tests.support import World, build_world

auth.configure_password_hashing(time_cost=1, memory_cost=1024)
# a statement reading a table whose rows the transaction still buffers for the commit fails the test
pending.refuse_reads_of_buffered_rows()

PG_ADMIN_URL = os.environ.get("HAIQUAN_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE = os.environ.get("HAIQUAN_REQUIRE_SERVICES") == "1"


def need_service(reason: str) -> None:
    """Skip, or fail when the CI demands every service."""
    if REQUIRE:
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


def _pg_available() -> str | None:
    try:
        eng = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with eng.connect() as conn:
            conn.execute(text("SELECT 1"))
        eng.dispose()
        return None
    except Exception as exc:
        return f"PostgreSQL not reachable at {PG_ADMIN_URL.split('@')[-1]}: {type(exc).__name__}"


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    problem = _pg_available()
    if problem:
        need_service(problem)
    name = f"hq_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def pg_database(pg_url: str) -> Iterator[Database]:
    db = Database(pg_url)
    db.create_all()
    yield db
    db.dispose()


def _truncate(db: Database) -> None:
    from haiquan import models  # noqa: F401

    names = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'test.db'}")
        database.create_all()
        yield database
        database.dispose()
    else:
        database = request.getfixturevalue("pg_database")
        _truncate(database)
        yield database


@pytest.fixture
def cli_db(db: Database) -> Iterator[Database]:
    """The command line (`haiquan ...` through typer's CliRunner) on the test's database."""
    cli_support._db = db
    yield db
    cli_support._db = None


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, secret_key="test-secret-key-" + "x" * 32, run_dispatcher=False)


@pytest.fixture
def app(db: Database, settings: Settings):  # type: ignore[no-untyped-def]
    from haiquan.app import create_app
    from haiquan.organization import service as org
    from haiquan.tariff import service as tariff_service

    org.TREES.invalidate()
    tariff_service.invalidate()
    return create_app(settings, db)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as c:
        yield c


@pytest.fixture
def world(app, client: TestClient) -> World:  # type: ignore[no-untyped-def]
    """A small organisation: units, officers of every rank, enterprises with API keys."""
    return build_world(app, client)


@pytest.fixture(autouse=True)
def _thaw_clock() -> Iterator[None]:
    yield
    clock.freeze(None)
