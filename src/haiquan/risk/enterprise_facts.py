"""Facts about enterprises the criteria language reads beside a declaration's own fields, kept by consumers
and loaded into the engine's snapshot: `finalisation_discrepancy_duty`, the duty at stake in the
enterprise's open finalisation discrepancies (regimes.finalisation)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.kit import clock
from haiquan.risk.tables import EnterpriseFactRow

FINALISATION_DUTY = "finalisation_discrepancy_duty"
FACTS = (FINALISATION_DUTY,)  # each a number field of the criteria language (criteria.NUMBER_FIELDS)


def keep(session: Session, *, tax_code: str, fact: str, value: Decimal, event_id: str) -> None:
    row = session.get(EnterpriseFactRow, (tax_code, fact))
    if row is None:
        session.add(EnterpriseFactRow(tax_code=tax_code, fact=fact, value=value, source_event=event_id,
                                      updated_at=clock.now()))  # fmt: skip
        return
    row.value, row.source_event, row.updated_at = value, event_id, clock.now()


def load(session: Session) -> dict[str, dict[str, Decimal]]:
    """Every non-zero fact, by tax code (the snapshot's)."""
    out: dict[str, dict[str, Decimal]] = {}
    q = select(EnterpriseFactRow.tax_code, EnterpriseFactRow.fact, EnterpriseFactRow.value)
    for tax, fact, value in session.execute(q.where(EnterpriseFactRow.value != 0)).all():
        out.setdefault(tax, {})[fact] = value
    return out
