"""What a closed audit case costs the trader: the duty short-paid booked on the declaration as an
amendment after audit (the payments ledger books the difference from the declaration's event), the late
interest on it since the declaration's due date, and the penalty decided. Services never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import Session

from haiquan.audit.domain import fallback_penalty
from haiquan.audit.tables import AuditCaseRow
from haiquan.declarations import repository as declarations
from haiquan.declarations.domain import Command
from haiquan.declarations.events import transition
from haiquan.kit import clock
from haiquan.kit.auth import UNSCOPED

LEGAL_RATE_PER_DAY = Decimal("0.0003")  # 0.03 % a day (Luật Quản lý thuế 38/2019/QH14, Article 59)


@dataclass(frozen=True)
class Assessment:
    additional_duty: Decimal
    late_interest: Decimal
    penalty: Decimal
    penalty_basis: str
    amendment_no: int | None


def late_interest(amount: Decimal, *, due: date, until: date) -> Decimal:
    """0.03 % a day from the day after `due` through `until`, whole dong, half up."""
    days = max(0, (until - due).days)
    return (max(amount, Decimal(0)) * LEGAL_RATE_PER_DAY * days).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def book(session: Session, case: AuditCaseRow, *, actor: str) -> Assessment:
    """Book the case's additional duty on its declaration (AMEND_AFTER_AUDIT), with interest and penalty."""
    row = declarations.get(session, case.number, scope=UNSCOPED, for_update=True)
    amount, outcome = case.additional_duty, case.outcome or "no_fraud"
    penalty, basis = fallback_penalty(amount, outcome)
    if amount <= 0:
        return Assessment(Decimal(0), Decimal(0), penalty, basis, None)
    due = clock.to_vn(row.registered_at).date() if row.registered_at else clock.today_vn()
    interest = late_interest(amount, due=due, until=clock.today_vn())
    before = row.total_duties
    row.import_duty += amount
    row.total_duties += amount
    row.amendment_no += 1
    row.duties_settled, row.settlement = False, None
    row.updated_at = clock.now()
    detail = {
        "amendment_no": row.amendment_no, "audit_case": case.id, "before": {"total_duties": str(before)},
        "after": {"total_duties": str(row.total_duties)}, "difference": str(amount),
        "late_interest": str(interest), "penalty": str(penalty),
    }  # fmt: skip
    transition(
        session, row, Command.AMEND_AFTER_AUDIT, actor=actor,
        reason=f"post-clearance audit {case.id}: additional duty", detail=detail,
    )  # fmt: skip
    return Assessment(amount, interest, penalty, basis, row.amendment_no)
