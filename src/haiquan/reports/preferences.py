"""ATIGA preference claims on the leaders' dashboard (origin's events): per office and period, the claims
accepted, refused by reason with the import duty the preference would have spared (VND), and those pending
now (deferred until their certificate arrives). The handlers are routed by reports.handlers' ROUTES."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from haiquan.kit.clock import vn_day
from haiquan.kit.money import vnd
from haiquan.kit.outbox import Event
from haiquan.kit.sql import insert_for
from haiquan.reports.tables import DailyPreferenceRow, OpenPreferenceRow

if TYPE_CHECKING:
    from haiquan.reports.handlers import Tally
    from haiquan.reports.queries import View

HISTORY_START = date(1900, 1, 1)
D0 = Decimal(0)


def _key(ev: Event, day: date, reason: str = "") -> dict[str, Any]:
    return {"unit": str(ev.payload.get("office") or ev.unit), "day": day, "reason": reason}


def _resolve(t: Tally, ev: Event) -> None:
    """A verdict on a claim counted pending: closed on the day it was deferred (once)."""
    o = OpenPreferenceRow
    number, line_no = str(ev.payload["declaration_number"]), int(ev.payload["line_no"])
    gone = t.session.execute(
        delete(o).where(o.declaration_number == number, o.line_no == line_no).returning(o.unit, o.day)
    ).first()
    if gone is not None:
        t.bump_all(DailyPreferenceRow, {"unit": gone[0], "day": gone[1], "reason": ""}, resolved=1)


def on_matched(t: Tally, ev: Event) -> None:
    _resolve(t, ev)
    t.bump_all(DailyPreferenceRow, _key(ev, vn_day(ev.occurred_at)), accepted=1)


def on_refused(t: Tally, ev: Event) -> None:
    _resolve(t, ev)
    p = ev.payload
    stake = Decimal(str(p.get("duty_at_stake") or 0))
    key = _key(ev, vn_day(ev.occurred_at), str(p.get("reason") or "")[:40])
    t.bump_all(DailyPreferenceRow, key, refused=1, duty_at_stake=stake)


def on_deferred(t: Tally, ev: Event) -> None:
    """Counted pending once: deferred again (an amendment judges the claims again) moves nothing."""
    p, day = ev.payload, vn_day(ev.occurred_at)
    key = _key(ev, day)
    row = {"declaration_number": str(p["declaration_number"]), "line_no": int(p["line_no"]),
           "unit": key["unit"], "day": day}  # fmt: skip
    new = insert_for(t.session, OpenPreferenceRow.__table__).on_conflict_do_nothing()  # type: ignore[arg-type]
    added = t.session.execute(new.values(**row).returning(OpenPreferenceRow.line_no)).first()
    if added:
        t.bump_all(DailyPreferenceRow, key, deferred=1)


def preferences(session: Session, v: View) -> dict[str, Any]:
    t = DailyPreferenceRow
    rows = session.execute(
        select(t.reason, func.sum(t.accepted), func.sum(t.refused), func.sum(t.duty_at_stake))
        .where(*v.where(t.unit, t.day))
        .group_by(t.reason)
    ).all()
    accepted, stakes, by_reason = 0, D0, list[dict[str, Any]]()
    for reason, acc, ref, stake in sorted(rows, key=lambda r: str(r[0])):
        accepted += int(acc or 0)
        if ref:
            stakes += vnd(stake or 0)
            by_reason.append({"reason": str(reason), "refused": int(ref), "duty_at_stake": vnd(stake or 0)})
    pending = session.execute(
        select(func.sum(t.deferred - t.resolved)).where(*v.period(HISTORY_START, v.end).where(t.unit, t.day))
    ).scalar()
    return {
        "accepted": accepted,
        "refused": sum(r["refused"] for r in by_reason),
        "pending": int(pending or 0),
        "duty_at_stake": stakes,
        "refused_by_reason": by_reason,
    }
