"""The demo's tax-debt story (haiquan.demo.taxes) on the test world, SQLite and PostgreSQL: refused with
the amount and the date, paid through the bank gateway, then registered."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from haiquan.demo import taxes
from haiquan.kit import clock
from tests.payments.helpers import add_bank, pay
from tests.support import World


def test_a_trader_in_debt_is_refused_until_it_pays(world: World, app: Any) -> None:
    add_bank(app)
    debt = taxes.debt_story(app.state.db)
    assert "owes" in debt["refusal"]
    assert "due since" in debt["refusal"]
    assert debt["tax_code"] in "\n".join(taxes.describe(debt))
    world.keys[debt["tax_code"]] = debt["api_key"]
    who = world.ent(debt["tax_code"])
    again = world.post(f"/api/v1/declarations/{debt['refused']}/register", who, None)
    assert again.status_code == 403
    owed = Decimal(
        next(e["message"] for e in again.json()["errors"] if e["field"] == "declarant.overdue_amount")
    )
    r = pay(world, [debt["reference"]], int(owed), "FT-DEMO-DEBT", paid_at=clock.now().isoformat(),
            payer=debt["tax_code"])  # fmt: skip
    assert r.status_code == 201, r.text
    assert world.post(f"/api/v1/declarations/{debt['refused']}/register", who, None).status_code == 200
