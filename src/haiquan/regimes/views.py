"""Rows of the special regimes' tables as the API's response models."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from haiquan.regimes.repository import Balance, PeriodLine
from haiquan.regimes.rules import RegimeRule
from haiquan.regimes.schemas import BalanceOut, PeriodLineOut, RegimeRuleOut

M = TypeVar("M", bound=BaseModel)


def copy(model: type[M], row: Any) -> M:
    """The model's fields read from the row's attributes of the same names."""
    return model(**{k: getattr(row, k) for k in model.model_fields})


def rule_out(r: RegimeRule) -> RegimeRuleOut:
    return RegimeRuleOut(
        code=r.code, kind=r.kind, regime=r.regime.value if r.regime else None, movement=r.movement.value,
        from_regime=r.from_regime.value if r.from_regime else None, deadline_kind=r.deadline_kind,
        deadline_days=r.deadline_days, warn_days=r.warn_days, duty_at_entry=r.duty_at_entry,
        duty_when=r.duty_when, required=list(r.required), name_vi=r.name_vi, name_en=r.name_en,
        legal_source=r.legal_source,
    )  # fmt: skip


def balance_out(b: Balance) -> BalanceOut:
    return BalanceOut(tax_code=b.tax_code, regime=b.regime, item_code=b.item.code, item_unit=b.item.unit,
                      quantity_in=b.quantity_in, quantity_out=b.quantity_out, held=b.held)  # fmt: skip


def period_out(p: PeriodLine) -> PeriodLineOut:
    return PeriodLineOut(regime=p.regime, item_code=p.item.code, item_unit=p.item.unit, opening=p.opening,
                         by_kind=p.by_kind, closing=p.closing)  # fmt: skip
