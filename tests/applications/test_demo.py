"""The demo's applications: a refund filed by the importer, partly granted and paid back through the
ledger; a classification ruling applied at lodging (the contradicting declaration refused, the field
named); the officer's queue and the importer's own list show them."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from haiquan.demo.world import seed
from haiquan.kit.db import Database
from haiquan.kit.settings import Settings
from haiquan.organization import service as org
from haiquan.tariff import service as tariff_service


def test_the_demo_refund_is_paid_back_and_the_ruling_binds(db: Database, settings: Settings) -> None:
    from haiquan.app import create_app

    org.TREES.invalidate()
    tariff_service.invalidate()
    seed(db, settings, declarations_count=5)
    creds = json.loads((settings.data_dir / "demo-credentials.json").read_text())
    done: dict[str, Any] = creds["vessel"]["applications"]
    assert done["refused"].startswith("lines[0].hs_code: advance ruling")
    importer = {"Authorization": f"Bearer {creds['api_keys']['0101248141']}"}
    with TestClient(create_app(settings, db)) as client:
        refund = client.get(f"/api/v1/applications/{done['refund']}", headers=importer).json()
        assert refund["status"] == "partly_approved"
        assert refund["amount_paid_back"] == refund["amount_granted"] == done["granted"]
        assert [h["detail"]["event"] for h in refund["history"]][-1] == "applications.refund_paid"
        mine = client.get("/api/v1/applications", headers=importer).json()
        assert {a["kind"] for a in mine} == {"refund", "ruling_classification"}
