"""Finalisation requests and answers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from haiquan.kit.money import Dec

Code = Annotated[str, StringConstraints(min_length=1, max_length=20, strip_whitespace=True)]
UnitOfMeasure = Annotated[str, StringConstraints(min_length=1, max_length=10, strip_whitespace=True)]
Qty = Annotated[Decimal, Field(ge=0, max_digits=22, decimal_places=6)]
FINALISED_REGIMES = ("processing", "export_production", "epe", "bonded_warehouse")


class Inbound(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NormIn(Inbound):
    product_code: Code
    product_unit: UnitOfMeasure
    material_code: Code
    material_unit: UnitOfMeasure
    norm: Qty = Field(description="Material per unit of product (định mức), never negative")
    waste_pct: Annotated[Decimal, Field(ge=0, le=100, max_digits=7, decimal_places=4)] = Decimal(0)


class StockIn(Inbound):
    material_code: Code
    material_unit: UnitOfMeasure
    closing_stock: Qty = Field(description="What the enterprise holds at the period's end")


class FinalisationIn(Inbound):
    regime: Literal["processing", "export_production", "epe", "bonded_warehouse"]
    period_start: date
    period_end: date
    norms: list[NormIn] = Field(default_factory=list, max_length=20_000)
    stock: list[StockIn] = Field(default_factory=list, max_length=20_000)

    @model_validator(mode="after")
    def _period(self) -> FinalisationIn:
        if self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        return self


class FinalisationLineOut(BaseModel):
    id: int
    material_code: str
    material_unit: str
    opening: Dec
    inflow: Dec
    outflow: Dec
    used: Dec
    declared: Dec
    difference: Dec
    duty_per_unit: Dec
    duty_at_stake: Dec
    discrepancy: bool
    task: str
    outcome: str
    resolved_by: str | None
    resolved_at: datetime | None
    note: str


class FinalisationOut(BaseModel):
    id: str
    tax_code: str
    unit: str
    regime: str
    period_start: date
    period_end: date
    source: str
    materials: int
    discrepancies: int
    duty_at_stake: Dec
    filed_by: str
    filed_at: datetime
    lines: list[FinalisationLineOut]


class ResolveIn(Inbound):
    outcome: Literal["explained", "duty_due"]
    note: str = Field(min_length=3, max_length=2000)
