"""Outbox consumer that keeps the daily rollups: declarations, revenue, supervision and enforcement events,
each type named by its domain's catalogue (a type the rollups should count is added to ROUTES)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import CursorResult, Table, delete, text
from sqlalchemy.orm import Session

from haiquan.agencies.catalogue import AgencyEvent
from haiquan.declarations.catalogue import DeclarationEvent
from haiquan.enforcement.catalogue import EnforcementEvent
from haiquan.kit.clock import vn_day
from haiquan.kit.db import Base, UnitOfWork, add_up, insert_for, pg_array
from haiquan.kit.outbox import Consumer, Event
from haiquan.organization.service import TREES
from haiquan.origin.catalogue import OriginEvent
from haiquan.payments.catalogue import PaymentEvent
from haiquan.reports.live import BOARD
from haiquan.reports.preferences import on_deferred, on_matched, on_refused
from haiquan.reports.tables import (
    CLEARANCE_BUCKETS_MIN,
    DWELL_BUCKETS_H,
    DailyClearanceRow,
    DailyDeclarationRow,
    DailyDwellRow,
    DailyPermitOutcomeRow,
    DailyPermitRequestRow,
    DailyRevenueRow,
    DailySeizureRow,
    DailySupervisionRow,
    OpenAlertRow,
    RunningBalanceRow,
    bucket_of,
    total_key,
)
from haiquan.supervision.catalogue import SupervisionEvent

D0 = Decimal(0)


class Tally:
    """Increments of rollup rows and running balances, summed in memory over a chunk of events and written
    at the end with one upsert per table (`INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n`): a
    chunk of 200 declaration events touches a handful of (unit, day) rows, each once."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.rows: dict[type[Base], dict[tuple[Any, ...], dict[str, Any]]] = defaultdict(dict)
        self.balances: dict[str, dict[str, Any]] = {}
        self.units: set[str] = set()

    def bump(self, model: type[Base], key: dict[str, Any], **inc: Any) -> None:
        """Add to a rollup row (created at zero)."""
        table: Any = model.__table__
        pk = tuple(key[c.name] for c in table.primary_key.columns)
        row = self.rows[model].get(pk)
        if row is None:
            row = self.rows[model][pk] = dict(key) | _zeros(table)
        for name, value in inc.items():
            row[name] += value

    def bump_all(self, model: type[Base], key: dict[str, Any], **inc: Any) -> None:
        """Add to the office's row and to the pre-summed row of every subtree that contains it."""
        self.bump(model, key, **inc)
        for node in nodes_of(self.session, str(key["unit"])):
            self.bump(model, key | {"unit": total_key(node)}, **inc)

    def move_balance(self, unit: str, **inc: Any) -> None:
        for node in nodes_of(self.session, unit):
            row = self.balances.setdefault(
                node, {"node": node, "in_area": 0, "alerts_open": 0, "refunds_due": D0}
            )
            for name, value in inc.items():
                row[name] += value

    def write(self) -> None:
        # rows in key order: two writers upserting overlapping rows lock them in the same order
        for model, rows in self.rows.items():
            add_up(self.session, cast(Table, model.__table__), [rows[k] for k in sorted(rows, key=repr)])
        balances = [self.balances[k] for k in sorted(self.balances)]
        add_up(self.session, cast(Table, RunningBalanceRow.__table__), balances)


_ZEROS: dict[str, dict[str, Any]] = {}


def _zeros(table: Table) -> dict[str, Any]:
    found = _ZEROS.get(table.name)
    if found is None:
        keys = {c.name for c in table.primary_key.columns}
        found = _ZEROS[table.name] = {
            c.name: (D0 if c.type.python_type is Decimal else 0) for c in table.columns if c.name not in keys
        }
    return found


def nodes_of(session: Session, unit: str) -> list[str]:
    """The unit and every unit above it: the subtrees whose pre-summed rows an office's event moves."""
    return TREES.get(session).ancestors(unit) or [unit]


def _when(value: Any, fallback: datetime) -> datetime:
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return fallback
    return fallback


def _office(ev: Event) -> str:
    return str(ev.payload.get("office") or ev.unit)


def on_lodged(t: Tally, ev: Event) -> None:
    day = vn_day(_when(ev.payload.get("lodged_at"), ev.occurred_at))
    t.bump_all(DailyDeclarationRow, {"unit": _office(ev), "day": day}, lodged=1)


def on_registered(t: Tally, ev: Event) -> None:
    p = ev.payload
    day = vn_day(_when(p.get("registered_at"), ev.occurred_at))
    channel = str(p.get("channel") or "")
    inc = {"registered": 1} | ({channel: 1} if channel in ("green", "blue", "yellow", "red") else {})
    t.bump_all(DailyDeclarationRow, {"unit": _office(ev), "day": day}, **inc)


def on_cleared(t: Tally, ev: Event) -> None:
    p, unit = ev.payload, _office(ev)
    cleared = _when(p.get("cleared_at"), ev.occurred_at)
    seconds = max(0, int((cleared - _when(p.get("registered_at"), cleared)).total_seconds()))
    day = vn_day(cleared)
    t.bump_all(DailyDeclarationRow, {"unit": unit, "day": day}, cleared=1, clear_seconds=seconds)
    bucket = bucket_of(seconds / 60, CLEARANCE_BUCKETS_MIN)
    t.bump_all(DailyClearanceRow, {"unit": unit, "day": day, "bucket": bucket}, count=1)


def on_cancelled(t: Tally, ev: Event) -> None:
    t.bump_all(DailyDeclarationRow, {"unit": _office(ev), "day": vn_day(ev.occurred_at)}, cancelled=1)


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


def on_revenue(t: Tally, ev: Event) -> None:
    p = ev.payload
    inc = revenue_increments(str(p["kind"]), list(p["lines"]))
    unit = str(p["office"])
    t.bump_all(DailyRevenueRow, {"unit": unit, "day": date.fromisoformat(str(p["day"]))}, **inc)
    if inc["refunds_due"]:
        t.move_balance(unit, refunds_due=inc["refunds_due"])


def on_supervision(t: Tally, ev: Event) -> None:
    """Gate-ins, gate-outs with their dwell, alerts raised and closed: by the supervision catalogue's exact
    types (the registry's, transits' and acknowledgements' events move no figure)."""
    fn = SUPERVISION.get(ev.type)
    if fn is not None:
        fn(t, ev)


def _gates(t: Tally, ev: Event) -> None:
    """A batch of terminal messages: each arrival and each exit, on the Vietnam day it happened (summed per
    unit and day first: a batch of a thousand containers moves a handful of rows)."""
    p = ev.payload
    days: dict[str, date] = {}  # a batch's messages share a few instants
    ins = Counter((str(g["unit"]), _day(days, g["at"], ev)) for g in p.get("gate_ins", ()))
    outs = Counter(
        (str(g["unit"]), _day(days, g["at"], ev), bucket_of(_dwell_hours(g), DWELL_BUCKETS_H))
        for g in p.get("gate_outs", ())
    )
    for (unit, day), n in ins.items():
        t.bump_all(DailySupervisionRow, {"unit": unit, "day": day}, gate_in=n)
        t.move_balance(unit, in_area=n)
        t.units.add(unit)
    for (unit, day, bucket), n in outs.items():
        t.bump_all(DailySupervisionRow, {"unit": unit, "day": day}, gate_out=n)
        t.bump_all(DailyDwellRow, {"unit": unit, "day": day, "bucket": bucket}, count=n)
        t.move_balance(unit, in_area=-n)
        t.units.add(unit)


def _day(days: dict[str, date], at: str, ev: Event) -> date:
    found = days.get(at)
    if found is None:
        found = days[at] = vn_day(_when(at, ev.occurred_at))
    return found


def _dwell_hours(gate_out: dict[str, Any]) -> float:
    return max(0, int(gate_out["dwell_seconds"])) / 3600


def _alerts_raised(t: Tally, ev: Event) -> None:
    raised = list(ev.payload.get("alerts", ()))
    counted = _open_alerts(t.session, [(str(a["unit"]), int(a["alert_id"])) for a in raised])
    days: dict[str, date] = {}
    opened = Counter(
        (str(a["unit"]), _day(days, a["raised_at"], ev))
        for a in raised
        if (str(a["unit"]), int(a["alert_id"])) in counted
    )
    for (unit, day), n in opened.items():
        t.bump_all(DailySupervisionRow, {"unit": unit, "day": day}, alerts_opened=n)
        t.move_balance(unit, alerts_open=n)
        t.units.add(unit)


def _alert_closed(t: Tally, ev: Event) -> None:
    """Counted only for an alert whose raising was counted: closing one raised before the reports existed
    leaves the open alerts as they are, never below zero."""
    if _close_alert(t.session, ev.unit, int(ev.payload["alert_id"])):
        t.bump_all(DailySupervisionRow, {"unit": ev.unit, "day": vn_day(ev.occurred_at)}, alerts_closed=1)
        t.move_balance(ev.unit, alerts_open=-1)


OPEN_ALERTS = cast(Table, OpenAlertRow.__table__)


def _open_alerts(session: Session, keys: list[tuple[str, int]]) -> set[tuple[str, int]]:
    """Note the alerts open; returns those newly noted (an alert already noted is not counted twice)."""
    if not keys:
        return set()
    if session.get_bind().dialect.name == "postgresql":  # one statement, two array parameters
        units, ids = pg_array(u for u, _ in keys), pg_array(i for _, i in keys)
        rows = session.execute(_NOTE_OPEN_PG, {"units": units, "ids": ids}).all()
    else:
        new = insert_for(session, OPEN_ALERTS).on_conflict_do_nothing()
        stmt = new.returning(OPEN_ALERTS.c.unit, OPEN_ALERTS.c.alert_id)
        rows = session.execute(stmt, [{"unit": u, "alert_id": i} for u, i in keys]).all()
    return {(str(u), int(i)) for u, i in rows}


_NOTE_OPEN_PG = text(
    "INSERT INTO reports_open_alerts (unit, alert_id) "
    "SELECT * FROM unnest(CAST(:units AS varchar[]), CAST(:ids AS bigint[])) "
    "ON CONFLICT DO NOTHING RETURNING unit, alert_id"
)


def _close_alert(session: Session, unit: str, alert_id: int) -> bool:
    gone = session.execute(
        delete(OpenAlertRow).where(OpenAlertRow.unit == unit, OpenAlertRow.alert_id == alert_id)
    )
    return bool(cast(CursorResult[Any], gone).rowcount)


SUPERVISION: dict[str, Callable[[Tally, Event], None]] = {
    SupervisionEvent.MOVEMENTS_APPLIED: _gates,
    SupervisionEvent.ALERTS_RAISED: _alerts_raised,
    SupervisionEvent.ALERT_CLOSED: _alert_closed,
}


def on_seizure(t: Tally, ev: Event) -> None:
    p = ev.payload
    key = {
        "unit": str(p.get("unit") or ev.unit),
        "day": _seizure_day(p, ev),
        "province": str(p.get("province") or "")[:60],
        "route": str(p.get("route") or "")[:30],
        "substance": str(p.get("substance") or "")[:60],
        "unit_of_measure": str(p.get("unit_of_measure") or "")[:12],
    }
    t.bump_all(DailySeizureRow, key, cases=1, quantity=Decimal(str(p.get("quantity") or 0)))


def _seizure_day(p: dict[str, Any], ev: Event) -> date:
    """The day the goods were seized (`seized_on`, a Vietnam date), else the time the event carries."""
    try:
        return date.fromisoformat(str(p["seized_on"])[:10])
    except (KeyError, ValueError):
        return vn_day(_when(p.get("seized_at") or p.get("at"), ev.occurred_at))


def on_permit_requested(t: Tally, ev: Event) -> None:
    p = ev.payload
    day = vn_day(_when(p.get("requested_at"), ev.occurred_at))
    t.bump_all(
        DailyPermitRequestRow, {"unit": _office(ev), "day": day, "agency": str(p["agency"])}, requested=1
    )


def on_permit_decided(t: Tally, ev: Event) -> None:
    p, unit, agency = ev.payload, _office(ev), str(ev.payload["agency"])
    requested = vn_day(_when(p.get("requested_at"), ev.occurred_at))
    t.bump_all(DailyPermitRequestRow, {"unit": unit, "day": requested, "agency": agency}, closed=1)
    outcome = str(p.get("outcome") or "")
    inc = {"minutes": round(float(p.get("hours_taken") or 0) * 60)}
    inc |= {outcome: 1} if outcome in ("approved", "conditional", "refused") else {}
    t.bump_all(DailyPermitOutcomeRow, {"unit": unit, "day": vn_day(ev.occurred_at), "agency": agency}, **inc)


def on_permit_overdue(t: Tally, ev: Event) -> None:
    key = {"unit": _office(ev), "day": vn_day(ev.occurred_at), "agency": str(ev.payload["agency"])}
    t.bump_all(DailyPermitOutcomeRow, key, overdue=1)


Route = Callable[[Tally, Event], None]

# Each event type the rollups count, and how (catalogue members: exact names, nothing taken by prefix)
ROUTES: dict[str, Route] = {
    DeclarationEvent.LODGED: on_lodged,
    DeclarationEvent.REGISTERED: on_registered,
    DeclarationEvent.CLEARED: on_cleared,
    DeclarationEvent.CANCELLED: on_cancelled,
    PaymentEvent.REVENUE_POSTED: on_revenue,
    EnforcementEvent.SEIZURE_RECORDED: on_seizure,
    AgencyEvent.PERMIT_REQUESTED: on_permit_requested,
    AgencyEvent.PERMIT_DECIDED: on_permit_decided,
    AgencyEvent.PERMIT_OVERDUE: on_permit_overdue,
    OriginEvent.CERTIFICATE_MATCHED: on_matched,
    OriginEvent.PREFERENCE_REFUSED: on_refused,
    OriginEvent.PREFERENCE_DEFERRED: on_deferred,
    **dict.fromkeys(SUPERVISION, on_supervision),
}


def _route(ev: Event) -> Route | None:
    return ROUTES.get(ev.type)


def apply_many(uow: UnitOfWork, events: list[Event]) -> None:
    """A chunk of events: summed in memory, written once; the dashboards' live boards told after commit."""
    tally = Tally(uow.session)
    for ev in events:
        fn = _route(ev)
        if fn is not None:
            fn(tally, ev)
            tally.units.add(str(ev.payload.get("office") or ev.payload.get("unit") or ev.unit))
    tally.write()
    if tally.units:
        uow.after_commit(lambda units=frozenset(tally.units): BOARD.bump(units))


def apply(uow: UnitOfWork, ev: Event) -> None:
    apply_many(uow, [ev])


def consumers() -> list[Consumer]:
    return [Consumer("reports.rollups", frozenset(ROUTES), apply, many=apply_many)]
