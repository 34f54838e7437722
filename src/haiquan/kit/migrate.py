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
