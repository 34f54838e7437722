"""Every report checked against a hand-computed figure, scoped to the caller's units, on SQLite and
PostgreSQL; the rollups are fed through the outbox consumer as the modules' events arrive."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from haiquan.declarations.catalogue import DeclarationEvent
from haiquan.kit import clock, outbox
from haiquan.organization.service import load_tree
from haiquan.payments import budget
from haiquan.payments.domain import EntryKind, assessment, payment
from haiquan.payments.ledger import post
from haiquan.web import hashed
from tests.support import World

BN = 10**9
Q = "date_from=2026-01-01&date_to=2026-03-31"


def _event(app: Any, type_: str, unit: str, payload: dict[str, Any]) -> None:
    with app.state.db.unit_of_work() as uow:
        outbox.record(uow.session, type=type_, unit=unit, actor="test", payload=payload)
        uow.commit()


def _declaration(app: Any, n: int, office: str, channel: str, minutes: int) -> None:
    reg = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    cleared = reg.replace(minute=0) + (datetime(2026, 1, 1, 0, minutes, tzinfo=UTC) - datetime(2026, 1, 1, tzinfo=UTC)) if minutes < 60 else reg.replace(hour=2 + minutes // 60)  # fmt: skip
    base = {"number": f"1{n:011d}", "office": office, "channel": channel, "registered_at": reg.isoformat(),
            "cleared_at": cleared.isoformat(), "lodged_at": reg.isoformat()}  # fmt: skip
    # the names as text: these payloads carry only what the rollups read (tests/payload_check.py)
    _event(app, DeclarationEvent.REGISTERED.value, office, base)
    _event(app, DeclarationEvent.CLEARED.value, office, base)


def _money(app: Any) -> None:
    with app.state.db.unit_of_work() as uow:
        s = uow.session
        post(s, office="01AB", kind=EntryKind.ASSESSMENT, postings=assessment(Decimal(900 * BN)), source="a1", actor="t",
             at=datetime(2026, 2, 1, 3, tzinfo=UTC))  # fmt: skip
        post(s, office="01AB", kind=EntryKind.PAYMENT, postings=payment(Decimal(600 * BN), Decimal(24 * BN)), source="p1",
             actor="t", at=datetime(2026, 2, 2, 19, tzinfo=UTC))  # 02:00 on 3 Feb in Hà Nội  # fmt: skip
        post(s, office="01TE", kind=EntryKind.PAYMENT, postings=payment(Decimal(300 * BN), Decimal(0)), source="p2",
             actor="t", at=datetime(2026, 3, 1, 3, tzinfo=UTC))  # fmt: skip
        post(s, office="01AB", kind=EntryKind.PAYMENT, postings=payment(Decimal(800 * BN), Decimal(0)), source="p0",
             actor="t", at=datetime(2025, 2, 10, 3, tzinfo=UTC))  # last year, same period  # fmt: skip
        post(s, office="03CC", kind=EntryKind.PAYMENT, postings=payment(Decimal(5000 * BN), Decimal(0)), source="p3",
             actor="t", at=datetime(2026, 2, 1, 3, tzinfo=UTC))  # fmt: skip
        tree = load_tree(s)
        budget.set_target(s, tree=tree, unit="01", year=2026, amount=Decimal(23_300 * BN), actor="t")
        budget.set_target(s, tree=tree, unit="03", year=2026, amount=Decimal(50_000 * BN), actor="t")
        uow.commit()


def _feed(app: Any) -> None:
    _money(app)
    for i, (office, channel, minutes) in enumerate(
        [
            ("01AB", "green", 3),
            ("01B3", "green", 10),
            ("01AB", "yellow", 100),
            ("01TE", "red", 300),
            ("03CC", "green", 4),
        ]
    ):
        _declaration(app, i, office, channel, minutes)
    _event(app, "enforcement.seizure_recorded", "01AB", {"unit": "01AB", "province": "Hà Nội", "route": "airport",
           "substance": "MDMA", "quantity": "29552.15", "unit_of_measure": "g", "seized_at": "2026-02-10T01:00:00+00:00"})  # fmt: skip
    app.state.dispatcher.run_once()


def test_department_leader_sees_hand_computed_figures_of_their_units_only(world: World, app: Any) -> None:
    clock.freeze(datetime(2026, 3, 31, 5, tzinfo=UTC))
    _feed(app)
    r = world.client.get(f"/api/v1/reports/overview?{Q}", headers=world.off("hn_leader"))
    assert r.status_code == 200, r.text
    d = r.json()
    rev = d["revenue"]
    # 01: 624 + 300 bn collected (not 03's 5,000); estimate 23,300; 24 bn over-paid is refundable
    # money is a decimal string in whole dong
    assert rev["collected"] == str(924 * BN)
    assert rev["estimate"] == str(23_300 * BN)
    assert rev["refunds_due"] == str(24 * BN)
    assert isinstance(rev["same_period_last_year"], str)
    assert rev["pct_of_estimate"] == 4.0
    assert rev["pct_after_refunds"] == 3.9
    assert rev["pct_of_last_year"] == 115.5
    assert rev["series"]["day"][0] == "2025-02-10" or "2026-02-03" in rev["series"]["day"]
    assert rev["series"]["this"][-1] == str(924 * BN)
    ch = d["channels"]
    assert ch["totals"] == {"green": 2, "blue": 0, "yellow": 1, "red": 1}
    assert ch["shares"] == {
        "green": 50.0,
        "blue": 0.0,
        "yellow": 25.0,
        "red": 25.0,
    }
    units = {u["unit"]: u for u in d["units"]["rows"]}
    assert set(units) == {"01AB", "01TE"}
    assert units["01AB"]["registered"] == 3
    assert units["01AB"]["drill"]
    cl = d["clearance"]
    assert cl["cleared"] == 4
    assert cl["p50_minutes"] == 15
    assert cl["p90_minutes"] == 480
    assert d["seizures"]["total_cases"] == 1
    assert d["seizures"]["by_route"][0]["route"] == "airport"
    assert d["dwell"]["in_area"] == 0
    assert d["alerts"]["open_now"] == 0


def test_drill_down_and_scope(world: World, app: Any) -> None:
    clock.freeze(datetime(2026, 3, 31, 5, tzinfo=UTC))
    _feed(app)
    r = world.client.get(f"/api/v1/reports/units?unit=01AB&{Q}", headers=world.off("hn_leader")).json()
    assert {u["unit"]: u["registered"] for u in r["units"]["rows"]} == {"01AB": 2, "01B3": 1}
    assert (
        world.client.get(f"/api/v1/reports/revenue?unit=03&{Q}", headers=world.off("hn_leader")).status_code
        == 403
    )
    assert (
        world.client.get(f"/api/v1/reports/revenue?{Q}", headers=world.ent("0100109106")).status_code == 403
    )
    national = world.client.get(f"/api/v1/reports/revenue?{Q}", headers=world.off("gd_leader")).json()[
        "revenue"
    ]
    assert national["collected"] == str(5924 * BN)
    assert national["estimate"] == str(73_300 * BN)
    sub = world.client.get(f"/api/v1/reports/channels?{Q}", headers=world.off("nb_leader")).json()["channels"]
    assert sub["totals"] == {"green": 2, "blue": 0, "yellow": 1, "red": 0}


def test_exports_to_excel_and_csv(world: World, app: Any) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    clock.freeze(datetime(2026, 3, 31, 5, tzinfo=UTC))
    _feed(app)
    r = world.client.get(f"/api/v1/reports/units/export?format=xlsx&{Q}", headers=world.off("hn_leader"))
    assert r.status_code == 200
    ws = load_workbook(BytesIO(r.content))["units_rows"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "unit"
    assert {rows[1][0], rows[2][0]} == {"01AB", "01TE"}
    csv = world.client.get(
        f"/api/v1/reports/channels/export?format=csv&{Q}", headers=world.off("hn_leader")
    ).text
    assert "# channels_shares" in csv
    assert "green,50.0" in csv
    assert "2026-03-01T00:00:00,2,1,1" in csv


def test_dashboard_page_on_the_shared_web_layer(world: World, app: Any) -> None:
    clock.freeze(datetime(2026, 3, 31, 5, tzinfo=UTC))
    _feed(app)
    r = world.client.get("/reports?unit=01", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/reports%3Funit%3D01"
    for gone in ("/reports/login", "/reports/static/plotly.min.js"):
        assert world.client.get(gone, follow_redirects=False).status_code in (303, 404)
    js = world.client.get(hashed.url("plotly.js"))
    assert js.status_code == 200
    assert b"plotly" in js.content[:2000].lower()
    token = world.client.post(
        "/api/v1/auth/token", data={"username": "hn_leader", "password": "correct-horse-battery"}
    ).json()["access_token"]
    cookies = {"hq_session": token}
    page = world.client.get("/reports", cookies=cookies)
    assert page.status_code == 200
    assert "Thu ngân sách so với dự toán" in page.text
    nonce = page.headers["content-security-policy"].split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in page.text
    assert f'src="{hashed.url("plotly.js")}"' in page.text
    assert '<nav class="main"' in page.text
    assert 'href="/reports"' in page.text
    assert '"collected": "924000000000"' in page.text  # the figures as JSON (money a decimal string), 01 only
    en = world.client.get("/reports?lang=en", cookies=cookies)
    assert "Revenue against the estimate" in en.text
    other = world.client.get("/reports?unit=03", cookies=cookies)
    assert other.status_code == 403
    assert "text/html" in other.headers["content-type"]
    officer = world.client.post(
        "/api/v1/auth/token", data={"username": "nb_officer1", "password": "correct-horse-battery"}
    ).json()["access_token"]
    queue = world.client.get("/queue", cookies={"hq_session": officer})
    assert 'href="/reports"' not in queue.text  # the link is for leaders
