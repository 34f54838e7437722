"""Alembic migrations build exactly the schema the code declares, on SQLite and PostgreSQL, with one head."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from haiquan import models  # noqa: F401
from haiquan.kit.db import Base, make_engine
from haiquan.kit.migrate import alembic_config, upgrade


def _diff(url: str) -> list[object]:
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    return list(diff)


def test_one_head() -> None:
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, f"migrations have several heads: {heads}"


def test_migrations_match_the_models_on_sqlite(tmp_path: Path) -> None:
    assert _diff(f"sqlite:///{tmp_path / 'm.db'}") == []


def test_migrations_match_the_models_on_postgresql(pg_url: str) -> None:
    base, name = pg_url.rsplit("/", 1)
    mig = name + "_mig"
    admin = create_engine(base + "/test", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{mig}"'))
    try:
        assert _diff(f"{base}/{mig}") == []
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{mig}" WITH (FORCE)'))
        admin.dispose()
