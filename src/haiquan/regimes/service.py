"""Special regimes' use cases for callers: an officer sets an EPE's status (epes.py), a bank reserves duty
on goods under a suspended regime with a guarantee, an officer closes an alert or a discrepancy. The
ledger itself is written by consumers only (ledger.py). Services never commit."""

from __future__ import annotations

from sqlalchemy.orm import Session

from haiquan.declarations import repository as declarations
from haiquan.kit import audit, clock
from haiquan.kit.auth import UNSCOPED, Principal
from haiquan.kit.errors import NotFound, ValidationFailed
from haiquan.payments import guarantees
from haiquan.payments.confirmations import caller_bank
from haiquan.payments.tables import GuaranteeRow
from haiquan.regimes.rules import rule_for
from haiquan.regimes.schemas import GuaranteeReserveIn
from haiquan.regimes.tables import DiscrepancyRow, RegimeAlertRow


def reserve_guarantee(session: Session, *, principal: Principal, data: GuaranteeReserveIn) -> GuaranteeRow:
    """A bank guarantees the duty suspended on a declaration under a regime (temporary import, bonded
    warehouse...): released when the goods are discharged, called when a deadline passes with goods left."""
    bank = caller_bank(session, principal, data.bank)
    row = declarations.get(session, data.declaration_number, scope=UNSCOPED)  # a bank serves every office
    rule = rule_for(row.procedure_code)
    if rule is None or rule.duty_at_entry != "suspended":
        raise ValidationFailed(
            f"{row.number} ({row.procedure_code}) is not under a regime whose duty is suspended",
            field="declaration_number", code="not_suspended",
        )  # fmt: skip
    return guarantees.reserve(
        session, bank_code=bank.code, guarantee_no=data.guarantee_no, declaration_number=row.number,
        amount=data.amount, valid_until=data.valid_until, actor=principal.label, unit=row.office,
    )  # fmt: skip


def close_alert(session: Session, *, principal: Principal, alert_id: int) -> RegimeAlertRow:
    principal.require_officer()
    row = session.get(RegimeAlertRow, alert_id)
    if row is None or not principal.scope.covers_unit(row.unit):
        raise NotFound(f"no alert {alert_id} in your units", field="alert_id")
    row.status = "closed"
    audit.append(session, actor=principal.label, action="regimes.alert_closed", target=f"regime_alert:{alert_id}",
                 unit=row.unit, detail={"at": clock.now().isoformat()})  # fmt: skip
    return row


def close_discrepancy(
    session: Session, *, principal: Principal, discrepancy_id: str, note: str
) -> DiscrepancyRow:
    """An officer settles a discrepancy (after a case, a correction, a duty assessed): it stays recorded."""
    principal.require_officer()
    row = session.get(DiscrepancyRow, discrepancy_id)
    if row is None or not principal.scope.covers_unit(row.unit):
        raise NotFound(f"no discrepancy {discrepancy_id} in your units", field="discrepancy_id")
    row.status = "closed"
    row.detail = dict(row.detail) | {"closed_by": principal.label, "note": note[:500]}
    audit.append(session, actor=principal.label, action="regimes.discrepancy_closed", unit=row.unit,
                 target=f"regime_discrepancy:{discrepancy_id}", detail={"note": note[:200]})  # fmt: skip
    return row
