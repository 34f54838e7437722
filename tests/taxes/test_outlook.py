"""The revenue outlook on the leaders' dashboard through HTTP on SQLite and PostgreSQL: the +5 % stretch
target beside the estimate, the year-end forecast shaped by last year, the chart on the page."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from haiquan.kit import clock
from haiquan.organization.service import load_tree
from haiquan.payments import budget
from haiquan.payments.domain import EntryKind, payment
from haiquan.payments.ledger import post
from tests.support import World

BN = 10**9


def _collect(app: Any) -> None:
    with app.state.db.unit_of_work() as uow:
        s = uow.session
        for src, amount, at in [("l1", 400, datetime(2025, 2, 10, 3, tzinfo=UTC)),
                                ("l2", 600, datetime(2025, 9, 10, 3, tzinfo=UTC)),
                                ("t1", 500, datetime(2026, 2, 10, 3, tzinfo=UTC))]:  # fmt: skip
            post(s, office="01AB", kind=EntryKind.PAYMENT, postings=payment(Decimal(amount * BN), Decimal(0)),
                 source=src, actor="t", at=at)  # fmt: skip
        budget.set_target(s, tree=load_tree(s), unit="01", year=2026, amount=Decimal(1000 * BN), actor="t")
        uow.commit()
    app.state.dispatcher.run_once()


def test_the_outlook_beside_the_estimate(world: World, app: Any) -> None:
    clock.freeze(datetime(2026, 3, 31, 5, tzinfo=UTC))
    _collect(app)
    q = "unit=01&date_from=2026-01-01&date_to=2026-03-31"
    r = world.client.get(f"/api/v1/reports/outlook?{q}", headers=world.off("hn_leader"))
    assert r.status_code == 200, r.text
    o = r.json()["outlook"]
    assert Decimal(o["estimate"]) == 1000 * BN
    assert Decimal(o["stretch"]) == 1050 * BN
    assert Decimal(o["so_far"]) == 500 * BN
    # by 31 March last year 400 of 1,000 were in: 500 this year → 1,250 expected
    assert Decimal(o["forecast"]) == 1250 * BN
    assert Decimal(o["path"][-1]) == 1250 * BN
    page = world.client.get(f"/reports?{q}", headers=world.off("hn_leader"))
    assert page.status_code == 200
    assert 'id="ol-chart"' in page.text
    assert "Chỉ tiêu phấn đấu (+5 %)" in page.text
