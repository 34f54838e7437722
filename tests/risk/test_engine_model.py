"""The engine with a promoted learned model: scores and SHAP explanations in the reasons; a model that
fails to load never replaces the serving one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.risk.test_engine_api import register
from tests.risk.test_learned import FAST, synthetic
from tests.support import World

from haiquan.risk.engine import RiskEngine
from haiquan.risk.learned.kcs import validate
from haiquan.risk.learned.training import train


@pytest.fixture(scope="module")
def model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("model") / "model.json"
    train(validate(synthetic(rows=1500, days=60), require_labels=True), FAST).save(path)
    return path


def test_promoted_model_scores_and_explains(
    world: World, app: Any, client: TestClient, model_file: Path
) -> None:
    analyst = world.off("analyst")
    r = world.post("/api/v1/risk/models", analyst, {"path": str(model_file)})
    assert r.status_code == 201, r.text
    version = r.json()["version"]
    assert r.json()["data_window"]["rows"] > 0
    assert r.json()["serving"] is False
    r = world.post(f"/api/v1/risk/models/{version}/promote", analyst, None)
    assert r.status_code == 200
    assert r.json()["serving"] is True
    engine = app.state.channel_engine
    assert isinstance(engine, RiskEngine)
    assert engine.models.serving
    assert engine.models.serving.version == version
    rates = {"green": 0, "yellow": 0, "red": 100, "random_share": 2}
    assert client.put("/api/v1/risk/lane-rates/01AB", json=rates, headers=analyst).status_code == 200
    d = register(world)
    assert d["channel"] == "red"
    score = next(x for x in d["channel_reasons"] if x["kind"] == "score")
    assert score["source"] == f"model:{version}"
    # SHAP contributions arrive right after registration, off the inline path
    assert not [x for x in d["channel_reasons"] if x["kind"] == "model"]
    app.state.dispatcher.run_once()
    shown = client.get(f"/api/v1/declarations/{d['number']}", headers=world.off("nb_officer1")).json()
    explained = [x for x in shown["channel_reasons"] if x["kind"] == "model"]
    assert explained
    assert all(x["contribution"] > 0 and x["vi"].startswith("Mô hình:") for x in explained)
    rec = client.get(f"/api/v1/risk/decisions/{d['number']}", headers=world.off("nb_officer1"))
    assert rec.status_code == 200
    assert [x for x in rec.json()["reasons"] if x["kind"] == "model"] == explained
    assert (
        client.get(f"/api/v1/risk/decisions/{d['number']}", headers=world.off("hp_officer")).status_code
        == 404
    )
    assert (
        client.get(f"/api/v1/risk/decisions/{d['number']}", headers=world.ent("0100109106")).status_code
        == 403
    )

    # a broken file: promotion refused, the serving model stays and keeps scoring
    broken = model_file.parent / "broken.json"
    broken.write_bytes(model_file.read_bytes())
    r = world.post("/api/v1/risk/models", analyst, {"path": str(broken)})
    assert r.status_code == 409  # the same bytes are the same version
    other = model_file.parent / "other.json"
    other.write_text(
        model_file.read_text().replace('"feature_version": "1"', '"feature_version": "1", "x": 1', 1)
    )
    r = world.post("/api/v1/risk/models", analyst, {"path": str(other)})
    assert r.status_code == 201, r.text
    other.write_text("{}")
    r = world.post(f"/api/v1/risk/models/{r.json()['version']}/promote", analyst, None)
    assert r.status_code == 422
    assert "current one stays" in r.text
    assert engine.models.serving.version == version
    again = register(world)
    assert any(x.get("source") == f"model:{version}" for x in again["channel_reasons"])
