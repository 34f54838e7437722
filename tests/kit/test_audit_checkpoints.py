"""Signed checkpoints catch what the hash chain alone cannot: the last entries deleted, or one entry
rewritten with every later hash recomputed. Through the command line, on both databases, and offline on an
export file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update
from typer.testing import CliRunner

from haiquan import cli
from haiquan.kit import audit, checkpoints
from haiquan.kit.db import Database
from haiquan.kit.settings import Settings, get_settings
from haiquan.kit.tables import AuditEntry

runner = CliRunner()


@pytest.fixture
def node(cli_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    monkeypatch.setenv("HAIQUAN_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    with cli_db.unit_of_work() as uow:
        for i in range(6):
            audit.append(uow.session, actor="officer:lan", action="declaration.cleared", target=f"d{i}")
            uow.commit()
    yield cli_db
    get_settings.cache_clear()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(cli.app, ["audit", *args])
    return result.exit_code, " ".join(result.output.split())  # rich wraps long lines


def _rechain(db: Database) -> None:
    """What an attacker with write access does: recompute every hash so that the chain verifies again."""
    with db.unit_of_work() as uow:
        prev = audit.GENESIS
        for row in uow.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all():
            row.prev_hash, row.hash = prev, audit.digest(row, prev)
            prev = row.hash
        uow.commit()


def test_deleting_the_last_entries_contradicts_the_checkpoint(node: Database) -> None:
    assert run("checkpoint")[0] == 0
    code, out = run("verify")
    assert code == 0, out
    assert "6 entries verified, 1 signed checkpoints agree" in out, out
    with node.unit_of_work() as uow:
        last = uow.session.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1))
        uow.session.execute(delete(AuditEntry).where(AuditEntry.seq > (last or 0) - 2))
        uow.commit()
    with node.unit_of_work() as uow:
        assert audit.verify(uow.session) == (4, None)  # the chain alone sees nothing
    code, out = run("verify")
    assert code == 1, out
    assert "entries it covered were deleted" in out, out


def test_a_rewritten_history_with_recomputed_hashes_contradicts_the_checkpoint(node: Database) -> None:
    assert run("checkpoint")[0] == 0
    with node.unit_of_work() as uow:
        second = uow.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()[1]
        uow.session.execute(
            update(AuditEntry).where(AuditEntry.id == second.id).values(actor="officer:nobody")
        )
        uow.commit()
    _rechain(node)
    with node.unit_of_work() as uow:
        assert audit.verify(uow.session)[1] is None
    code, out = run("verify")
    assert code == 1, out
    assert "history up to it was rewritten" in out, out


def test_a_forged_checkpoint_file_is_refused(node: Database, tmp_path: Path) -> None:
    assert run("checkpoint")[0] == 0
    path = checkpoints.store_path(get_settings())
    line = json.loads(path.read_text().splitlines()[-1])
    line["seq"] = 1  # the attacker moves the checkpoint back before the entries they rewrote
    path.write_text(json.dumps(line) + "\n")
    code, out = run("verify")
    assert code == 1, out
    assert "signature does not verify" in out, out


def test_export_verifies_offline_and_a_doctored_export_does_not(node: Database, tmp_path: Path) -> None:
    export = tmp_path / "audit.jsonl"
    code, out = run("export", "--out", str(export))
    assert code == 0, out
    assert "6 entries" in out, out
    pem = tmp_path / "node.pub"
    pem.write_text(runner.invoke(cli.app, ["audit", "public-key"]).output)
    code, out = run("verify", "--offline", str(export), "--public-key", str(pem))
    assert code == 0, out
    assert "6 entries verified" in out, out
    # rewrite the third entry in the file and recompute every later hash: only the signature knows
    lines = [json.loads(x) for x in export.read_text().splitlines()]
    prev = audit.GENESIS
    for entry in lines[1:7]:
        if entry["seq"] == lines[3]["seq"]:
            entry["target"] = "forged"
        entry["prev_hash"] = prev
        entry["hash"] = prev = _digest_of(entry, prev)
    doctored = tmp_path / "doctored.jsonl"
    doctored.write_text("".join(json.dumps(x) + "\n" for x in lines))
    code, out = run("verify", "--offline", str(doctored), "--public-key", str(pem))
    assert code == 1, out
    assert "history up to it was rewritten" in out, out
    # cut short: the export's last entries removed
    short = tmp_path / "short.jsonl"
    short.write_text("".join(json.dumps(x) + "\n" for x in lines[:5] + lines[7:]))
    code, out = run("verify", "--offline", str(short), "--public-key", str(pem))
    assert code == 1, out
    assert "deleted" in out, out


def test_offline_verification_needs_no_database(node: Database, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    export = tmp_path / "audit.jsonl"
    assert run("export", "--out", str(export))[0] == 0
    monkeypatch.setenv("HAIQUAN_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("HAIQUAN_DATA_DIR", str(tmp_path / "elsewhere"))
    get_settings.cache_clear()
    code, out = run("verify", "--offline", str(export))
    assert code == 0, out
    assert "checked with the key written in the export itself" in out, out
    code, out = run("verify", "--offline", str(tmp_path / "missing.jsonl"))
    assert code == 2, out
    assert "missing.jsonl" in out, out


def test_the_daily_duty_takes_one_checkpoint_a_day(db: Database, tmp_path: Path) -> None:
    from haiquan.kit import clock

    settings = Settings(data_dir=tmp_path, secret_key="k" * 40, audit_checkpoint_hours=24)
    duty = checkpoints.DailyCheckpoints(db, settings)
    assert duty.run_once() is None  # empty chain: nothing to sign
    with db.unit_of_work() as uow:
        audit.append(uow.session, actor="t", action="x", target="y")
        uow.commit()
    first = duty.run_once()
    assert first is not None
    assert first.entries == 1
    assert duty.run_once() is None  # not due yet
    clock.freeze(clock.now() + __import__("datetime").timedelta(hours=25))
    assert duty.run_once() is not None
    assert len(checkpoints.read(checkpoints.store_path(settings))) == 2


def _digest_of(entry: dict, prev: str) -> str:  # type: ignore[type-arg]
    from haiquan.kit import audit_export

    return audit_export._digest(entry, prev)
