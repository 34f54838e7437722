"""Issue #21's story as `haiquan demo seed` (what `make run` loads) leaves it, read back through HTTP with
the demo's accounts: the green declaration cleared 100 days ago, its audit case closed with the AMA, the
late interest and the penalty decided, the additional duty and the penalty paid, the trader now in the low
class, the audit's label in the retraining that the analyst promoted; a second seed adds nothing."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from haiquan.demo.world import DEMO_PASSWORD, seed
from haiquan.kit import clock
from haiquan.kit.db import Database
from haiquan.kit.settings import Settings
from haiquan.organization import service as org
from haiquan.tariff import service as tariff_service
from tests.web.helpers import login


def _token(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", data={"username": username, "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _case_and_money(client: TestClient, story: dict[str, Any]) -> None:
    auditor = _token(client, "ktstq_hn")
    case = client.get(f"/api/v1/audit/cases/{story['case']}", headers=auditor).json()
    assert (case["status"], case["outcome"], case["kind"], case["officer"]) == (
        "closed", "fraud", "on_site", "ktstq_hn"
    )  # fmt: skip
    assert case["plan_id"] == story["plan"]
    assert case["amendment_no"] == 1
    assert Decimal(case["additional_duty"]) > 0
    assert Decimal(case["late_interest"]) > 0
    assert Decimal(case["penalty"]) == (Decimal(case["additional_duty"]) * Decimal("0.2")).quantize(
        Decimal(1)
    )
    assert case["penalty_basis"].startswith("decided:")
    decl = client.get(f"/api/v1/declarations/{story['declaration']}", headers=auditor).json()
    assert decl["channel"] == "green"
    assert decl["importer"]["tax_code"] == story["trader"]
    assert clock.now() - datetime.fromisoformat(decl["registered_at"]) > timedelta(days=90)
    refs = client.get(
        "/api/v1/payments/references", params={"declaration_number": story["declaration"]}, headers=auditor
    ).json()
    assert sorted((r["amendment_no"], r["status"]) for r in refs) == [(0, "paid"), (1, "paid")]
    ama = next(r for r in refs if r["amendment_no"] == 1)
    assert Decimal(ama["amount_paid"]) == Decimal(case["additional_duty"])
    charge = story["penalty_basis"].split("charge ")[1].split(",")[0]
    fine = client.get(
        "/api/v1/payments/references", params={"declaration_number": charge}, headers=auditor
    ).json()
    assert [(r["status"], Decimal(r["amount_paid"])) for r in fine] == [("paid", Decimal(case["penalty"]))]
    (interest,) = client.get(
        "/api/v1/taxes/charges", params={"kind": "interest", "tax_code": story["trader"]}, headers=auditor
    ).json()
    assert (interest["declaration_number"], Decimal(interest["amount"])) == (
        story["declaration"], Decimal(case["late_interest"])
    )  # fmt: skip
    owed = client.get(
        "/api/v1/payments/references", params={"declaration_number": interest["number"]}, headers=auditor
    ).json()
    assert [(r["status"], Decimal(r["amount_paid"])) for r in owed] == [
        ("paid", Decimal(case["late_interest"]))
    ]


def _pages(client: TestClient, story: dict[str, Any]) -> None:
    assert login(client, "ktstq_hn", DEMO_PASSWORD).status_code == 303
    page = client.get(f"/audit/cases/{story['case']}").text
    for seen in ("Tại trụ sở doanh nghiệp", "Đã kết thúc", "Tuân thủ thấp", "Khai sai trị giá hải quan",
                 "Công ty TNHH Điện lạnh Thăng Long"):  # fmt: skip
        assert seen in page, seen
    assert "Compliance class now" in client.get(f"/audit/cases/{story['case']}?lang=en").text
    queue = client.get("/audit").text
    assert story["other"] in queue  # the trader's other green declaration, still queued
    client.cookies.clear()
    assert login(client, "analyst", DEMO_PASSWORD).status_code == 303
    page = client.get("/risk/comparisons").text
    assert f'id="chart-{story["retraining"]["comparison"]}"' in page
    assert "promoted" in page


def _retrained(client: TestClient, story: dict[str, Any]) -> None:
    analyst = _token(client, "analyst")
    cmp = client.get(f"/api/v1/risk/comparisons/{story['retraining']['comparison']}", headers=analyst).json()
    assert cmp["metrics"]["train"]["audit"] == 1  # the audit's label trained the challenger
    assert cmp["decision"] == "promoted"
    assert "analyst" in cmp["decided_by"]
    assert cmp["metrics"]["test_declarations"] > 0
    models = client.get("/api/v1/risk/models", headers=analyst).json()
    assert [m["version"] for m in models if m["serving"]] == [cmp["challenger"]]


def test_the_seeded_audit_story(db: Database, settings: Settings) -> None:
    from haiquan.app import create_app

    org.TREES.invalidate()
    tariff_service.invalidate()
    out = seed(db, settings, declarations_count=5)
    story: dict[str, Any] = json.loads((settings.data_dir / "demo-credentials.json").read_text())["vessel"][
        "audit"
    ]
    assert story == json.loads(json.dumps(out.vessel["audit"]))
    assert (story["class_before"], story["class_after"]) == ("normal", "low")
    assert "skipped" not in story["retraining"]
    assert story["retraining"]["seconds"] < 20
    with TestClient(create_app(settings, db)) as client:
        _case_and_money(client, story)
        _retrained(client, story)
        _pages(client, story)
    assert seed(db, settings, declarations_count=5).already
    with TestClient(create_app(settings, db)) as client:
        cases = client.get("/api/v1/audit/cases", headers=_token(client, "ktstq_hn")).json()
        assert [c["id"] for c in cases] == [story["case"]]
