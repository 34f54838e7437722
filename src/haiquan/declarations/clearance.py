"""A declaration whose checks passed clears once its duties are settled: the step after a green
registration or an officer's last decision, and after a bank's payment or a guarantee (payments)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from haiquan.declarations import domain, repository
from haiquan.declarations.domain import CLEARED_OR_LATER, FINAL, Command, Status
from haiquan.declarations.events import transition
from haiquan.declarations.tables import DeclarationRow
from haiquan.kit import clock
from haiquan.kit.auth import UNSCOPED
from haiquan.kit.errors import ValidationFailed

SETTLED_BY = {"payment": Command.SETTLE_BY_PAYMENT, "guarantee": Command.SETTLE_BY_GUARANTEE}


def after_checks(session: Session, row: DeclarationRow, *, actor: str) -> None:
    """Cleared if the checks passed and the duties are settled, else awaiting payment once they passed."""
    command = domain.after_checks(
        checks_passed=row.checks_passed,
        duties_settled=row.duties_settled,
        current=Status(row.status),
        agency_hold=bool(row.agency_hold),
    )
    if command is None:
        return
    if command is Command.CLEAR:
        row.cleared_at = clock.now()
    transition(session, row, command, actor=actor, detail={"total_duties": str(row.total_duties)})


def settle(
    session: Session, *, number: str, method: str, reference: str, amount: Decimal, actor: str
) -> DeclarationRow:
    """Duties paid (bank confirmation) or guaranteed: a declaration whose checks passed clears at once."""
    row = repository.get(session, number, scope=UNSCOPED, for_update=True)  # a bank's confirmation
    if row.duties_settled:
        return row
    if method not in SETTLED_BY:
        raise ValidationFailed("method must be payment or guarantee", field="method")
    if method == "payment" and amount < row.total_duties:
        raise ValidationFailed(
            f"{amount} does not cover duties of {row.total_duties}", field="amount", code="underpaid"
        )
    row.duties_settled, row.settlement, row.updated_at = True, method, clock.now()
    transition(
        session,
        row,
        SETTLED_BY[method],
        actor=actor,
        detail={"reference": reference, "amount": str(amount)},
    )
    if Status(row.status) not in FINAL | CLEARED_OR_LATER:
        after_checks(session, row, actor=actor)
    return row
