"""Outbox consumer that keeps the daily rollups: declarations, revenue, supervision and enforcement events,
taken by prefix so that modules built later feed the dashboard without changes here."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from haiquan.kit import clock
from haiquan.kit.db import Base, UnitOfWork
from haiquan.kit.outbox import Consumer, Event
from haiquan.organization.service import TREES
from haiquan.reports.live import BOARD
from haiquan.reports.tables import (
    CLEARANCE_BUCKETS_MIN,
    DWELL_BUCKETS_H,
    DailyClearanceRow,
    DailyDeclarationRow,
    DailyDwellRow,
    DailyRevenueRow,
    DailySeizureRow,
    DailySupervisionRow,
    RunningBalanceRow,
    bucket_of,
    total_key,
)

D0 = Decimal(0)


def bump(session: Session, model: type[Base], key: dict[str, Any], **inc: Any) -> None:
    """Add to a rollup row, creating it at zero first."""
    table: Any = model.__table__
    pk = tuple(key[c.name] for c in table.primary_key.columns)
    row = session.get(model, pk)
    if row is None:
        zeros = {
            c.name: (D0 if c.type.python_type is Decimal else 0) for c in table.columns if c.name not in key
        }
        row = model(**key, **zeros)
        session.add(row)
    for name, value in inc.items():
        setattr(row, name, getattr(row, name) + value)


def nodes_of(session: Session, unit: str) -> list[str]:
    """The unit and every unit above it: the subtrees whose pre-summed rows an office's event moves."""
    return TREES.get(session).ancestors(unit) or [unit]


def bump_all(session: Session, model: type[Base], key: dict[str, Any], **inc: Any) -> None:
    """Add to the office's row and to the pre-summed row of every subtree that contains it."""
    bump(session, model, key, **inc)
    for node in nodes_of(session, str(key["unit"])):
        bump(session, model, key | {"unit": total_key(node)}, **inc)


def move_balance(session: Session, unit: str, **inc: Any) -> None:
    for node in nodes_of(session, unit):
        row = session.get(RunningBalanceRow, node)
        if row is None:
            row = RunningBalanceRow(node=node, in_area=0, alerts_open=0, refunds_due=D0)
            session.add(row)
        for name, value in inc.items():
            setattr(row, name, getattr(row, name) + value)


def _when(value: Any, fallback: datetime) -> datetime:
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return fallback
    return fallback


def vn_day(at: datetime) -> date:
    return clock.to_vn(at).date()


def on_declaration(session: Session, ev: Event) -> None:
    p, action = ev.payload, ev.type.split(".", 1)[1]
    unit = str(p.get("office") or ev.unit)
    if action == "lodge":
        bump_all(
            session,
            DailyDeclarationRow,
            {"unit": unit, "day": vn_day(_when(p.get("lodged_at"), ev.occurred_at))},
            lodged=1,
        )
    elif action == "register":
        day = vn_day(_when(p.get("registered_at"), ev.occurred_at))
        channel = str(p.get("channel") or "")
        inc = {"registered": 1} | ({channel: 1} if channel in ("green", "yellow", "red") else {})
        bump_all(session, DailyDeclarationRow, {"unit": unit, "day": day}, **inc)
    elif action == "clear":
        cleared = _when(p.get("cleared_at"), ev.occurred_at)
        seconds = max(0, int((cleared - _when(p.get("registered_at"), cleared)).total_seconds()))
        bump_all(
            session,
            DailyDeclarationRow,
            {"unit": unit, "day": vn_day(cleared)},
            cleared=1,
            clear_seconds=seconds,
        )
        bucket = bucket_of(seconds / 60, CLEARANCE_BUCKETS_MIN)
        bump_all(
            session, DailyClearanceRow, {"unit": unit, "day": vn_day(cleared), "bucket": bucket}, count=1
        )
    elif action == "cancel":
        bump_all(session, DailyDeclarationRow, {"unit": unit, "day": vn_day(ev.occurred_at)}, cancelled=1)


def revenue_increments(kind: str, lines: list[dict[str, str]]) -> dict[str, Decimal]:
    inc = {"assessed": D0, "collected": D0, "refunds_due": D0, "refunds_paid": D0, "written_off": D0}
    for line in lines:
        acc, dr, cr = line["account"], Decimal(line["debit"]), Decimal(line["credit"])
        if acc == "revenue":
            inc["assessed"] += cr - dr
        elif acc == "treasury" and kind in ("payment", "reversal"):
            inc["collected"] += dr - cr
        elif acc == "treasury" and kind == "refund":
            inc["refunds_paid"] += cr - dr
        elif acc == "refunds_payable":
            inc["refunds_due"] += cr - dr
        elif acc == "written_off":
            inc["written_off"] += dr - cr
    return inc


def on_revenue(session: Session, ev: Event) -> None:
    if ev.type != "revenue.posted":
        return
    p = ev.payload
    inc = revenue_increments(str(p["kind"]), list(p["lines"]))
    unit = str(p["office"])
    bump_all(session, DailyRevenueRow, {"unit": unit, "day": date.fromisoformat(str(p["day"]))}, **inc)
    if inc["refunds_due"]:
        move_balance(session, unit, refunds_due=inc["refunds_due"])


def on_supervision(session: Session, ev: Event) -> None:
    p, name = ev.payload, ev.type.split(".", 1)[1]
    unit = str(p.get("unit") or p.get("office") or ev.unit)
    key = {"unit": unit, "day": vn_day(ev.occurred_at)}
    if "gate_in" in name or "get_in" in name:
        bump_all(session, DailySupervisionRow, key, gate_in=1)
        move_balance(session, unit, in_area=1)
    elif "gate_out" in name or "get_out" in name:
        bump_all(session, DailySupervisionRow, key, gate_out=1)
        move_balance(session, unit, in_area=-1)
        hours = _dwell_hours(p, ev.occurred_at)
        if hours is not None:
            bump_all(session, DailyDwellRow, key | {"bucket": bucket_of(hours, DWELL_BUCKETS_H)}, count=1)
    elif "alert" in name and any(w in name for w in ("raised", "opened", "created")):
        bump_all(session, DailySupervisionRow, key, alerts_opened=1)
        move_balance(session, unit, alerts_open=1)
    elif "alert" in name and any(w in name for w in ("closed", "resolved", "cleared")):
        bump_all(session, DailySupervisionRow, key, alerts_closed=1)
        move_balance(session, unit, alerts_open=-1)


def _dwell_hours(p: dict[str, Any], at: datetime) -> float | None:
    if p.get("dwell_hours") is not None:
        return float(p["dwell_hours"])
    if p.get("gate_in_at"):
        return max(0.0, (_when(p.get("gate_out_at"), at) - _when(p["gate_in_at"], at)).total_seconds() / 3600)
    return None


def on_enforcement(session: Session, ev: Event) -> None:
    if ev.type != "enforcement.seizure_recorded":
        return
    p = ev.payload
    key = {
        "unit": str(p.get("unit") or ev.unit),
        "day": _seizure_day(p, ev),
        "province": str(p.get("province") or "")[:60],
        "route": str(p.get("route") or "")[:30],
        "substance": str(p.get("substance") or "")[:60],
        "unit_of_measure": str(p.get("unit_of_measure") or "")[:12],
    }
    bump_all(session, DailySeizureRow, key, cases=1, quantity=Decimal(str(p.get("quantity") or 0)))


def _seizure_day(p: dict[str, Any], ev: Event) -> date:
    """The day the goods were seized (`seized_on`, a Vietnam date), else the time the event carries."""
    try:
        return date.fromisoformat(str(p["seized_on"])[:10])
    except (KeyError, ValueError):
        return vn_day(_when(p.get("seized_at") or p.get("at"), ev.occurred_at))


ROUTES = {
    "declaration.": on_declaration,
    "revenue.": on_revenue,
    "supervision.": on_supervision,
    "enforcement.": on_enforcement,
}


def apply(uow: UnitOfWork, ev: Event) -> None:
    for prefix, fn in ROUTES.items():
        if ev.type.startswith(prefix):
            fn(uow.session, ev)
            unit = str(ev.payload.get("office") or ev.payload.get("unit") or ev.unit)
            uow.after_commit(lambda u=unit: BOARD.bump(frozenset({u})))
            return


def consumers() -> list[Consumer]:
    return [Consumer("reports.rollups", frozenset(), apply, prefixes=tuple(ROUTES))]
