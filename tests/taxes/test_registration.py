"""The debt that refuses registration is derived from the ledger at registration time, through HTTP on
SQLite and PostgreSQL: unpaid more than 90 days past its due date → refused with the amount and the date;
paid through the bank gateway → registered."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from haiquan.kit import clock
from tests.payments.helpers import TOTAL, add_bank, pay, reference, registered
from tests.support import World, import_declaration

START = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội


def _register(world: World) -> Any:
    n = world.lodge(import_declaration()).json()["number"]
    return world.post(f"/api/v1/declarations/{n}/register", world.ent("0100109106"), None)


def test_a_debt_past_90_days_refuses_until_paid_through_the_bank(world: World, app: Any) -> None:
    add_bank(app)
    clock.freeze(START)
    first = registered(world, app, lane="yellow")
    clock.freeze(START + timedelta(days=90))  # 90 days past the due date: not yet refused
    assert _register(world).status_code == 200
    clock.freeze(START + timedelta(days=91))
    r = _register(world)
    assert r.status_code == 403, r.text
    body = r.json()
    assert body["code"] == "declarant_tax_debt"
    assert r.headers["content-type"].startswith("application/problem+json")
    facts = {e["field"]: e["message"] for e in body["errors"]}
    assert Decimal(facts["declarant.overdue_amount"]) == TOTAL
    assert facts["declarant.overdue_since"] == date(2026, 3, 2).isoformat()
    assert "0101248141" in body["detail"]
    paid_at = (START + timedelta(days=91)).isoformat()
    assert pay(world, [reference(world, first)], TOTAL, "FT-TAX-1", paid_at=paid_at).status_code == 201
    assert _register(world).status_code == 200  # no consumer run needed: the ledger is read at registration
