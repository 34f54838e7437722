"""The stock ledger fed by real declarations, on SQLite and PostgreSQL: a temporary import books the
machines in and opens a re-export deadline; a re-export of more than came in is refused at lodging naming
the line's quantity; the re-export that fits books them out and discharges the deadline."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from haiquan.regimes.tables import DeadlineRow, LedgerLegRow
from tests.regimes.helpers import TRADER, car_line, cleared, lodge, regime_export, regime_import
from tests.support import World


def _legs(app: Any) -> list[tuple[str, str, str, str, str, str | None]]:
    with app.state.db.unit_of_work() as uow:
        rows = uow.session.scalars(select(LedgerLegRow).order_by(LedgerLegRow.id))
        return [
            (x.account, x.regime, x.kind, str(x.quantity), x.tax_code, x.declaration_number) for x in rows
        ]


def test_temporary_import_then_reexport(world: World, app: Any) -> None:
    number = cleared(world, app, regime_import("G12", [car_line("2")]))
    legs = _legs(app)
    assert legs == [
        ("stock", "temporary", "in", "2", TRADER, number),
        ("abroad", "temporary", "in", "-2", TRADER, number),
    ]
    with app.state.db.unit_of_work() as uow:
        dl = uow.session.scalars(select(DeadlineRow)).one()
        assert (dl.kind, str(dl.quantity_left), dl.state) == ("reexport", "2", "open")
        assert dl.duty_at_stake > 0

    r = lodge(world, regime_export("G22", [car_line("3")]))
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "lines[0].quantity"

    cleared(world, app, regime_export("G22", [car_line("2")]))
    with app.state.db.unit_of_work() as uow:
        s = uow.session
        held = s.scalar(select(func.sum(LedgerLegRow.quantity)).where(LedgerLegRow.account == "stock"))
        dl = s.scalars(select(DeadlineRow)).one()
        assert held == 0
        assert (str(dl.quantity_left), dl.state) == ("0", "discharged")


def test_consumer_books_each_event_once(world: World, app: Any) -> None:
    cleared(world, app, regime_import("G12", [car_line("1")]))
    before = len(_legs(app))
    app.state.dispatcher.run_once()
    assert len(_legs(app)) == before == 2
