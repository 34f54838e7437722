"""Duty at stake in finalisation discrepancies on the leaders' dashboard: the discrepancies still open now
(regimes.finalisation), their number and duty by unit of the view. Read from the finalisation lines of this
node (not a federated read model: a department's node sees the reports filed at its own node)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from haiquan.kit.auth import Scope
from haiquan.regimes.finalisation_repository import duty_at_stake_by_unit
from haiquan.reports.i18n import MESSAGES
from haiquan.web.i18n import add_messages

if TYPE_CHECKING:
    from haiquan.reports.queries import View

WORDS = {
    "reports.finalisation": ("Chênh lệch quyết toán chờ xử lý", "Open finalisation discrepancies"),
    "reports.fin_open": ("Số chênh lệch", "Discrepancies"),
    "reports.fin_duty": ("Thuế liên quan (VND)", "Duty at stake (VND)"),
}
MESSAGES.update(WORDS)  # the dashboard's words (reports.i18n.words) include these
add_messages(WORDS)


def finalisation(session: Session, v: View) -> dict[str, Any]:
    rows = duty_at_stake_by_unit(session, scope=Scope(units=v.units))
    by_unit = [{"unit": u, "discrepancies": n, "duty_at_stake": d} for u, n, d in rows]
    return {
        "open_discrepancies": sum(n for _, n, _ in rows),
        "duty_at_stake": sum((d for _, _, d in rows), Decimal(0)),
        "by_unit": by_unit,
    }
