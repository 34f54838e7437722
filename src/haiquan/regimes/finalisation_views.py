"""Finalisation rows as the API answers them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from haiquan.kit.auth import Scope
from haiquan.regimes import finalisation_repository as repo
from haiquan.regimes.finalisation_schemas import FinalisationLineOut, FinalisationOut
from haiquan.regimes.finalisation_tables import FinalisationLineRow, FinalisationRow


def line_out(x: FinalisationLineRow) -> FinalisationLineOut:
    return FinalisationLineOut.model_validate(x, from_attributes=True)


def finalisation_out(session: Session, f: FinalisationRow, *, scope: Scope) -> FinalisationOut:
    lines = [line_out(x) for x in repo.lines(session, f.id, scope=scope)]
    return FinalisationOut(
        id=f.id, tax_code=f.tax_code, unit=f.unit, regime=f.regime, period_start=f.period_start,
        period_end=f.period_end, source=f.source, materials=f.materials, discrepancies=f.discrepancies,
        duty_at_stake=f.duty_at_stake, filed_by=f.filed_by, filed_at=f.filed_at, lines=lines,
    )  # fmt: skip
