"""Other agencies' permits on the leaders' dashboard: the requests still pending now, by agency and age
(days since the request, at the period's end), and the decisions taken in the period, by agency."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from haiquan.reports.tables import DailyPermitOutcomeRow, DailyPermitRequestRow

if TYPE_CHECKING:
    from haiquan.reports.queries import View

AGES = ((0, "0-1"), (2, "2-3"), (4, "4-7"), (8, "8+"))  # days since the request
HISTORY_START = date(1900, 1, 1)


def age_bucket(days: int) -> str:
    label = AGES[0][1]
    for low, name in AGES:
        if days >= low:
            label = name
    return label


def pending(session: Session, v: View) -> list[dict[str, Any]]:
    t = DailyPermitRequestRow
    rows = session.execute(
        select(t.agency, t.day, func.sum(t.requested - t.closed))
        .where(*v.period(HISTORY_START, v.end).where(t.unit, t.day))
        .group_by(t.agency, t.day)
    ).all()
    out: dict[str, dict[str, Any]] = {}
    for agency, day, n in rows:
        if not n:
            continue
        entry = out.setdefault(agency, {"agency": agency, "total": 0} | {name: 0 for _, name in AGES})
        entry[age_bucket((v.end - day).days)] += int(n)
        entry["total"] += int(n)
    return [out[k] for k in sorted(out)]


def outcomes(session: Session, v: View) -> list[dict[str, Any]]:
    t = DailyPermitOutcomeRow
    cols = (t.approved, t.conditional, t.refused, t.overdue, t.minutes)
    rows = session.execute(
        select(t.agency, *[func.sum(c) for c in cols]).where(*v.where(t.unit, t.day)).group_by(t.agency)
    ).all()
    out = []
    for row in sorted(rows, key=lambda r: str(r[0])):
        approved, conditional, refused, overdue, minutes = (int(x or 0) for x in row[1:])
        decided = approved + conditional + refused
        out.append({
            "agency": str(row[0]), "approved": approved, "conditional": conditional, "refused": refused,
            "overdue": overdue, "hours_mean": round(minutes / decided / 60, 1) if decided else None,
        })  # fmt: skip
    return out


def permits(session: Session, v: View) -> dict[str, Any]:
    return {"pending": pending(session, v), "outcomes": outcomes(session, v)}
