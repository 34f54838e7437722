"""Risk queries for routes, scoped by the caller's units."""

from __future__ import annotations

from sqlalchemy.orm import Session

from haiquan.kit.auth import Scope
from haiquan.kit.errors import NotFound
from haiquan.risk.tables import RiskDecisionRow


def decision(session: Session, number: str, *, scope: Scope) -> RiskDecisionRow:
    """The engine's decision on a declaration of the caller's units (customs only)."""
    rec = session.get(RiskDecisionRow, number)
    if rec is None or scope.enterprise_id is not None or not scope.covers_unit(rec.office):
        raise NotFound(f"no risk decision for {number} in your units", field="number")
    return rec
