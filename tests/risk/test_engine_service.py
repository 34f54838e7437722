"""The engine and the services on a database (SQLite and PostgreSQL) without HTTP."""

from __future__ import annotations

import sys
import time
import types
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from typer.testing import CliRunner

from haiquan.kit import cli_support, clock
from haiquan.kit.db import Database
from haiquan.risk import performance, watch
from haiquan.risk.channel import DeclarationFacts, LineFacts
from haiquan.risk.engine import RiskEngine
from haiquan.risk.tables import ModelVersionRow, ProfileRow, RiskDecisionRow, ValueControlRow


def facts(
    i: int, *, declarant: str = "0100109106", hs: str = "85171300", uv: int = 3_000_000
) -> DeclarationFacts:
    line = LineFacts(hs, "CN", Decimal(10), Decimal(uv * 10))
    return DeclarationFacts(
        number=f"{100000000000 + i}", office="01AB", kind="import", category="commercial", procedure_code="A11",
        declarant_tax_code=declarant, importer_tax_code="0101248141", exporter_tax_code=None, partner_country="CN",
        transport_mode="air", total_value_vnd=Decimal(uv * 10), total_duties_vnd=Decimal(uv),
        compliance_class="normal", lines=[line],
    )  # fmt: skip


def run(db: Database, engine: RiskEngine, items: list[DeclarationFacts]) -> list[Any]:
    with db.unit_of_work() as uow:
        out = [engine.assign(f, session=uow.session) for f in items]
        uow.commit()
    return out


def test_lanes_follow_the_office_rates_with_random_picks_marked(db: Database) -> None:
    engine = RiskEngine()
    decisions = run(db, engine, [facts(i) for i in range(600)])
    lanes = Counter(d.channel for d in decisions)
    assert 0.04 < lanes["red"] / 600 < 0.11
    assert 0.44 < lanes["green"] / 600 < 0.56
    modes = Counter(next(r["mode"] for r in d.reasons if r["kind"] == "selection") for d in decisions)
    assert modes["warmup"] == 30
    assert modes["rank"] > 500
    assert 0 < modes["random"] < 30
    with db.unit_of_work() as uow:
        assert (
            uow.session.query(RiskDecisionRow).filter(RiskDecisionRow.random_pick.is_(True)).count()
            == modes["random"]
        )


def test_a_higher_score_ranks_red_once_the_window_is_warm(db: Database) -> None:
    engine = RiskEngine()
    run(db, engine, [facts(i) for i in range(100)])
    with db.unit_of_work() as uow:
        uow.session.add(
            ValueControlRow(
                hs_code="85171300",
                origin="CN",
                min_unit_value=Decimal(10**7),
                max_unit_value=Decimal(10**8),
                median_unit_value=Decimal(2 * 10**7),
                sample_size=9,
                source="manual",
                updated_at=clock.now(),
                updated_by="t",
            )
        )
        uow.commit()
    engine.invalidate()
    [d] = run(db, engine, [facts(1000)])
    assert d.channel == "red"
    assert d.score > 0.25
    assert [r["kind"] for r in d.reasons][:1] == ["value_control"]


@dataclass
class Entry:
    kind: str
    value: str


def test_watch_lists_are_read_through_the_adapter(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    assert watch.available()  # the enforcement module provides haiquan.risk.watchlist
    fake = types.ModuleType("haiquan.risk.watchlist")
    entries = [Entry("enterprise", "0100109106"), Entry("hs_code", "8517")]
    fake.__dict__["active_entries"] = lambda session, kind=None: entries
    monkeypatch.setitem(sys.modules, "haiquan.risk.watchlist", fake)
    [d] = run(db, RiskEngine(), [facts(1)])
    listed = {r["list"] for r in d.reasons if r["kind"] == "watchlist"}
    assert listed == {"enterprise", "hs_code"}
    assert d.score == pytest.approx(0.45)


def test_psi_sees_a_shift() -> None:
    base = [i / 100 for i in range(100)]
    assert performance.psi(base, base) == 0.0
    shifted = performance.psi(base, [0.5 + i / 200 for i in range(100)])
    assert shifted is not None
    assert shifted > 0.5
    assert performance.psi(base[:5], base) is None


def test_cli_lanes_refuse_impossible_rates(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    from haiquan.risk.engine_cli import engine_app

    monkeypatch.setattr(cli_support, "_db", db)
    runner = CliRunner()
    bad = runner.invoke(engine_app, ["lanes", "*", "--green", "60", "--yellow", "43", "--red", "7"])
    assert bad.exit_code == 2
    assert "sum to 110" in bad.output
    ok = runner.invoke(engine_app, ["lanes", "*", "--green", "55", "--yellow", "40", "--red", "5"])
    assert ok.exit_code == 0, ok.output
    shown = runner.invoke(engine_app, ["lanes", "01AB"])
    assert "red 5" in shown.output
    bad_rule = runner.invoke(engine_app, ["profile", "add", "P-X1", "hs starts -> red", "--why", "test"])
    assert bad_rule.exit_code == 2
    assert "column 11" in bad_rule.output


def _wait_idle(engine: RiskEngine) -> None:
    deadline = time.monotonic() + 10
    while engine._refreshing and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not engine._refreshing


def test_background_refresh_serves_old_data_then_the_new(db: Database) -> None:
    engine = RiskEngine(db=db, background=True, snapshot_ttl=0.0)
    [first] = run(db, engine, [facts(1)])
    assert not any(r["kind"] == "profile" for r in first.reasons)
    with db.unit_of_work() as uow:
        uow.session.add(
            ProfileRow(
                id="P-BG",
                name="bg",
                criteria="hs starts 8517 -> red",
                units=[],
                active=True,
                version=1,
                updated_at=clock.now(),
                updated_by="t",
            )
        )
        uow.commit()
    run(db, engine, [facts(2)])  # triggers the refresh; answers from memory
    _wait_idle(engine)
    [later] = run(db, engine, [facts(3)])
    assert later.channel == "red"
    assert any(r.get("id") == "P-BG" for r in later.reasons)


def test_a_serving_model_that_cannot_load_leaves_the_heuristic_and_is_not_retried_at_once(
    db: Database,
) -> None:
    with db.unit_of_work() as uow:
        uow.session.add(
            ModelVersionRow(
                version="gone",
                path="/nonexistent/model.json",
                feature_version="1",
                metrics={},
                data_window={},
                created_at=clock.now(),
                serving=True,
            )
        )
        uow.commit()
    engine = RiskEngine(snapshot_ttl=0.0)
    [d] = run(db, engine, [facts(1)])
    assert engine.models.serving is None
    assert "gone" in engine._failed
    assert not any(r["kind"] == "score" for r in d.reasons)
    failed_at = engine._failed["gone"]
    run(db, engine, [facts(2)])
    assert engine._failed["gone"] == failed_at


def test_default_rules_become_profiles_with_the_same_effect(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from haiquan.risk.engine_cli import engine_app

    monkeypatch.setattr(cli_support, "_db", db)
    out = CliRunner().invoke(engine_app, ["defaults"])
    assert out.exit_code == 0
    assert "P-WATCH-CLASS" in out.output
    assert "P-HS-2402" in out.output
    assert "none" in CliRunner().invoke(engine_app, ["defaults"]).output
    low = facts(1)
    low = DeclarationFacts(**{**low.__dict__, "compliance_class": "low"})
    cig = facts(2, hs="24022090")
    d_low, d_cig = run(db, RiskEngine(), [low, cig])
    assert d_low.channel == "red"
    assert d_cig.channel == "yellow"


def test_forced_reds_count_against_the_red_budget(db: Database) -> None:
    with db.unit_of_work() as uow:
        uow.session.add(
            ProfileRow(
                id="P-CARS",
                name="cars",
                criteria="hs starts 8703 -> red",
                units=[],
                active=True,
                version=1,
                updated_at=clock.now(),
                updated_by="t",
            )
        )
        uow.commit()
    items = [facts(i, hs="87032363" if i % 20 == 0 else "85171300") for i in range(1000)]
    decisions = run(db, RiskEngine(), items)
    red = sum(dec.channel == "red" for dec in decisions) / len(decisions)
    assert 0.055 < red < 0.09, red  # 5 % forced + ranked reds ≈ the office's 7.05 %, not 12 %
