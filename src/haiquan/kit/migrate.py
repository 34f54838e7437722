"""Alembic, driven from code: `haiquan db upgrade` and the tests use the same path."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config

from haiquan.kit.settings import REPO_ROOT


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(REPO_ROOT) / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "heads") -> None:
    logging.getLogger("alembic").setLevel(logging.WARNING)
    command.upgrade(alembic_config(url), revision)


def schema_problem(url: str) -> str | None:
    """Why the database at `url` cannot serve this haiquan, in one line naming the command that fixes it;
    None when it is at the migrations' head."""
    where, current = _current_revisions(url)
    if isinstance(current, str):
        return current
    if not current:
        return f"the database at {where} is not migrated; run: haiquan db upgrade"
    return _compare(url, where, current)


def revision_problem(url: str) -> str | None:
    """The same, except that a database without Alembic's record passes (its tables may have been made
    another way; a missing table is diagnosed when a command meets it)."""
    where, current = _current_revisions(url)
    if isinstance(current, str):
        return current
    return _compare(url, where, current) if current else None


def _current_revisions(url: str) -> tuple[str, set[str] | str]:
    """The database's shown address and its Alembic revisions, or the line that says it cannot be read."""
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine, make_url
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.pool import NullPool

    parsed = make_url(url)
    where = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite" and parsed.database and not Path(parsed.database).exists():
        return where, f"the database at {where} does not exist; run: haiquan db upgrade"
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return where, set(MigrationContext.configure(conn).get_current_heads())
    except DBAPIError as exc:
        reason = (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]
        return (
            where,
            f"the database at {where} cannot be opened ({reason}); once it can, run: haiquan db upgrade",
        )
    finally:
        engine.dispose()


def _compare(url: str, where: str, current: set[str]) -> str | None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(url))
    heads = set(script.get_heads())
    if current == heads:
        return None
    known = {s.revision for s in script.walk_revisions()}
    if not current <= known:
        newer = ", ".join(sorted(current - known))
        return f"the database at {where} is at revision {newer}, newer than this haiquan; upgrade haiquan"
    return (
        f"the database at {where} is at revision {', '.join(sorted(current))}, "
        f"behind {', '.join(sorted(heads))}; run: haiquan db upgrade"
    )
