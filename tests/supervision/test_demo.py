"""The supervision part of the demo seed: the 2018 registry and one vessel's refused early exit with its
alert (the rest of the story, clearance and exit, in test_demo_story.py)."""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import select

from haiquan.demo import supervision as demo
from haiquan.organization import service as org
from haiquan.organization.cli import DEFAULT_UNITS, read_units_file
from haiquan.supervision.tables import AlertRow, OperatorRow


def test_demo_seed_registers_2018_operators_and_plays_a_vessel(db: Any) -> None:
    with db.unit_of_work() as uow:
        org.replace_units(uow.session, units=read_units_file(DEFAULT_UNITS), actor="test")
        out = demo.seed(uow.session, rng=random.Random(7))
        uow.commit()
    assert out["operators"] == 53 + 3 + 4 + 14
    assert out["gated_in"] == 3
    assert out["early_exit"] == "refused"
    assert out["reasons"] == ["no_declaration"]
    with db.unit_of_work() as uow:
        units = list(uow.session.scalars(select(OperatorRow.unit)))
        kinds = list(uow.session.scalars(select(AlertRow.kind)))
    per_dept = {d: sum(1 for u in units if u[:2] == d) for d in ("03", "01", "02", "51")}
    assert per_dept == {"03": 53, "01": 3, "02": 4, "51": 14}
    assert len(units) == 74
    assert len({u for u in units if u.startswith("03")}) == 4
    assert kinds == ["refused_exit"]
