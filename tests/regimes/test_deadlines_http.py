"""A machine under temporary import (G11, 60 days) with its duty reserved by a bank's guarantee: near its
day the enterprise is notified and the officer alerted; past it with the goods still here, the duty is
assessed in payments and the guarantee called; re-exported late, the deadline is discharged, the duty stays
due. Each visible through the API to the officer of the unit and the enterprise, not to another unit."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from haiquan.kit import clock
from haiquan.payments.tables import DeclarationDueRow, GuaranteeRow
from haiquan.regimes import deadlines
from tests.payments.helpers import BANK, BANK_TAX, add_bank
from tests.regimes.helpers import DECLARANT, TRADER, car_line, cleared, regime_export, regime_import
from tests.support import World


def _scan(world: World, app: Any, day: datetime) -> dict[str, int]:
    clock.freeze(day)
    world.tokens.clear()  # officers log in again after the days passed
    with app.state.db.unit_of_work() as uow:
        done = deadlines.scan(uow.session)
        uow.commit()
    app.state.dispatcher.run_once()
    return done


def _get(world: World, url: str, who: dict[str, str]) -> Any:
    r = world.client.get(url, headers=who)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_late_reexport_owes_its_duty_and_raises_alerts(world: World, app: Any) -> None:
    clock.freeze(datetime(2026, 1, 10, 2, 0, tzinfo=UTC))
    add_bank(app)
    number = cleared(world, app, regime_import("G11", [car_line("2")]))
    [dl] = _get(world, "/api/v1/regimes/deadlines", world.off("nb_officer1"))
    assert (dl["due_on"], dl["state"], dl["kind"]) == ("2026-03-11", "open", "reexport")
    stake = Decimal(dl["duty_at_stake"])
    assert stake > 0
    body = {"bank": BANK, "guarantee_no": "BL-2026-7", "declaration_number": number, "amount": str(stake),
            "valid_until": "2026-12-31"}  # fmt: skip
    r = world.post("/api/v1/regimes/guarantees", world.ent(BANK_TAX), body, key="g-1")
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "reserved"

    assert _scan(world, app, datetime(2026, 2, 25, 2, 0, tzinfo=UTC)) == {"near": 1, "passed": 0}
    assert _scan(world, app, datetime(2026, 2, 26, 2, 0, tzinfo=UTC)) == {"near": 0, "passed": 0}  # told once
    notes = _get(world, "/api/v1/notifications", world.ent(DECLARANT))["items"]
    assert [n["status"] for n in notes if n["declaration_number"] == number][-1] == "regime_deadline_neared"

    assert _scan(world, app, datetime(2026, 3, 12, 2, 0, tzinfo=UTC)) == {"near": 0, "passed": 1}
    with app.state.db.unit_of_work() as uow:
        due = uow.session.get(DeclarationDueRow, number)
        assert due is not None
        assert (due.assessed, due.guaranteed) == (stake, stake)
        g = uow.session.scalars(select(GuaranteeRow)).one()
        assert g.status == "called"
    kinds = [a["kind"] for a in _get(world, "/api/v1/regimes/alerts", world.off("nb_officer1"))]
    assert sorted(kinds) == ["deadline_near", "deadline_passed"]
    assert _get(world, "/api/v1/regimes/alerts", world.off("hp_officer")) == []

    cleared(world, app, regime_export("G21", [car_line("2")]))
    [dl] = _get(world, "/api/v1/regimes/deadlines", world.ent(TRADER))
    assert (dl["state"], dl["quantity_left"], Decimal(dl["duty_booked"])) == ("discharged", "0", stake)
    assert _get(world, "/api/v1/regimes/deadlines", world.off("hp_officer")) == []
    [bal] = _get(world, f"/api/v1/regimes/balances?tax_code={TRADER}", world.off("nb_officer1"))
    assert (bal["quantity_in"], bal["quantity_out"], bal["held"]) == ("2", "2", "0")
