"""`make run`'s demo tells issue #3's whole story: a vessel arrives, its containers gate in, an early
gate-out is refused with an alert, the declaration is cleared and the container leaves (goods_exited); a
second cleared container waits for the API guide's terminal. Checked through the API and the pages."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from haiquan.demo.world import DEMO_PASSWORD, seed
from haiquan.kit.db import Database
from haiquan.kit.settings import Settings
from haiquan.organization import service as org
from haiquan.tariff import service as tariff_service


def test_the_demo_vessel_is_refused_early_then_cleared_and_leaves(db: Database, settings: Settings) -> None:
    from haiquan.app import create_app

    org.TREES.invalidate()
    tariff_service.invalidate()
    out = seed(db, settings, declarations_count=5)
    creds = json.loads((settings.data_dir / "demo-credentials.json").read_text())
    story: dict[str, Any] = creds["vessel"]
    assert story == out.vessel
    assert story["early_exit"] == "refused"
    assert story["exit"] == "applied"
    first, ready, undeclared = story["bills"]
    assert first["status"] == "goods_exited"
    assert ready["status"] == "cleared"
    terminal = {"Authorization": f"Bearer {creds['api_keys']['0200519875']}"}
    importer = {"Authorization": f"Bearer {creds['api_keys']['0101248141']}"}
    with TestClient(create_app(settings, db)) as client:
        token = client.post("/api/v1/auth/token", data={"username": "hp_kv1_1", "password": DEMO_PASSWORD})
        officer = {"Authorization": f"Bearer {token.json()['access_token']}"}
        gone = client.get(f"/api/v1/containers/{first['container']}/status", headers=terminal).json()
        assert gone["items"][0]["state"] == "out"
        assert gone["declarations"][0]["status"] == "goods_exited"
        waiting = client.get(f"/api/v1/consignments/{ready['goods_id']}/status", headers=terminal).json()
        assert waiting["may_leave"] is True
        assert waiting["items"][0]["state"] == "in"
        stays = client.get(f"/api/v1/containers/{undeclared['container']}/status", headers=officer).json()
        assert [r["code"] for r in stays["reasons"]] == ["no_declaration"]
        history = client.get(f"/api/v1/declarations/{first['declaration']}/history", headers=importer).json()
        assert "goods_exited" in json.dumps(history)
        alerts = client.get("/api/v1/supervision/alerts", headers=officer).json()
        assert [(a["kind"], a["container"]) for a in alerts] == [("refused_exit", first["container"])]
        vi = client.get("/supervision/alerts", headers=officer).text
        en = client.get("/supervision/alerts?lang=en", headers=officer).text
        assert "Chưa có tờ khai hải quan cho lô hàng" in vi
        assert first["container"] in vi
        assert "no declaration covers the goods" in en
        page = client.get(f"/supervision/goods/{first['goods_id']}?lang=vi", headers=officer).text
        for seen in ("VINALINES DIAMOND", "DEMO-GO-0", "Từ chối", "DEMO-GO-1", first["declaration"]):
            assert seen in page, seen
        assert "Hàng đã qua khu vực giám sát" in page  # the declaration's status: goods exited
        assert (
            "The goods may leave"
            in client.get(f"/supervision/goods/{ready['goods_id']}?lang=en", headers=officer).text
        )
        elsewhere = client.post(
            "/api/v1/auth/token", data={"username": "noibai_1", "password": DEMO_PASSWORD}
        )
        other = {"Authorization": f"Bearer {elsewhere.json()['access_token']}"}
        assert client.get(f"/supervision/goods/{first['goods_id']}", headers=other).status_code == 404
        client.cookies.clear()
        anonymous = client.get("/supervision/alerts", follow_redirects=False)
        assert anonymous.status_code == 303
        assert anonymous.headers["location"].startswith("/login")
