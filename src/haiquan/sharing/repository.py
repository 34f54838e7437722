"""Queries of federation, scoped by the caller's units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from haiquan.kit import clock
from haiquan.kit.auth import Scope
from haiquan.kit.sql import insert_for
from haiquan.kit.tables import OutboxEvent
from haiquan.sharing.tables import FederatedNode, LinkHolder, UnitEventTotal, WorkItem


@dataclass(frozen=True)
class ChildStatus:
    node: str
    received: int
    last_received_at: datetime | None
    last_occurred_at: datetime | None
    last_lag_s: float | None  # delay of the last event applied: received - occurred
    silent_s: float | None  # seconds since anything arrived from this node
    pending: int | None = None  # in the child's stream, not yet sourced up (from JetStream, when reachable)


def child_status(session: Session, *, nodes: list[str], scope: Scope) -> list[ChildStatus]:
    now = clock.now()
    wanted = [n for n in nodes if scope.covers_unit(n)]
    rows = {r.node: r for r in session.scalars(select(FederatedNode).where(FederatedNode.node.in_(wanted)))}
    out = []
    for node in wanted:
        row = rows.get(node)
        if row is None:  # nothing has come through it yet
            out.append(ChildStatus(node, 0, None, None, None, None))
            continue
        recv = row.last_received_at
        out.append(
            ChildStatus(
                node=node,
                received=row.received,
                last_received_at=recv,
                last_occurred_at=row.newest_occurred_at,
                last_lag_s=row.last_lag_s,
                silent_s=(now - recv).total_seconds(),
            )
        )
    return out


def unscoped_relay_pending(session: Session) -> int:
    """This node's events the relay has not yet handed to the bus: a count of the node's own backlog,
    naming no record, so the same for every caller."""
    n = session.scalar(
        select(func.count())
        .select_from(OutboxEvent)
        .where(OutboxEvent.published_at.is_(None), OutboxEvent.origin.is_(None))
    )
    return int(n or 0)


@dataclass(frozen=True)
class Total:
    unit: str
    type: str
    dim: str
    count: int
    amount: Decimal


def totals(
    session: Session, *, scope: Scope, since: date | None = None, until: date | None = None
) -> list[Total]:
    """The per-unit summary (own units and every child node's subtree) within the caller's scope."""
    q = select(
        UnitEventTotal.unit,
        UnitEventTotal.type,
        UnitEventTotal.dim,
        func.sum(UnitEventTotal.count),
        func.sum(UnitEventTotal.amount),
    ).group_by(UnitEventTotal.unit, UnitEventTotal.type, UnitEventTotal.dim)
    if scope.units is not None:
        q = q.where(UnitEventTotal.unit.in_(sorted(scope.units)))
    if since is not None:
        q = q.where(UnitEventTotal.day >= since)
    if until is not None:
        q = q.where(UnitEventTotal.day <= until)
    rows = session.execute(q.order_by(UnitEventTotal.unit, UnitEventTotal.type, UnitEventTotal.dim)).all()
    return [Total(u, t, d, int(c or 0), Decimal(str(a or 0))) for u, t, d, c, a in rows]


# --- work of other nodes' records (sharing/work, decision 0039) ---------------------------------------


def work_items(
    session: Session, *, kind: str, scope: Scope, status: str | None = None, limit: int = 100
) -> list[WorkItem]:
    """The work items of a kind for the caller's units, newest first (none for an enterprise: they are
    its officers' work; the trader follows its record at its origin node)."""
    if scope.enterprise_id is not None:
        return []
    q = select(WorkItem).where(WorkItem.kind == kind)
    if scope.units is not None:
        q = q.where(WorkItem.unit.in_(scope.units))
    if status:
        q = q.where(WorkItem.status == status)
    q = q.order_by(WorkItem.created_at.desc(), WorkItem.record_id).limit(limit)
    return list(session.scalars(q))


def work_item(session: Session, *, kind: str, record_id: str, scope: Scope) -> WorkItem | None:
    """One work item the caller's units may act on (None otherwise)."""
    if scope.enterprise_id is not None:
        return None
    row = session.get(WorkItem, (kind, record_id))
    return row if row is not None and scope.covers_unit(row.unit) else None


# --- who holds the link (several workers or hosts on one node database) ---


@dataclass(frozen=True)
class Holder:
    host: str
    pid: int
    taken_at: datetime
    seen_at: datetime
    silent_s: float  # since the holder last wrote its row (every few seconds while it holds the link)


def unscoped_link_holder(session: Session, *, duty: str) -> Holder | None:
    """The process holding the link as it last reported itself: a host and a process id, naming no
    record, so the same for every caller; None when nobody has held it or the last one gave it up."""
    row = session.get(LinkHolder, duty)
    if row is None:
        return None
    silent = (clock.now() - row.seen_at).total_seconds()
    return Holder(row.host, row.pid, row.taken_at, row.seen_at, max(0.0, silent))


def unscoped_note_link_holder(session: Session, *, duty: str, host: str, pid: int, taken: bool) -> None:
    """The holder's row: written when it takes the link (`taken`), its `seen_at` moved while it holds it."""
    now = clock.now()
    table = LinkHolder.__table__
    values = {"duty": duty, "host": host, "pid": pid, "taken_at": now, "seen_at": now}
    stmt = insert_for(session, table)  # type: ignore[arg-type]
    kept = {"host": host, "pid": pid, "seen_at": now} | ({"taken_at": now} if taken else {})
    session.execute(stmt.values(values).on_conflict_do_update(index_elements=["duty"], set_=kept))


def unscoped_forget_link_holder(session: Session, *, duty: str, host: str, pid: int) -> None:
    """The holder gave the link up cleanly: its row goes (only its own: another may have taken over)."""
    session.execute(
        delete(LinkHolder).where(LinkHolder.duty == duty, LinkHolder.host == host, LinkHolder.pid == pid)
    )
