"""The admin command line, end to end on a fresh SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from haiquan import cli
from haiquan.kit import cli_support
from haiquan.kit.settings import get_settings

runner = CliRunner()


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("HAIQUAN_DATABASE_URL", url)
    monkeypatch.setenv("HAIQUAN_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    cli_support._db = None
    yield url
    if cli_support._db is not None:
        cli_support._db.dispose()
    cli_support._db = None
    get_settings.cache_clear()


def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(cli.app, list(args), input=stdin)
    return result.exit_code, result.output


def test_admin_commands_and_audit_verification(fresh: str) -> None:
    assert run("db", "upgrade")[0] == 0
    code, out = run("unit", "load")
    assert code == 0
    assert "'total': 431" in out
    code, out = run(
        "officer", "add", "--username", "lan", "--unit", "01AB", "--role", "officer", stdin="mat-khau-dai\n"
    )
    assert code == 0, out
    code, out = run(
        "officer", "add", "--username", "x", "--unit", "99ZZ", "--role", "officer", stdin="mat-khau-dai\n"
    )
    assert code == 2
    assert "unit" in out
    code, out = run(
        "enterprise", "add", "--tax-code", "0101248141", "--name", "Minh Anh", "--role", "declarant"
    )
    assert code == 0
    assert out.strip().splitlines()[-1].startswith("hq_")
    first_key = out.strip().splitlines()[-1]
    code, out = run("enterprise", "add", "--tax-code", "0101248142", "--name", "Bad", "--role", "declarant")
    assert code == 2
    assert "tax_code" in out
    code, out = run("enterprise", "revoke-keys", "--tax-code", "0101248141")
    assert code == 0
    assert "1 API key(s)" in out
    code, out = run("enterprise", "new-key", "--tax-code", "0101248141")
    second_key = out.strip().splitlines()[-1]
    assert code == 0
    assert second_key.startswith("hq_")
    assert second_key != first_key
    code, out = run("enterprise", "new-key", "--tax-code", "0100109106")
    assert code == 2
    assert "tax_code" in out
    code, out = run("audit", "verify")
    assert code == 0
    assert "intact" in out
    engine = create_engine(fresh)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2"))
    engine.dispose()
    code, out = run("audit", "verify")
    assert code == 1
    assert "seq=2" in out


def test_unit_load_rejects_a_broken_file_and_changes_nothing(fresh: str, tmp_path: Path) -> None:
    run("db", "upgrade")
    bad = tmp_path / "units.csv"
    bad.write_text("code,name_vi,name_en,level,parent\n00,TC,,general,\n01,Ha Noi,,department,77\n")
    code, out = run("unit", "load", str(bad))
    assert code == 2
    assert "parent" in out
    engine = create_engine(fresh)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM units")).scalar() == 0
    engine.dispose()
