"""Helpers for CLI commands: the database from settings, clean failures."""

from __future__ import annotations

from typing import Any, NoReturn

import typer
from rich.console import Console
from sqlalchemy.exc import DBAPIError
from typer import _click
from typer.core import TyperGroup

from haiquan.kit.db import Database
from haiquan.kit.settings import get_settings

_db: Database | None = None
err = Console(stderr=True)


def database() -> Database:
    """The database of the settings; a database that Alembic migrated to another revision than this
    haiquan's head stops the command here (one without Alembic's record is left to DatabaseGuard)."""
    global _db
    if _db is None:
        from haiquan.kit.migrate import revision_problem

        url = get_settings().effective_database_url
        problem = revision_problem(url)
        if problem is not None:
            fail(problem, 1)
        _db = Database(url)
    return _db


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[red]error:[/red] {message}", soft_wrap=True, highlight=False)
    raise typer.Exit(code)


class DatabaseGuard(TyperGroup):
    """The root command group: any command whose database is missing, unreachable or not migrated to the
    head ends with one line naming the database and the command to run (exit 1), never a traceback. The
    diagnosis runs only when a database error escapes a command, so a healthy database costs nothing."""

    def invoke(self, ctx: _click.Context) -> Any:  # typer vendors click: its own Context
        try:
            return super().invoke(ctx)
        except DBAPIError:
            from haiquan.kit.migrate import schema_problem

            problem = schema_problem(get_settings().effective_database_url)
            if problem is None:
                raise
            fail(problem, 1)


def require_migrated() -> None:
    """For commands that hand the database to something else (the server): check it before starting."""
    from haiquan.kit.migrate import schema_problem

    problem = schema_problem(get_settings().effective_database_url)
    if problem is not None:
        fail(problem, 1)
