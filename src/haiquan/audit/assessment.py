"""What a closed audit case costs the trader: the duty short-paid booked on the declaration as an
amendment after audit (the payments ledger books the difference from the declaration's event), the late
interest on it since the declaration's due date (taxes.interest.late_interest, booked as a debt of its own
by taxes.charges.assess_late_interest, so the bank gateway collects it), and the penalty: decided
and booked as a debt of its own (taxes.charges.decide_penalty) when a leader who may decide penalties
closes the case, else proposed on the case for such a leader. Services never commit."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.audit.domain import fallback_penalty
from haiquan.audit.tables import AuditCaseRow
from haiquan.declarations import repository as declarations
from haiquan.declarations.domain import Command
from haiquan.declarations.events import transition
from haiquan.kit import clock
from haiquan.kit.auth import UNSCOPED, Principal
from haiquan.organization.tables import EnterpriseRow
from haiquan.taxes.charges import DECIDERS, assess_late_interest, decide_penalty
from haiquan.taxes.interest import late_interest


@dataclass(frozen=True)
class Assessment:
    additional_duty: Decimal
    late_interest: Decimal
    penalty: Decimal
    penalty_basis: str
    amendment_no: int | None


def penalty(session: Session, case: AuditCaseRow, amount: Decimal, basis: str, principal: Principal) -> str:
    """Book the penalty through the taxes module when the closer may decide one; else say who must."""
    if amount <= 0:
        return basis
    if principal.role not in DECIDERS:
        return f"proposed: {basis}; a sub-department or department leader decides it (taxes)"
    ent = session.scalars(
        select(EnterpriseRow).where(EnterpriseRow.tax_code == case.declarant_tax_code)
    ).one()
    charge = decide_penalty(
        session, principal=principal, enterprise_id=ent.id, declaration_id=case.number,
        violation=f"Khai sai trị giá dẫn đến thiếu số thuế phải nộp (kiểm tra sau thông quan {case.id})",
        legal_basis="Nghị định 128/2020/NĐ-CP, Điều 14", amount=amount,
    )  # fmt: skip
    return f"decided: {basis}; charge {charge.number}, reference {charge.reference}"


def book(session: Session, case: AuditCaseRow, *, principal: Principal) -> Assessment:
    """Book the case's additional duty on its declaration (AMEND_AFTER_AUDIT), with interest and penalty."""
    actor = principal.label
    row = declarations.get(session, case.number, scope=UNSCOPED, for_update=True)
    amount, outcome = case.additional_duty, case.outcome or "no_fraud"
    fine, basis = fallback_penalty(amount, outcome)
    if amount <= 0:
        return Assessment(Decimal(0), Decimal(0), fine, basis, None)
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
        "late_interest": str(interest), "penalty": str(fine),
    }  # fmt: skip
    transition(
        session, row, Command.AMEND_AFTER_AUDIT, actor=actor,
        reason=f"post-clearance audit {case.id}: additional duty", detail=detail,
    )  # fmt: skip
    ent = session.scalars(
        select(EnterpriseRow).where(EnterpriseRow.tax_code == case.declarant_tax_code)
    ).one()
    if interest > 0:  # owed by law, booked with the duty (taxes.charges): the bank gateway collects it
        assess_late_interest(
            session, principal=principal, tax_code=ent.tax_code, enterprise_id=ent.id, declaration_number=case.number,
            amount=interest, since=due, reason=f"thuế thiếu phát hiện khi kiểm tra sau thông quan {case.id}",
        )  # fmt: skip
    basis = penalty(session, case, fine, basis, principal)
    return Assessment(amount, interest, fine, basis, row.amendment_no)
