"""Supervision events as supervision records them (its catalogue's types and payloads), for the reports
tests that feed the rollups directly; the dashboard test drives the real producer instead."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from haiquan.supervision.catalogue import (
    AlertChanged,
    AlertRaised,
    AlertsRaised,
    GateIn,
    GateOut,
    MovementsApplied,
    SupervisionEvent,
)

LOCATION = "01B1S01"


def gate_in(unit: str, at: datetime) -> GateIn:
    return {"unit": unit, "location": LOCATION, "at": at.isoformat()}


def gate_out(unit: str, at: datetime, dwell: timedelta) -> GateOut:
    return {
        "unit": unit,
        "location": LOCATION,
        "at": at.isoformat(),
        "dwell_seconds": int(dwell.total_seconds()),
    }


def movements(ins: list[GateIn], outs: list[GateOut]) -> tuple[SupervisionEvent, dict[str, Any]]:
    n = len(ins) + len(outs)
    payload: MovementsApplied = {
        "operator": "0200519875",
        "operator_id": "op1",
        "counts": {"applied": n, "refused": 0, "duplicate": 0, "error": 0},
        "exits": [],
        "goods": [],
        "gate_ins": ins,
        "gate_outs": outs,
    }
    return SupervisionEvent.MOVEMENTS_APPLIED, dict(payload)


def alert(alert_id: int, unit: str, at: datetime) -> AlertRaised:
    return {
        "alert_id": alert_id,
        "kind": "refused_exit",
        "unit": unit,
        "location": LOCATION,
        "goods_id": "HPH0426001",
        "raised_at": at.isoformat(),
    }


def raised(*alerts: AlertRaised) -> tuple[SupervisionEvent, dict[str, Any]]:
    payload: AlertsRaised = {"source": "movements", "alerts": list(alerts)}
    return SupervisionEvent.ALERTS_RAISED, dict(payload)


def closed(alert_id: int, raised_at: datetime) -> tuple[SupervisionEvent, dict[str, Any]]:
    payload: AlertChanged = {
        "alert_id": alert_id,
        "kind": "refused_exit",
        "goods_id": "HPH0426001",
        "location": LOCATION,
        "raised_at": raised_at.isoformat(),
        "note": "checked",
    }
    return SupervisionEvent.ALERT_CLOSED, dict(payload)
