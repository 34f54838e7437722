"""Applications handled online on the leaders' dashboard: decided in the period and how many within the
legal deadline, and those still open now (how many already late), per kind, for the view's units."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from haiquan.applications import repository
from haiquan.applications.domain import AppScope
from haiquan.kit import clock

if TYPE_CHECKING:
    from haiquan.reports.queries import View


def applications(session: Session, v: View) -> dict[str, Any]:
    start = datetime.combine(v.start, time(0), clock.VN)
    end = datetime.combine(v.end + timedelta(days=1), time(0), clock.VN)
    rows = repository.handled(session, scope=AppScope(units=v.units), start=start, end=end, now=clock.now())
    by_kind: list[dict[str, Any]] = [
        {"kind": kind, "decided": d, "on_time": ok, "open": n, "overdue": late}
        for kind, d, ok, n, late in rows
    ]
    decided, on_time = sum(r[1] for r in rows), sum(r[2] for r in rows)
    return {
        "decided_online": decided,
        "decided_on_time": on_time,
        "pct_on_time": round(100 * on_time / decided, 1) if decided else None,
        "open_now": sum(r[3] for r in rows),
        "overdue_now": sum(r[4] for r in rows),
        "by_kind": by_kind,
    }
