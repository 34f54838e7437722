"""The demo's inspection story (haiquan.demo.inspection), on SQLite and PostgreSQL: the express warehouse
approved by delegation, the scanner image that turned a declaration red and is shown to the officer, and
three paper declarations back-captured after the outage."""

from __future__ import annotations

from fastapi.testclient import TestClient

from haiquan.demo.world import DEMO_PASSWORD, seed
from haiquan.kit.db import Database
from haiquan.kit.settings import Settings
from haiquan.organization import service as org
from haiquan.tariff import service as tariff_service


def test_the_demo_approves_a_warehouse_holds_a_parcel_and_back_captures_paper(
    db: Database, settings: Settings
) -> None:
    from haiquan.app import create_app

    org.TREES.invalidate()
    tariff_service.invalidate()
    done = seed(db, settings, declarations_count=5).vessel["inspection"]
    assert (done["location"][:8], done["effect"]) == ("01-KCPN-", "turned_red")
    assert len(done["paper"]) == 3
    assert done["parcel_effect"] == "held"
    assert all(n.startswith("8") for n in done["paper"])
    with TestClient(create_app(settings, db)) as client:
        token = client.post("/api/v1/auth/token", data={"username": "noibai_lead", "password": DEMO_PASSWORD})
        lead = {"Authorization": f"Bearer {token.json()['access_token']}"}
        locs = client.get("/api/v1/inspection/locations", headers=lead).json()
        assert [(x["code"], x["approved_as"]) for x in locs] == [(done["location"], "delegate")]
        d = client.get(f"/api/v1/declarations/{done['declaration']}", headers=lead).json()
        assert (d["channel"], d["status"]) == ("red", "inspection_intended")
        page = client.get(f"/declarations/{done['declaration']}", headers=lead).text
        assert "scanner-images" in page
        assert "Khối đặc mật độ cao" in page
        scans = client.get("/api/v1/inspection/scans", headers=lead).json()
        img = client.get(f"/inspection/scans/{scans[0]['id']}/image", headers=lead)
        assert (img.status_code, img.headers["content-type"]) == (200, "image/png")
        held = client.get("/api/v1/lowvalue/parcels?status=held", headers=lead).json()["items"]
        assert [p["key"] for p in held] == [done["parcel"]]
        report = client.get("/api/v1/paper-declarations/report", headers=lead).json()
        assert [(r["office"], r["reason"], r["back_captured"], r["count"]) for r in report["rows"]] == [
            ("01AB", "system_outage", True, 3)
        ]
