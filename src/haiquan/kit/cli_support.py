"""Helpers for CLI commands: the database from settings, clean failures."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

from haiquan.kit.db import Database
from haiquan.kit.settings import get_settings

_db: Database | None = None
err = Console(stderr=True)


def database() -> Database:
    global _db
    if _db is None:
        _db = Database(get_settings().effective_database_url)
    return _db


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)
