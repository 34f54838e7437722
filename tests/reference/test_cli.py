"""`haiquan reference load | rate | tariff` against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from haiquan.cli import app
from haiquan.kit import cli_support
from haiquan.kit.db import Database
from haiquan.kit.settings import get_settings
from haiquan.reference import service


@pytest.fixture
def runner(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("HAIQUAN_DATABASE_URL", db.url)
    cli_support._db = None
    get_settings.cache_clear()
    service.CACHE.invalidate()
    yield CliRunner()
    if cli_support._db is not None:
        cli_support._db.dispose()
    cli_support._db = None
    get_settings.cache_clear()
    service.CACHE.invalidate()


def test_load_then_look_up(runner: CliRunner, db: Database) -> None:
    result = runner.invoke(app, ["reference", "load"])
    assert result.exit_code == 0, result.output
    assert "6936" in result.output
    assert "243" in result.output
    assert "1089" in result.output
    with db.unit_of_work() as uow:  # the rows are committed, in the database the fixture owns
        assert service.tariff_line(uow.session, hs8="85171300") is not None

    again = runner.invoke(app, ["reference", "load"])
    assert again.exit_code == 0
    assert "│ 0 " in again.output

    rate = runner.invoke(app, ["reference", "rate", "--currency", "usd", "--date", "2026-03-04"])
    assert rate.exit_code == 0, rate.output
    assert "1 USD =" in rate.output
    assert "valid from 2026-03-02" in rate.output

    line = runner.invoke(app, ["reference", "tariff", "8703.23.61"])
    assert line.exit_code == 0, line.output
    assert "87032361" in line.output
    assert "ATIGA" in line.output
    assert "40" in line.output

    assert runner.invoke(app, ["reference", "tariff", "99999999"]).exit_code == 1
    assert (
        runner.invoke(app, ["reference", "rate", "--currency", "USD", "--date", "2024-01-01"]).exit_code == 1
    )
    assert runner.invoke(app, ["reference", "rate", "--currency", "USD", "--date", "1/1/2026"]).exit_code == 2


def test_load_refuses_a_bad_file_and_names_the_row(runner: CliRunner, db: Database, tmp_path: Path) -> None:
    rates = tmp_path / "rates.csv"
    rates.write_text(
        "currency,valid_from,vnd_per_unit\nUSD,2026-01-05,26000\nUSD,2026-13-01,1\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["reference", "load", "--rates", str(rates)])
    assert result.exit_code == 2
    assert "rates.csv, row 3, column valid_from" in result.output.replace("\n", " ")
    with db.unit_of_work() as uow:  # one transaction: the HS and tariff files loaded before it are undone
        assert not service.hs_exists(uow.session, code="8517")
