"""Risk queries for routes, scoped by the caller's units."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session

from haiquan.kit.auth import Scope
from haiquan.kit.errors import NotFound
from haiquan.risk.tables import LaneRateRow, ProfileRow, RiskDecisionRow
from haiquan.risk.watchlist_tables import WatchListEntry


def decision(session: Session, number: str, *, scope: Scope) -> RiskDecisionRow:
    """The engine's decision on a declaration of the caller's units (customs only)."""
    rec = session.get(RiskDecisionRow, number)
    if rec is None or scope.enterprise_id is not None or not scope.covers_unit(rec.office):
        raise NotFound(f"no risk decision for {number} in your units", field="number")
    return rec


# --- reference data flowing down (risk/reference_data.py): node-wide tables, no unit scope ---------------

REFERENCE_BATCH = 2_000  # rows per INSERT executemany


def unscoped_replace_profiles(
    session: Session, profiles: list[dict[str, Any]], lanes: list[dict[str, Any]]
) -> None:
    """Every profile and lane rate replaced (one DELETE each, INSERTs of REFERENCE_BATCH rows)."""
    for model, rows in ((ProfileRow, profiles), (LaneRateRow, lanes)):
        session.execute(delete(model))
        for i in range(0, len(rows), REFERENCE_BATCH):
            session.execute(insert(cast(Table, model.__table__)), rows[i : i + REFERENCE_BATCH])


def unscoped_replace_watch_list(session: Session, entries: list[dict[str, Any]], *, marker: str) -> None:
    """The entries that came down before (added_by starting with `marker`) replaced by `entries`, less
    those this node holds as its own (the top applies what it published: they are its own entries)."""
    session.execute(delete(WatchListEntry).where(WatchListEntry.added_by.startswith(marker)))
    ids = [e["id"] for e in entries]
    own = (
        set(session.scalars(select(WatchListEntry.id).where(WatchListEntry.id.in_(ids))).all())
        if ids
        else set()
    )
    entries = [e for e in entries if e["id"] not in own]  # the publishing node's own entries, applied there
    for i in range(0, len(entries), REFERENCE_BATCH):
        session.execute(insert(cast(Table, WatchListEntry.__table__)), entries[i : i + REFERENCE_BATCH])


def unscoped_reference_tables(session: Session) -> tuple[list[Any], list[Any], list[Any]]:
    """Profiles, lane rates and the active watch list entries of this node, as the top publishes them."""
    from haiquan.risk.tables import LaneRateRow, ProfileRow

    profiles = list(session.scalars(select(ProfileRow).order_by(ProfileRow.id)).all())
    lanes = list(session.scalars(select(LaneRateRow).order_by(LaneRateRow.office)).all())
    watch = list(
        session.scalars(
            select(WatchListEntry).where(WatchListEntry.active.is_(True)).order_by(WatchListEntry.id)
        ).all()
    )
    return profiles, lanes, watch
