"""The demo airline files flight VN441 with cargo (CUSCAR) and passengers (PAXLST); the watch-listed
passenger is flagged before arrival, for the targeting officer only."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from haiquan.demo.conveyances import TARGETING_OFFICER
from haiquan.demo.world import DEMO_PASSWORD, seed
from haiquan.kit.db import Database
from haiquan.kit.settings import Settings
from haiquan.organization import service as org
from haiquan.tariff import service as tariff_service
from tests.web.helpers import login


def test_the_demo_flight_flags_the_watched_passenger_for_the_targeting_officer(
    db: Database, settings: Settings
) -> None:
    from haiquan.app import create_app

    org.TREES.invalidate()
    tariff_service.invalidate()
    seed(db, settings, declarations_count=5)
    creds = json.loads((settings.data_dir / "demo-credentials.json").read_text())
    flight = creds["vessel"]["flight"]
    assert (flight["flight"], flight["bills"], flight["passengers"], flight["flagged"]) == ("VN441", 3, 6, 2)
    with TestClient(create_app(settings, db)) as client:
        assert login(client, TARGETING_OFFICER[0], DEMO_PASSWORD).status_code == 303
        page = client.get("/conveyances/screening")
        assert page.status_code == 200
        assert "VĂN TUẤN" in page.text
        assert "gold smuggling" in page.text
        client.cookies.clear()
        assert login(client, "tongcuc", DEMO_PASSWORD).status_code == 303
        assert client.get("/conveyances/screening").status_code == 403
        assert "VN441" in client.get("/conveyances").text
