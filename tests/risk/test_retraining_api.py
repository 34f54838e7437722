"""Retraining from our own labels through HTTP: declarations of three months with labels known over time,
a challenger trained on what was known before the cut-off, compared with the champion (the recorded
scores) on the later month, promoted by an analyst's decision that is audited; the page shows it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from tests.support import World, import_declaration
from tests.web.helpers import login

from haiquan.kit import clock
from haiquan.kit.tables import AuditEntry
from haiquan.risk.tables import LabelRow, ModelVersionRow

D0 = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)


def lodge_and_register(world: World, i: int) -> tuple[str, bool]:
    fraud = i % 3 == 0  # cheap phones from Japan: the pattern the labels teach
    origin, value = ("JP", "900") if fraud else ("CN", "6000")
    line = {**import_declaration()["lines"][0], "origin_country": origin, "value": value}
    invoice = {**import_declaration()["invoice"], "amount": value}
    r = world.lodge(import_declaration(lines=[line], invoice=invoice))
    assert r.status_code == 201, r.text
    number = r.json()["number"]
    assert (
        world.post(f"/api/v1/declarations/{number}/register", world.ent("0100109106"), None).status_code
        == 200
    )
    return number, fraud


def test_a_challenger_from_our_labels_is_compared_and_promoted(
    world: World, app: Any, tmp_path: Path
) -> None:
    made = []
    for i in range(90):
        clock.freeze(D0 + timedelta(days=i))
        made.append((*lodge_and_register(world, i), D0 + timedelta(days=i)))
    with app.state.db.unit_of_work() as uow:
        for number, fraud, at in made:
            uow.session.add(LabelRow(
                event_id=f"ev-{number}", number=number, declarant_tax_code="0100109106", source="inspection",
                outcome="fraud" if fraud else "no_fraud", duty_at_stake=Decimal(3_000_000 if fraud else 0),
                random_pick=False, known_at=at + timedelta(days=2), recorded_at=at,
            ))  # fmt: skip
        uow.commit()
    clock.freeze(D0 + timedelta(days=100))
    body = {"cutoff": (D0 + timedelta(days=60)).isoformat(), "test_to": (D0 + timedelta(days=95)).isoformat(),
            "model_dir": str(tmp_path / "models")}  # fmt: skip
    assert world.post("/api/v1/risk/retraining", world.off("nb_leader"), body).status_code == 403
    r = world.post("/api/v1/risk/retraining", world.off("analyst"), body)
    assert r.status_code == 201, r.text
    cmp = r.json()
    assert cmp["decision"] == "pending"
    assert cmp["champion"] is None  # no promoted model: the engine's recorded scores
    ours, theirs = cmp["metrics"]["challenger"], cmp["metrics"]["champion"]
    assert cmp["metrics"]["test_declarations"] == 30
    assert ours["precision"] >= theirs["precision"]
    assert ours["fraud_captured"] == 1.0
    r = world.post(f"/api/v1/risk/comparisons/{cmp['id']}/decision", world.off("analyst"),
                   {"promote": True, "why": "better on December"})  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["decision"] == "promoted"
    again = world.post(f"/api/v1/risk/comparisons/{cmp['id']}/decision", world.off("analyst"),
                       {"promote": True, "why": "again"})  # fmt: skip
    assert again.status_code == 409
    with app.state.db.unit_of_work() as uow:
        serving = uow.session.scalar(select(ModelVersionRow).where(ModelVersionRow.serving.is_(True)))
        assert serving is not None
        assert serving.version == cmp["challenger"]
        actions = set(uow.session.scalars(select(AuditEntry.action)))
        assert {"risk.model_compared", "risk.model_comparison_decided", "risk.model_promoted"} <= actions


def test_the_comparisons_page_draws_both_models(world: World, app: Any, client: Any, tmp_path: Path) -> None:
    login(client, "analyst")
    r = client.get("/risk/comparisons")
    assert r.status_code == 200
    assert "So sánh mô hình thách thức" in r.text
