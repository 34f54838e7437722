"""The special regimes' API: the regime catalogue; an enterprise's stock ledger, balances, period summary
and deadlines (officers: their units'; an enterprise: its own); discrepancies and officers' alerts; export-
processing enterprises' status; banks' guarantees reserving suspended duty."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from haiquan.deps import Ctx, Tx
from haiquan.kit.errors import ValidationFailed
from haiquan.kit.transaction import TransactionRoute
from haiquan.regimes import epes, repository, service, views
from haiquan.regimes.rules import rules
from haiquan.regimes.schemas import (
    BalanceOut,
    DeadlineOut,
    DiscrepancyOut,
    EpeIn,
    EpeOut,
    GuaranteeReserveIn,
    GuaranteeReserveOut,
    LedgerEntryOut,
    PeriodLineOut,
    RegimeAlertOut,
    RegimeRuleOut,
)

router = APIRouter(prefix="/api/v1/regimes", tags=["regimes"], route_class=TransactionRoute)
TaxCode = Annotated[
    str | None, Query(pattern=r"^\d{10}(\d{3})?$", description="The enterprise under the regime")
]
Limit = Annotated[int, Query(ge=1, le=1000)]


@router.get(
    "", response_model=list[RegimeRuleOut], summary="The regime catalogue: type codes and their rules"
)
def catalogue(ctx: Ctx) -> list[RegimeRuleOut]:
    _ = ctx
    return [views.rule_out(r) for r in rules().values()]


@router.get("/ledger", response_model=list[LedgerEntryOut], summary="Stock ledger entries, in booking order")
def ledger(
    ctx: Ctx, tax_code: TaxCode = None, item_code: Annotated[str | None, Query(max_length=20)] = None,
    regime: Annotated[str | None, Query(max_length=24)] = None, after_id: Annotated[int, Query(ge=0)] = 0,
    limit: Limit = 200,
) -> list[LedgerEntryOut]:  # fmt: skip
    rows = repository.ledger_legs(ctx.session, scope=ctx.principal.scope, tax_code=tax_code, item_code=item_code,
                                  regime=regime, after_id=after_id, limit=limit)  # fmt: skip
    return [views.copy(LedgerEntryOut, r) for r in rows]


@router.get("/balances", response_model=list[BalanceOut], summary="Each stock's in, out and held")
def balances(
    ctx: Ctx, tax_code: TaxCode = None, regime: Annotated[str | None, Query(max_length=24)] = None
) -> list[BalanceOut]:
    rows = repository.balances(ctx.session, scope=ctx.principal.scope, tax_code=tax_code, regime=regime)
    return [views.balance_out(b) for b in rows]


@router.get(
    "/period",
    response_model=list[PeriodLineOut],
    summary="An enterprise's stocks over a period, by entry kind",
)
def period(
    ctx: Ctx, tax_code: Annotated[str, Query(pattern=r"^\d{10}(\d{3})?$")], start: date, end: date
) -> list[PeriodLineOut]:
    if end < start:
        raise ValidationFailed("end is before start", field="end")
    rows = repository.period_summary(
        ctx.session, scope=ctx.principal.scope, tax_code=tax_code, start=start, end=end
    )
    return [views.period_out(p) for p in rows]


@router.get("/deadlines", response_model=list[DeadlineOut], summary="Deadlines, the soonest first")
def deadlines(
    ctx: Ctx, tax_code: TaxCode = None,
    state: Annotated[list[str] | None, Query(description="open, due_soon, overdue, discharged")] = None,
    due_from: date | None = None, due_to: date | None = None, limit: Limit = 200,
) -> list[DeadlineOut]:  # fmt: skip
    rows = repository.deadlines(ctx.session, scope=ctx.principal.scope, tax_code=tax_code, states=state,
                                due_from=due_from, due_to=due_to, limit=limit)  # fmt: skip
    return [views.copy(DeadlineOut, r) for r in rows]


@router.get("/discrepancies", response_model=list[DiscrepancyOut], summary="Out-of-regime movements found")
def discrepancies(
    ctx: Ctx, tax_code: TaxCode = None, status: Annotated[str | None, Query(pattern="^(open|closed)$")] = None
) -> list[DiscrepancyOut]:
    rows = repository.discrepancies(ctx.session, scope=ctx.principal.scope, tax_code=tax_code, status=status)
    return [views.copy(DiscrepancyOut, r) for r in rows]


@router.get("/alerts", response_model=list[RegimeAlertOut], summary="Officers' alerts of their units")
def alerts(ctx: Ctx) -> list[RegimeAlertOut]:
    ctx.principal.require_officer()
    return [views.copy(RegimeAlertOut, r) for r in repository.alerts(ctx.session, scope=ctx.principal.scope)]


@router.post("/alerts/{alert_id}/close", response_model=RegimeAlertOut, summary="An officer closes an alert")
def close_alert(tx: Tx, alert_id: int) -> RegimeAlertOut:
    return views.copy(
        RegimeAlertOut, service.close_alert(tx.session, principal=tx.principal, alert_id=alert_id)
    )


@router.get("/epes", response_model=list[EpeOut], summary="Export-processing enterprises")
def epe_list(ctx: Ctx) -> list[EpeOut]:
    return [views.copy(EpeOut, r) for r in repository.epes(ctx.session, scope=ctx.principal.scope)]


@router.put("/epes/{tax_code}", response_model=EpeOut, summary="An officer sets an EPE's status")
def set_epe(tx: Tx, tax_code: str, body: EpeIn) -> EpeOut:
    row = epes.set_status(tx.session, principal=tx.principal, tax_code=tax_code, status=body.status,
                          zone=body.zone, unit=body.unit, since=body.since)  # fmt: skip
    return views.copy(EpeOut, row)


@router.post(
    "/guarantees", status_code=201, response_model=GuaranteeReserveOut,
    summary="A bank reserves suspended duty with a guarantee",
)  # fmt: skip
def reserve_guarantee(tx: Tx, body: GuaranteeReserveIn) -> GuaranteeReserveOut:
    g = service.reserve_guarantee(tx.session, principal=tx.principal, data=body)
    return GuaranteeReserveOut(id=g.id, bank=g.bank_code, guarantee_no=g.guarantee_no,
                               declaration_number=g.declaration_number, amount=g.amount,
                               valid_until=g.valid_until, status=g.status)  # fmt: skip
