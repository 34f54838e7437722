"""Shared fixtures. Every database test runs on SQLite and on PostgreSQL (127.0.0.1:5432, database
`test`; each run, and each pytest-xdist worker, creates and drops its own database). Without PostgreSQL
those runs are skipped with the reason, unless HAIQUAN_REQUIRE_SERVICES=1 turns the skip into a failure
(tests/services.py).

Each test starts from empty tables: on SQLite a copy of a file made once per worker with every table; on
PostgreSQL the worker's database, emptied after each test by one call of a function that deletes the rows
of every table and rewinds the sequences the tables own (a TRUNCATE of every table cost more than most
tests). A rollback per test is not possible: the application commits from its own threads and
connections (group commit, the dispatcher, the served app in TestClient's thread)."""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from haiquan.kit import auth, cli_support, clock, pending
from haiquan.kit.db import Base, Database
from haiquan.kit.settings import Settings, get_settings
from tests.payload_check import _payloads_match_the_catalogue  # noqa: F401  (autouse: every test)
from tests.services import PG_ADMIN_URL, need_postgres, need_service
from tests.support import World, build_world

__all__ = ["need_service"]  # tests written before tests/services.py import it from here

auth.configure_password_hashing(time_cost=1, memory_cost=1024)
# a statement reading a table whose rows the transaction still buffers for the commit fails the test
pending.refuse_reads_of_buffered_rows()


@pytest.fixture(scope="session", autouse=True)
def _default_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Code that falls back on the default settings writes into the worker's own folder, never into the
    repository's var/ that parallel workers (and a developer's `make run`) share."""
    before = os.environ.get("HAIQUAN_DATA_DIR")
    os.environ["HAIQUAN_DATA_DIR"] = str(tmp_path_factory.mktemp("data"))
    get_settings.cache_clear()
    yield
    if before is None:
        os.environ.pop("HAIQUAN_DATA_DIR", None)
    else:
        os.environ["HAIQUAN_DATA_DIR"] = before
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    need_postgres()
    name = f"hq_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


RESET = """
CREATE FUNCTION hq_test_reset(tables text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  t text;
  s regclass;
BEGIN
  FOREACH t IN ARRAY tables LOOP
    EXECUTE format('DELETE FROM %I', t);
  END LOOP;
  FOR s IN
    SELECT d.objid::regclass FROM pg_depend d JOIN pg_class c ON c.oid = d.objid
    WHERE c.relkind = 'S' AND d.deptype IN ('a', 'i') AND d.refobjid = ANY(tables::regclass[])
  LOOP
    PERFORM setval(s, 1, false);
  END LOOP;
END $$
"""


@pytest.fixture(scope="session")
def pg_database(pg_url: str) -> Iterator[Database]:
    db = Database(pg_url)
    db.create_all()
    with db.engine.begin() as conn:
        conn.execute(text(RESET))
    yield db
    db.dispose()


def reset_postgres(db: Database) -> None:
    """Every table emptied (children first) and its own sequences rewound, as a TRUNCATE ... RESTART
    IDENTITY would, in one round trip and without rewriting a file per table and index."""
    from haiquan import models  # noqa: F401  (registers every table)

    names = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        conn.execute(text("SELECT hq_test_reset(CAST(:names AS text[]))"), {"names": names})


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with every table, made once per worker; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "empty.db"
    db = Database(f"sqlite:///{path}")
    db.create_all()
    db.dispose()
    with closing(sqlite3.connect(path)) as conn:  # one self-contained file: no write-ahead log beside it
        conn.execute("PRAGMA journal_mode=DELETE")
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        target = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        database = Database(f"sqlite:///{target}")
        yield database
        database.dispose()
    else:
        database = request.getfixturevalue("pg_database")
        reset_postgres(database)
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
    yield create_app(settings, db)
    forget_apps()


def forget_apps() -> None:
    """FastAPI remembers, in process-wide caches of 4,096 entries, every dependency it has classified,
    and each application's own closures hold the application: without this a worker kept ~150 finished
    applications alive (1.6 GB), which every full garbage collection and the interpreter's exit walked."""
    from fastapi.dependencies import models

    for name in ("_is_gen_callable_cached", "_is_async_gen_callable_cached", "_is_coroutine_callable_cached"):
        cached = getattr(models, name, None)
        if cached is not None:
            cached.cache_clear()


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
