"""Alembic environment: one metadata (haiquan.models), batch mode on SQLite, lock and statement timeouts
on PostgreSQL so a migration never waits forever behind live traffic."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from haiquan import models  # noqa: F401  (registers every table)
from haiquan.kit.db import Base, make_engine
from haiquan.kit.settings import get_settings

config = context.config
target_metadata = Base.metadata


def run_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    url = config.get_main_option("sqlalchemy.url") or get_settings().effective_database_url
    engine = make_engine(url)
    with engine.connect() as conn:
        is_sqlite = conn.dialect.name == "sqlite"
        if not is_sqlite:
            conn.execute(text("SET lock_timeout = '10s'"))
            conn.execute(text("SET statement_timeout = '10min'"))
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=is_sqlite)
        with context.begin_transaction():
            context.run_migrations()
        conn.commit()
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
