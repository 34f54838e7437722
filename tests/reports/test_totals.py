"""Pre-summed subtree rows and running balances give the same figures as summing the offices' own rows
from the start of history, for every figure and every level; bulk history and the rebuild agree too."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from haiquan.demo import history
from haiquan.kit import clock
from haiquan.kit.auth import Scope
from haiquan.organization.service import load_tree
from haiquan.reports import bulk, queries
from haiquan.reports.tables import DailyDeclarationRow, RunningBalanceRow
from tests.reports.supervision_facts import alert, closed, gate_in, gate_out, movements, raised
from tests.reports.test_reports import _event, _feed
from tests.support import World


def _same_both_ways(app: Any, nodes: list[str], start: date, end: date) -> None:
    with app.state.db.unit_of_work() as uow:
        tree = load_tree(uow.session)
        for node in nodes:
            v = queries.view(tree, Scope(units=None), node=node, start=start, end=end, home=None)
            assert v.whole
            for name, fn in queries.FIGURES.items():
                fast, slow = fn(uow.session, v), fn(uow.session, replace(v, whole=False))
                assert fast == slow, (node, name, fast, slow)


def test_pre_summed_rows_and_balances_match_the_offices_rows(world: World, app: Any) -> None:
    clock.freeze(datetime(2026, 3, 31, 5, tzinfo=UTC))
    _feed(app)
    march = datetime(2026, 3, 1, 5, tzinfo=UTC)
    for day, (type_, payload) in [
        (1, movements([gate_in("01B1", march)], [])),
        (2, movements([gate_in("01B1", march.replace(day=2))], [])),
        (3, movements([], [gate_out("01B1", march.replace(day=3), timedelta(hours=53))])),
        (2, raised(alert(1, "01B1", march.replace(day=2)))),
        (20, raised(alert(2, "01B1", march.replace(day=20)))),
        (21, closed(2, march.replace(day=20))),
        (21, closed(99, march)),  # an alert raised before the reports existed: its closing moves nothing
    ]:
        clock.freeze(march.replace(day=day))
        _event(app, type_, "01B1", payload)
    app.state.dispatcher.run_once()
    with app.state.db.unit_of_work() as uow:
        bal = uow.session.get(RunningBalanceRow, "01")
        assert bal is not None
        assert (bal.in_area, bal.alerts_open) == (1, 1)
        assert bal.refunds_due == 24 * 10**9
    nodes = ["00", "01", "01AB", "01B1", "03"]
    _same_both_ways(app, nodes, date(2026, 1, 1), date(2026, 3, 31))
    _same_both_ways(app, nodes, date(2026, 3, 2), date(2026, 3, 10))  # balances as of a past day
    with app.state.db.unit_of_work() as uow:
        v = queries.view(load_tree(uow.session), Scope(units=None), node="01", start=date(2026, 3, 2),
                         end=date(2026, 3, 10), home=None)  # fmt: skip
        assert queries.dwell(uow.session, v)["in_area"] == 1
        assert queries.alerts(uow.session, v)["open_now"] == 1  # the alert of 20 March is not open yet


def test_bulk_history_and_rebuild_give_the_same_rows(world: World, app: Any) -> None:
    db = app.state.db
    with db.unit_of_work() as uow:
        tree = load_tree(uow.session)
    plan = history.Plan(years=1, per_year=20_000, end=date(2026, 3, 31), offices=("01AB", "01B1", "03CC"))
    history.run(db.engine, plan, tree=tree, show=False)
    _same_both_ways(app, ["00", "01", "03"], date(2026, 1, 1), date(2026, 3, 31))

    def snapshot() -> tuple[Any, ...]:
        with db.unit_of_work() as uow:
            t = DailyDeclarationRow
            rows = uow.session.execute(select(t.unit, t.day, t.registered).order_by(t.unit, t.day)).all()
            bals = uow.session.execute(select(RunningBalanceRow.node, RunningBalanceRow.alerts_open)).all()
            return tuple(rows), tuple(sorted(bals))

    before = snapshot()
    assert any(u == "+00" for u, _, _ in before[0])
    bulk.rebuild_totals(db.engine, tree)
    assert snapshot() == before


def test_a_seizure_counts_on_the_day_the_goods_were_seized(world: World, app: Any) -> None:
    from haiquan.reports.tables import DailySeizureRow

    clock.freeze(datetime(2026, 3, 31, 5, tzinfo=UTC))  # recorded weeks later
    _event(app, "enforcement.seizure_recorded", "01AB", {"unit": "01AB", "province": "Hà Nội", "route": "airport",
           "substance": "heroin", "quantity": "4836.27", "unit_of_measure": "g", "seized_on": "2026-02-10"})  # fmt: skip
    app.state.dispatcher.run_once()
    with app.state.db.unit_of_work() as uow:
        rows = uow.session.execute(select(DailySeizureRow.unit, DailySeizureRow.day)).all()
        assert {(u, d) for u, d in rows} == {(u, date(2026, 2, 10)) for u in ("01AB", "+01AB", "+01", "+00")}


def test_percentiles_compare_exactly_and_periods_start_as_duckdb_truncates() -> None:
    """0.9 × 70 is 63.00000000000001 in binary floating point: the 63rd of 70 observations is the p90."""
    assert queries.percentiles([(b, 1) for b in range(70)]) == {"p50": 34, "p90": 62}
    assert queries.percentiles([]) == {"p50": None, "p90": None}
    d = date(2026, 3, 5)  # a Thursday
    assert [queries._trunc(d, g) for g in ("day", "week", "month", "year")] == [
        datetime(2026, 3, 5), datetime(2026, 3, 2), datetime(2026, 3, 1), datetime(2026, 1, 1),
    ]  # fmt: skip
