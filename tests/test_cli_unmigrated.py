"""Every command on a database that is missing or not migrated: one line naming the database and the command
to run, exit 1, never a traceback (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import create_engine, text
from typer.testing import CliRunner, Result

from haiquan import cli
from haiquan.kit import cli_support
from haiquan.kit.migrate import upgrade
from haiquan.kit.settings import get_settings
from tests.services import PG_ADMIN_URL, need_postgres

runner = CliRunner()

# Commands that never touch the database (files, HTTP, or the migration itself).
NO_DATABASE = {
    "db upgrade",
    "audit public-key",
    "docs openapi",
    "simulate",
    "risk train",
    "risk score",
    "supervision keygen",
    "supervision sign",
    "supervision simulate",
    "origin country-node keygen",
    "origin country-node example",
    "origin country-node sign",
    "origin country-node send",
    "sharing nats-url",
    "sharing credentials",
    "sharing tls",
}
# Arguments that get each command past its own input checks to its first database read.
ARGS: dict[str, list[str]] = {
    "serve": ["--port", "1"],
    "unit load": [],
    "officer add": ["--username", "lan", "--unit", "01AB", "--role", "officer"],
    "officer deactivate": ["lan"],
    "officer reactivate": ["lan"],
    "officer set-role": ["lan", "team_lead"],
    "officer set-fields": ["lan", "audit"],
    "officer move": ["lan", "01B3"],
    "officer leave": ["lan"],
    "officer return": ["lan"],
    "officer escalate-overdue": [],
    "officer revoke-sessions": ["lan"],
    "payments bank add": ["--code", "VCB", "--name", "Vietcombank", "--tax-code", "0100112437"],
    "payments bank list": [],
    "payments bank disable": ["--code", "VCB", "--reason", "test"],
    "payments bank enable": ["--code", "VCB", "--reason", "test"],
    "payments bank revoke-certificate": ["--code", "VCB", "--reason", "leaked"],
    "enterprise add": ["--tax-code", "0101248141", "--name", "Minh Anh", "--role", "declarant"],
    "enterprise revoke-keys": ["--tax-code", "0101248141"],
    "enterprise new-key": ["--tax-code", "0101248141"],
    "enterprise keys": ["--tax-code", "0101248141"],
    "enterprise staff-add": ["--tax-code", "0101248141", "--username", "lan.admin"],
    "enterprise revoke-key": ["--tax-code", "0101248141", "--key-id", "0123456789ab"],
    "enterprise rotate-webhook-secret": ["--tax-code", "0101248141"],
    "enterprise suspend": ["--tax-code", "0101248141", "--reason", "r"],
    "enterprise reinstate": ["--tax-code", "0101248141", "--reason", "r"],
    "enterprise dissolve": ["--tax-code", "0101248141", "--reason", "r"],
    "audit verify": [],
    "audit checkpoint": [],
    "audit export": ["--out", "{document}"],
    "reference load": [],
    "agencies load": [],
    "agencies member": ["--agency", "PPD", "--units", "*", "--tax-code", "0101248141"],
    "agencies overdue": [],
    "applications overdue": [],
    "conveyances purge": [],
    "cargo writeoff-close": [],
    "origin add-key": ["--country", "TH", "--key-name", "TH-1", "--cert", "{cert}"],
    "origin revoke-key": ["--country", "TH", "--key-name", "TH-1", "--reason", "r"],
    "origin run-duty": [],
    "taxes recompute": [],
    "taxes account": ["0101248141"],
    "reference rate": ["--currency", "USD", "--date", "2026-03-04"],
    "reference tariff": ["87032361"],
    "enforcement report": ["--unit", "01AB", "--from", "2026-01-01", "--to", "2026-01-31"],
    "payments reconcile": ["--bank", "VCB", "--date", "2026-03-04", "--file", "{statement}"],
    "payments bank-certificate": ["--bank", "VCB", "--file", "{cert}"],
    "revenue target": ["show", "--unit", "01AB", "--year", "2026"],
    "revenue refund": ["--declaration", "x", "--amount", "1"],
    "revenue write-off": ["--declaration", "x", "--amount", "1", "--reason", "r"],
    "reports export": ["revenue"],
    "reports simulate-history": ["--years", "1", "--declarations-per-year", "1000"],
    "reports rebuild-totals": [],
    "risk-engine lanes": ["*"],
    "risk-engine defaults": [],
    "risk-engine nightly": [],
    "risk-engine promote": ["{model}"],
    "risk-engine profile list": [],
    "risk-engine profile add": ["P-X", "hs starts 8703 -> red", "--why", "test"],
    "risk-engine profile test": ["hs = 8703"],
    "supervision add-key": ["--operator", "0101248141", "--key-name", "k", "--cert", "{cert}"],
    "supervision revoke-key": ["--operator", "0101248141", "--key-name", "k", "--reason", "leaked"],
    "supervision scan": [],
    "sharing nats-config": ["--unit", "01AB"],
    "sharing totals": [],
    "sharing status": [],
    "sharing publish-reference": ["tariff", "{document}", "--version", "1"],
    "sharing test-events": ["--unit", "01AB"],
    "sharing agreement add": ["--agency", "MOH", "--types", "declaration.registered", "--units", "01AB"],
    "sharing agreement list": [],
    "sharing agreement revoke": ["x"],
    "demo seed": ["--declarations", "1"],
}


def _commands(group: Any, path: str = "") -> Iterator[str]:
    if hasattr(group, "commands"):  # a group (typer's own click classes are not click.Group)
        for name, sub in group.commands.items():
            yield from _commands(sub, f"{path} {name}".strip())
    else:
        yield path


@pytest.fixture(scope="module")
def empty_pg() -> Iterator[str]:
    need_postgres()
    name = f"hq_empty_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def unmigrated(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    url = (
        f"sqlite:///{tmp_path / 'cli.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("empty_pg")
    )
    monkeypatch.setenv("HAIQUAN_DATABASE_URL", url)
    monkeypatch.setenv("HAIQUAN_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    cli_support._db = None
    yield url
    if cli_support._db is not None:
        cli_support._db.dispose()
    cli_support._db = None
    get_settings.cache_clear()


def _invoke(command: str, args: list[str], tmp_path: Path) -> tuple[Result, str]:
    files = {
        "statement": tmp_path / "statement.csv",
        "cert": tmp_path / "cert.pem",
        "model": tmp_path / "model.bin",
        "document": tmp_path / "document.json",
    }
    (tmp_path / "statement.csv").write_text("transaction_id,reference,amount,booked_at\n")
    (tmp_path / "cert.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    (tmp_path / "model.bin").write_bytes(b"x")
    (tmp_path / "document.json").write_text("{}")
    argv = command.split() + [a.format(**files) for a in args]
    result = runner.invoke(cli.app, argv, input="mat-khau-dai\nmat-khau-dai\n")
    return result, result.output


def test_every_command_is_listed() -> None:
    registered = set(_commands(typer.main.get_command(cli.app)))
    assert registered == set(ARGS) | NO_DATABASE


@pytest.mark.parametrize("command", sorted(ARGS))
def test_a_command_on_an_unmigrated_database_says_so_in_one_line(
    command: str, unmigrated: str, tmp_path: Path
) -> None:
    result, out = _invoke(command, ARGS[command], tmp_path)
    assert isinstance(result.exception, SystemExit), out
    assert "Traceback" not in out, out
    assert result.exit_code == 1, out
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines[-1].startswith("error: the database at "), out
    assert "is not migrated" in lines[-1] or "does not exist" in lines[-1], out
    assert lines[-1].endswith("run: haiquan db upgrade"), out


def test_a_database_behind_the_head_names_both_revisions(unmigrated: str, tmp_path: Path) -> None:
    upgrade(unmigrated, "0010")
    result, out = _invoke("audit verify", [], tmp_path)
    assert result.exit_code == 1, out
    assert "is at revision 0010, behind " in out
    assert out.strip().endswith("run: haiquan db upgrade")
    assert "Traceback" not in out


def test_demo_seed_creates_its_data_directory_before_committing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    upgrade(url)
    data = tmp_path / "not" / "yet"
    monkeypatch.setenv("HAIQUAN_DATABASE_URL", url)
    monkeypatch.setenv("HAIQUAN_DATA_DIR", str(data))
    get_settings.cache_clear()
    cli_support._db = None
    try:
        result = runner.invoke(cli.app, ["demo", "seed", "--declarations", "2"])
    finally:
        if cli_support._db is not None:
            cli_support._db.dispose()
        cli_support._db = None
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert '"api_keys"' in (data / "demo-credentials.json").read_text()
