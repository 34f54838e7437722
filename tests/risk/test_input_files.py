"""Files named by an analyst are checked before anything reads them (kit.files): a device such as
/dev/zero, a directory or a file past the size limit is refused with the reason, through the API, the
command line and the KCS reader, instead of being read until the memory runs out."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.support import World
from typer.testing import CliRunner

from haiquan.cli import app as cli
from haiquan.kit.db import Database
from haiquan.kit.files import InputFileError, checked_file, read_limited
from haiquan.risk import scoring
from haiquan.risk.learned import kcs
from haiquan.risk.learned.model import ModelFormatError, RiskModel

pytestmark = pytest.mark.timeout(60)  # today's code reads /dev/zero for ever


def test_only_a_regular_file_within_the_limit_passes(tmp_path: Path) -> None:
    for path, why in (("/dev/zero", "not a regular file"), (str(tmp_path), "a directory")):
        with pytest.raises(InputFileError, match=why):
            checked_file(path, limit=1024)
    big = tmp_path / "big.json"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(InputFileError, match="2048 bytes, more than the 1024"):
        read_limited(big, limit=1024)
    link = tmp_path / "model.json"
    link.symlink_to("/dev/zero")  # a link is judged by what it points to
    with pytest.raises(InputFileError, match="not a regular file"):
        checked_file(link, limit=1024)
    with pytest.raises(InputFileError, match="cannot read it"):
        checked_file(tmp_path / "missing.json", limit=1024)
    assert read_limited(big, limit=4096) == b"x" * 2048


def test_a_device_given_as_model_path_is_refused_by_the_api(world: World, client: TestClient) -> None:
    for path in ("/dev/zero", "/dev/urandom"):
        r = world.post("/api/v1/risk/models", world.off("analyst"), {"path": path})
        assert r.status_code == 422, r.text
        assert r.json()["field"] == "path"
        assert "not a regular file" in r.json()["detail"]
    assert client.get("/api/v1/risk/models", headers=world.off("analyst")).json() == []


def test_a_model_file_past_the_limit_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "model.json"
    big.write_text('{"format": "haiquan.risk.learned"}' + " " * 4096)
    monkeypatch.setattr(scoring, "MAX_MODEL_BYTES", 1024)
    with pytest.raises(scoring.ModelLoadError, match="more than the 1024"):
        scoring.load_model(str(big))
    with pytest.raises(ModelFormatError, match="not a regular file"):
        RiskModel.load("/dev/zero")


def test_the_command_line_refuses_a_device_as_model_or_data(cli_db: Database) -> None:
    runner = CliRunner()
    r = runner.invoke(cli, ["risk-engine", "promote", "/dev/zero"])
    assert r.exit_code == 2
    assert "not a regular file" in r.output
    r = runner.invoke(
        cli, ["risk", "score", "--model", "/dev/zero", "--input", "/dev/zero", "--output", "x.csv"]
    )
    assert r.exit_code != 0
    assert "not a regular file" in r.output
    with pytest.raises(kcs.KcsFormatError, match="not a regular file"):
        kcs.read_kcs("/dev/zero")
