"""The demo's apple imports from China: one waited for plant quarantine and cleared once the agency
approved it; the other waits, and clears when the agency's officer approves it on /agency."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from haiquan.demo.world import DEMO_PASSWORD, seed
from haiquan.kit.db import Database
from haiquan.kit.settings import Settings
from haiquan.organization import service as org
from haiquan.tariff import service as tariff_service
from tests.web.helpers import csrf_of, login


def test_the_demo_apples_wait_for_plant_quarantine_and_clear(db: Database, settings: Settings) -> None:
    from haiquan.app import create_app

    org.TREES.invalidate()
    tariff_service.invalidate()
    seed(db, settings, declarations_count=5)
    creds = json.loads((settings.data_dir / "demo-credentials.json").read_text())
    apples: dict[str, Any] = creds["vessel"]["apples"]
    assert apples["waited_as"] == "duty_payment_reference_issued"
    assert apples["approved_status"] == "cleared"
    assert apples["waiting_status"] == "duty_payment_reference_issued"
    importer = {"Authorization": f"Bearer {creds['api_keys']['0101248141']}"}
    with TestClient(create_app(settings, db)) as client:
        assert login(client, apples["agency_officer"], DEMO_PASSWORD).status_code == 303
        listing = client.get("/agency")
        assert apples["waiting"] in listing.text
        assert apples["approved"] not in listing.text
        permit = client.get(
            f"/api/v1/agencies/declarations/{apples['waiting']}/permits", headers=importer
        ).json()[0]
        form = client.get(f"/agency/permits/{permit['id']}")
        done = client.post(
            f"/agency/permits/{permit['id']}/decision",
            data={"csrf": csrf_of(form.text), "outcome": "approved", "lab_reference": "KDTV-LIVE-1"},
            follow_redirects=False,
        )
        assert done.status_code == 303
        d = client.get(f"/api/v1/declarations/{apples['waiting']}", headers=importer).json()
        assert d["status"] == "cleared"
