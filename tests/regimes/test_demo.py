"""The demo's special regimes, seeded as `haiquan demo seed` does: the EPE in Bắc Ninh with its components
in and phones out in its ledger, its plain export refused at the boundary; the machine re-exported late
with its duty assessed and the alerts raised, visible to the officers."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from haiquan.demo.world import DEMO_PASSWORD, seed
from haiquan.kit.db import Database
from haiquan.kit.settings import Settings
from haiquan.organization import service as org
from haiquan.payments.tables import DeclarationDueRow
from haiquan.regimes.tables import DeadlineRow
from haiquan.tariff import service as tariff_service
from tests.web.helpers import login


def test_the_demo_epe_and_the_late_machine(db: Database, settings: Settings) -> None:
    from haiquan.app import create_app

    org.TREES.invalidate()
    tariff_service.invalidate()
    seed(db, settings, declarations_count=5)
    creds = json.loads((settings.data_dir / "demo-credentials.json").read_text())
    story: dict[str, Any] = creds["vessel"]["regimes"]
    epe, machine = story["epe"], story["machine"]
    assert epe["plain_export"] == "epe_boundary (procedure_code)"
    assert machine["scans"] == {"near": {"near": 1, "passed": 0}, "passed": {"near": 0, "passed": 1}}
    with db.unit_of_work() as uow:
        dl = uow.session.scalars(
            select(DeadlineRow).where(DeadlineRow.declaration_number == machine["imported"])
        ).one()
        assert (dl.state, dl.quantity_left) == ("discharged", Decimal(0))
        due = uow.session.get(DeclarationDueRow, machine["imported"])
        assert due is not None
        assert due.assessed == dl.duty_booked > 0
    with TestClient(create_app(settings, db)) as client:
        assert login(client, "tongcuc", DEMO_PASSWORD).status_code == 303
        page = client.get(f"/regimes/enterprises/{epe['tax_code']}")
        for text in ("85423100", "85171300", "Doanh nghiệp chế xuất", "Sản xuất"):
            assert text in page.text
        client.cookies.clear()
        assert login(client, "noibai_1", DEMO_PASSWORD).status_code == 303
        alerts = client.get("/regimes").text
        assert machine["imported"] in alerts
        assert "Quá hạn" in alerts
