"""Finalisation (báo cáo quyết toán): the enterprise files its norms and the stock it holds at the period's
end (JSON, or a CSV / Excel upload checked row by row); the platform reconciles them against its ledger
(finalisation_domain), keeps each material's line, and makes each discrepancy an officer's task with the
duty at stake; an officer resolves it (explained, or duty due). Each step is an event: the risk engine
keeps the enterprise's open duty at stake as a fact its criteria can use."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from haiquan.kit import audit, clock, outbox
from haiquan.kit.auth import Principal
from haiquan.kit.db import new_id
from haiquan.kit.errors import Conflict, NotFound, ValidationFailed
from haiquan.regimes import finalisation_repository as repo
from haiquan.regimes.catalogue import FinalisationEvent
from haiquan.regimes.finalisation_domain import Key, Norm, Reconciled, reconcile
from haiquan.regimes.finalisation_schemas import FinalisationIn
from haiquan.regimes.finalisation_tables import FinalisationLineRow, FinalisationRow

TOLERANCE_PCT = Decimal("0.1")  # of what the ledger held over the period: rounding in the norms


def _where(rows: list[int] | None, i: int, section: str, column: str) -> str:
    """The field naming a report's line: `rows[N].column` for an upload, `norms[i].column` for JSON."""
    return f"rows[{rows[i]}].{column}" if rows is not None else f"{section}[{i}].{column}"


def _checked(
    data: FinalisationIn, items: set[Key], rows: tuple[list[int], list[int]] | None
) -> tuple[list[Norm], dict[Key, Decimal]]:
    """Every item of the report known to the ledger, each norm and stock line once; 422 naming them all."""
    errors: list[dict[str, str]] = []
    norms: dict[tuple[Key, Key], Norm] = {}
    for i, n in enumerate(data.norms):
        for key, col in (((n.product_code, n.product_unit), "product_code"),
                         ((n.material_code, n.material_unit), "material_code")):  # fmt: skip
            if key not in items:
                where = _where(rows[0] if rows else None, i, "norms", col)
                errors.append(
                    {"field": where, "message": f"{where}: unknown item {key[0]} ({key[1]}) in the ledger"}
                )
        pair = ((n.product_code, n.product_unit), (n.material_code, n.material_unit))
        if pair in norms:
            where = _where(rows[0] if rows else None, i, "norms", "material_code")
            errors.append(
                {"field": where, "message": f"{where}: a second norm for {pair[0][0]} / {pair[1][0]}"}
            )
        norms[pair] = Norm(pair[0], pair[1], n.norm, n.waste_pct)
    declared: dict[Key, Decimal] = {}
    for i, s in enumerate(data.stock):
        key = (s.material_code, s.material_unit)
        if key not in items or key in declared:
            where = _where(rows[1] if rows else None, i, "stock", "material_code")
            why = "unknown item" if key not in items else "a second stock line for"
            errors.append({"field": where, "message": f"{where}: {why} {key[0]} ({key[1]})"})
        declared[key] = s.closing_stock
    if errors:
        raise ValidationFailed(errors[0]["message"], field=errors[0]["field"], errors=errors[:100])
    return list(norms.values()), declared


def file(
    session: Session,
    *,
    principal: Principal,
    data: FinalisationIn,
    source: str = "json",
    rows: tuple[list[int], list[int]] | None = None,
) -> FinalisationRow:
    principal.require_enterprise("declarant")
    assert principal.tax_code is not None
    products = {(n.product_code, n.product_unit) for n in data.norms}
    facts = repo.unscoped_ledger_facts(
        session,
        tax_code=principal.tax_code,
        regime=data.regime,
        start=data.period_start,
        end=data.period_end,
        products=products,
    )
    if facts.unit is None:
        raise ValidationFailed(f"your ledger holds nothing under {data.regime}", field="regime")
    norms, declared = _checked(data, facts.items, rows)
    if repo.finalisations_of_period(
        session, principal.tax_code, data.regime, data.period_start, data.period_end
    ):
        raise Conflict("a finalisation of this regime and period was already filed", field="period_start")
    result = reconcile(
        norms=norms,
        declared=declared,
        ledger=facts.materials,
        products_out=facts.products_out,
        duty_per_unit=facts.duty_per_unit,
    )
    f = _row(principal, data, source, facts.unit, result)
    session.add(f)
    session.add_all(_lines(f, result))
    session.flush()
    _record(session, f, FinalisationEvent.RECONCILED, actor=principal.label, extra={})
    return f


def _row(
    principal: Principal, data: FinalisationIn, source: str, unit: str, result: list[Reconciled]
) -> FinalisationRow:
    found = [r for r in result if r.is_discrepancy(TOLERANCE_PCT)]
    return FinalisationRow(
        id=new_id(),
        tax_code=principal.tax_code,
        enterprise_id=principal.id,
        unit=unit,
        regime=data.regime,
        period_start=data.period_start,
        period_end=data.period_end,
        source=source,
        norms=[n.model_dump(mode="json") for n in data.norms],
        stock=[s.model_dump(mode="json") for s in data.stock],
        materials=len(result),
        discrepancies=len(found),
        duty_at_stake=sum((r.duty_at_stake for r in found), Decimal(0)),
        filed_by=principal.label,
        filed_at=clock.now(),
    )


def _lines(f: FinalisationRow, result: list[Reconciled]) -> list[FinalisationLineRow]:
    out = []
    for r in result:
        found = r.is_discrepancy(TOLERANCE_PCT)
        out.append(FinalisationLineRow(
            finalisation_id=f.id, tax_code=f.tax_code, unit=f.unit, material_code=r.material[0],
            material_unit=r.material[1], opening=r.ledger.opening, inflow=r.ledger.inflow,
            outflow=r.ledger.outflow, used=r.used, declared=r.declared, difference=r.difference,
            duty_per_unit=r.duty_per_unit.quantize(Decimal("0.0001")),
            duty_at_stake=r.duty_at_stake if found else Decimal(0), discrepancy=found,
            task="open" if found else "none", outcome="", note="",
        ))  # fmt: skip
    return out


def resolve(
    session: Session, *, principal: Principal, finalisation_id: str, line_id: int, outcome: str, note: str
) -> FinalisationLineRow:
    """An officer of the managing office closes a discrepancy's task: explained, or duty due."""
    principal.require_officer()
    f = repo.finalisation(session, finalisation_id, scope=principal.scope)
    line = session.get(FinalisationLineRow, line_id)
    if line is None or line.finalisation_id != f.id:
        raise NotFound(f"no line {line_id} in finalisation {finalisation_id}", field="line_id")
    if line.task != "open":
        raise Conflict(f"line {line_id} is not an open discrepancy ({line.task})", field="line_id")
    line.task, line.outcome, line.note = "resolved", outcome, note
    line.resolved_by, line.resolved_at = principal.label, clock.now()
    session.flush()
    extra = {"line_id": line.id, "material_code": line.material_code, "outcome": outcome}
    _record(session, f, FinalisationEvent.DISCREPANCY_RESOLVED, actor=principal.label, extra=extra)
    return line


def _record(
    session: Session, f: FinalisationRow, kind: FinalisationEvent, *, actor: str, extra: dict[str, Any]
) -> None:
    payload = {
        "finalisation_id": f.id, "tax_code": f.tax_code, "regime": f.regime, "unit": f.unit,
        "period_start": f.period_start.isoformat(), "period_end": f.period_end.isoformat(),
        "materials": f.materials, "discrepancies": f.discrepancies, "duty_at_stake": str(f.duty_at_stake),
        "open_duty_at_stake": str(repo.unscoped_open_duty(session, f.tax_code)),
    } | extra  # fmt: skip
    outbox.record(session, type=kind, unit=f.unit, actor=actor, payload=payload)
    audit.append(
        session,
        actor=actor,
        action=kind,
        target=f"finalisation:{f.id}",
        unit=f.unit,
        detail={k: payload[k] for k in ("tax_code", "discrepancies", "duty_at_stake")},
    )
