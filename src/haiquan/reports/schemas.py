"""Response models of the reports API. Each figure is a free-form object of series (docs/reports.md):
their shapes follow the read models and are documented there, not frozen here."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict


class Crumb(BaseModel):
    unit: str
    name_vi: str
    name_en: str


class ViewOut(BaseModel):
    """The node of the unit tree and the period a report covers, with the path from the root."""

    unit: str
    name_vi: str
    name_en: str
    date_from: date
    date_to: date
    path: list[Crumb]


Figure = dict[str, Any]


class OverviewOut(BaseModel):
    """Every dashboard figure for one node of the tree."""

    model_config = ConfigDict(extra="forbid")
    view: ViewOut
    revenue: Figure
    channels: Figure
    units: Figure
    clearance: Figure
    dwell: Figure
    alerts: Figure
    seizures: Figure
    permits: Figure
    preferences: Figure
    outlook: Figure


class FigureOut(BaseModel):
    """The view, and one figure under its own name (`revenue`, `channels`, ...)."""

    model_config = ConfigDict(extra="allow")
    view: ViewOut
