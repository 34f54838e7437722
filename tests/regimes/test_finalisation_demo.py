"""The demo's bonded warehouse: wine in (C11) and out (C12) through the declaration services, a report that
declares less than the ledger holds, reconciled into one discrepancy with duty at stake and the risk fact."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from haiquan.demo import finalisation as demo
from haiquan.risk.tables import EnterpriseFactRow
from tests.support import World


def test_the_bonded_warehouse_difference_is_found(
    world: World, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo, "KEEPER_OFFICE", "03CC")  # a unit of the tests' organisation
    monkeypatch.setattr(demo, "WINE", ("08081000", "KGM"))  # a line of the tests' tariff
    story = demo.seed(app.state.db, app.state.dispatcher)
    w = story["warehouse"]
    assert (w["unit"], w["discrepancies"]) == ("03CC", 1)
    assert Decimal(w["duty_at_stake"]) > 0
    assert "epe" not in story  # demo.regimes' EPE did not run here
    with app.state.db.unit_of_work() as uow:
        fact = uow.session.get(EnterpriseFactRow, (demo.KEEPER, "finalisation_discrepancy_duty"))
        assert fact is not None
        assert fact.value == Decimal(w["duty_at_stake"])
    assert "1 discrepancy" in demo.describe(story)[0]
