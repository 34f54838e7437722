"""What a declaration under a special regime must pass when it is lodged (declarations.service.lodge calls
`check_lodging`), and what it owes at registration (`due_at_registration`). Refusals name the field: a
required field the regime needs, an outflow larger than the stock left after the outflows already lodged
(`lines[i].quantity`), an export-processing enterprise declaring outside its regime (`procedure_code`)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy.orm import Session

from haiquan.kit.errors import ValidationFailed
from haiquan.regimes import epes, repository
from haiquan.regimes.domain import ZERO, Item, LineFacts, StockKey, draw
from haiquan.regimes.rules import Regime, RegimeRule, rule_for, rules

# the regimes an active export-processing enterprise declares under: its own, and temporary movements
EPE_REGIMES = frozenset({Regime.EPE, Regime.TEMPORARY, Regime.TEMPORARY_EXPORT})


class Header(Protocol):
    number: str
    kind: str
    procedure_code: str
    office: str
    declarant_tax_code: str
    importer_tax_code: str | None
    exporter_tax_code: str | None


class LineLike(Protocol):
    hs_code: str
    quantity: Decimal
    quantity_unit: str


def owner_tax_code(row: Header) -> str:
    party = row.importer_tax_code if row.kind == "import" else row.exporter_tax_code
    return party or row.declarant_tax_code


def check_lodging(session: Session, *, row: Header, data: Any, lines: Sequence[LineLike]) -> None:
    """Refuse (422, naming the field) what the declaration's regime forbids; nothing for other codes."""
    owner = owner_tax_code(row)
    rule = rule_for(row.procedure_code)
    if epes.is_active(session, owner) and (rule is None or rule.regime not in EPE_REGIMES):
        raise ValidationFailed(
            f"{owner} is an export-processing enterprise: its goods cross the boundary under its own type "
            "codes (E11, E13, E15 in; E42 out) or a temporary import or export",
            field="procedure_code", code="epe_boundary",
        )  # fmt: skip
    if rule is None:
        return
    for name in rule.required:
        if not getattr(data, name, None):
            raise ValidationFailed(
                f"{name} is required under {rule.code} ({rule.name_en})",
                field=name,
                code="regime_field_required",
            )
    if rule.outflow:
        _check_stock(session, rule, row, owner, lines)


def facts_of(lines: Sequence[LineLike]) -> list[LineFacts]:
    return [
        LineFacts(n, Item(ln.hs_code, ln.quantity_unit), ln.quantity) for n, ln in enumerate(lines, start=1)
    ]


def _check_stock(
    session: Session, rule: RegimeRule, row: Header, owner: str, lines: Sequence[LineLike]
) -> None:
    facts = facts_of(lines)
    items = {f.item.code for f in facts}
    available = available_stock(session, owner, items, exclude=row.number)
    _, short = draw(rule, facts, available)
    if short:
        s = short[0]
        raise ValidationFailed(
            f"{s.message()} after the outflows already lodged: more than was brought in under the regime",
            field=s.field, code="exceeds_regime_stock",
        )  # fmt: skip


def available_stock(
    session: Session, owner: str, items: set[str], *, exclude: str | None
) -> dict[StockKey, Decimal]:
    """Each stock less what declarations lodged or registered but not yet cleared will take from it."""
    held = repository.unscoped_stock(session, owner, items)
    outflow_codes = [c for c, r in rules().items() if r.outflow]
    pending = repository.unscoped_pending_outflows(session, owner, outflow_codes, items, exclude=exclude)
    left = dict(held)
    for (code, item), q in pending.items():
        for regime in rules()[code].sources():
            key = (str(regime), item)
            take = min(left.get(key, ZERO), q)
            left[key] = left.get(key, ZERO) - take
            q -= take
            if q <= 0:
                break
    return left


def due_at_registration(procedure_code: str, total_duties: Decimal) -> Decimal:
    """What a declaration owes when registered: nothing under a regime whose duty is suspended or exempt at
    entry (it falls due later: a deadline passed, a sale into the domestic market), else its duties."""
    rule = rule_for(procedure_code)
    if rule is not None and rule.duty_at_entry in ("suspended", "exempt"):
        return ZERO
    return total_duties
