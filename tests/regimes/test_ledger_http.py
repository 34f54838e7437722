"""The stock ledger fed by real declarations, on SQLite and PostgreSQL: a temporary import books the
machines in and opens a re-export deadline; a re-export of more than came in is refused at lodging naming
the line's quantity; the re-export that fits books them out and discharges the deadline."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from haiquan.regimes.tables import DeadlineRow, LedgerLegRow
from tests.regimes.helpers import DECLARANT, TRADER, car_line, cleared, lodge, regime_export, regime_import
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


def _dues(app: Any) -> list[tuple[str, str]]:
    from haiquan.payments.tables import DeclarationDueRow, PaymentReferenceRow

    with app.state.db.unit_of_work() as uow:
        s = uow.session
        dues = [(d.declaration_number, str(d.assessed)) for d in s.scalars(select(DeclarationDueRow))]
        assert list(s.scalars(select(PaymentReferenceRow))) == []
        return dues


def test_suspended_duty_is_not_assessed_at_registration_nor_by_an_amendment(world: World, app: Any) -> None:
    number = cleared(world, app, regime_import("G12", [car_line("2")]))
    r = world.client.get(f"/api/v1/declarations/{number}", headers=world.ent(DECLARANT))
    duties = r.json()["duties"]
    assert (duties["settlement"], duties["settled"]) == ("suspended", True)
    assert Decimal(duties["total"]) > 0
    assert _dues(app) == []
    body = {"reason": "one more vehicle", "lines": [car_line("3")]}
    r = world.post(f"/api/v1/declarations/{number}/amendments", world.ent(DECLARANT), body)
    assert r.status_code == 200, r.text
    app.state.dispatcher.run_once()
    assert _dues(app) == []
    legs = _legs(app)
    kinds = [(x[0], x[2], x[3]) for x in legs if x[0] == "stock"]
    assert kinds == [("stock", "in", "2"), ("stock", "correction", "-2"), ("stock", "in", "3")]


def test_an_amendment_cannot_reexport_more_than_came_in(world: World, app: Any) -> None:
    cleared(world, app, regime_import("G12", [car_line("2")]))
    out = cleared(world, app, regime_export("G22", [car_line("1")]))
    body = {"reason": "both vehicles", "lines": [car_line("3")]}
    r = world.post(f"/api/v1/declarations/{out}/amendments", world.ent(DECLARANT), body)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "lines[0].quantity"
    body = {"reason": "both vehicles", "lines": [car_line("2")]}
    assert world.post(f"/api/v1/declarations/{out}/amendments", world.ent(DECLARANT), body).status_code == 200
    app.state.dispatcher.run_once()
    with app.state.db.unit_of_work() as uow:
        held = uow.session.scalar(
            select(func.sum(LedgerLegRow.quantity)).where(LedgerLegRow.account == "stock")
        )
        assert held == 0


def test_two_reexports_in_one_batch_cannot_draw_the_same_stock(world: World, app: Any) -> None:
    """The group commit lodges many declarations in one transaction; the first's rows are still buffered
    for the commit when the second is checked: the second must count them (not pass on the same stock)."""
    from haiquan.declarations import changes
    from haiquan.declarations.schemas import DeclarationIn
    from haiquan.kit.errors import ValidationFailed
    from haiquan.kit.groupcommit import Answer, Change
    from tests.declarations.test_group_commit import outcome, principal

    cleared(world, app, regime_import("G12", [car_line("2")]))
    who = principal(app, DECLARANT)
    body = DeclarationIn.model_validate(regime_export("G22", [car_line("2")]))
    batch = [Change(changes.Lodge(who, body, 7), who.key, status_code=201) for _ in range(2)]
    writer = app.state.writer
    alone = 0
    commit_batch = writer.commit_batch

    def counted(changes_: list[Change], **kw: Any) -> None:
        nonlocal alone
        alone += len(changes_) == 1
        commit_batch(changes_, **kw)

    writer.commit_batch = counted  # a batch that fails is applied again one change at a time: not here
    try:
        writer.commit_batch(batch)
    finally:
        del writer.commit_batch
    assert alone == 0, "the batch was not applied in one transaction"
    first, second = (outcome(c) for c in batch)
    assert isinstance(first, Answer), first
    assert isinstance(second, ValidationFailed), second
    assert second.field == "lines[0].quantity", str(second)
