"""The officers' work queue: its queries, scoped by the caller like repository.py's (yellow and red
declarations under check in the caller's units), with the filters, the sort, the true count and the count
of checks registered since the page was shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from haiquan.declarations.domain import UNDER_CHECK, Channel
from haiquan.declarations.repository import _scoped
from haiquan.declarations.tables import DeclarationRow
from haiquan.kit.auth import Scope


def queue(
    session: Session, *, scope: Scope, officer_id: str, mine: bool, escalated: bool, limit: int
) -> list[DeclarationRow]:
    """Yellow and red declarations under check in the caller's units, oldest first (`mine`: assigned to
    `officer_id`; `escalated`: escalated to it)."""
    q = _scoped(select(DeclarationRow), scope, reading=True).where(
        DeclarationRow.status.in_([s.value for s in UNDER_CHECK]),
        DeclarationRow.channel.in_([Channel.YELLOW.value, Channel.RED.value]),
    )
    if mine:
        q = q.where(DeclarationRow.assigned_officer_id == officer_id)
    if escalated:
        q = q.where(DeclarationRow.escalated_to == officer_id)
    q = q.order_by(DeclarationRow.registered_at, DeclarationRow.number).limit(limit)
    return list(session.scalars(q).all())


@dataclass(frozen=True)
class QueueFilter:
    """What the queue page asks: `officer_id` the caller; `assignee` an officer id ("none": unassigned);
    `declarant` a tax code; `sort` "deadline" (soonest first) or "registered" (oldest first)."""

    officer_id: str
    mine: bool = False
    escalated: bool = False
    channel: str | None = None
    overdue: bool = False
    assignee: str | None = None
    declarant: str | None = None
    sort: str = "deadline"


def _queue_query(q: Select[Any], scope: Scope, f: QueueFilter, now: datetime) -> Select[Any]:
    q = _scoped(q, scope, reading=True).where(
        DeclarationRow.status.in_([s.value for s in UNDER_CHECK]),
        DeclarationRow.channel.in_([f.channel] if f.channel else [Channel.YELLOW.value, Channel.RED.value]),
    )
    wanted = {
        DeclarationRow.assigned_officer_id: f.officer_id if f.mine else None,
        DeclarationRow.escalated_to: f.officer_id if f.escalated else None,
        DeclarationRow.declarant_tax_code: f.declarant,
    }
    for column, value in wanted.items():
        if value:
            q = q.where(column == value)
    if f.assignee == "none":
        q = q.where(DeclarationRow.assigned_officer_id.is_(None))
    elif f.assignee:
        q = q.where(DeclarationRow.assigned_officer_id == f.assignee)
    if f.overdue:
        q = q.where(DeclarationRow.check_deadline < now)
    return q


def queue_page(
    session: Session, *, scope: Scope, f: QueueFilter, now: datetime, offset: int, limit: int
) -> tuple[list[DeclarationRow], int]:
    """One page of the queue and how many checks match in all (never capped)."""
    total = session.scalar(_queue_query(select(func.count()).select_from(DeclarationRow), scope, f, now))
    order = (
        (DeclarationRow.check_deadline, DeclarationRow.registered_at)
        if f.sort == "deadline"
        else (DeclarationRow.registered_at, DeclarationRow.check_deadline)
    )
    q = _queue_query(select(DeclarationRow), scope, f, now).order_by(*order, DeclarationRow.number)
    return list(session.scalars(q.offset(offset).limit(limit)).all()), int(total or 0)


def queue_news(session: Session, *, scope: Scope, since: datetime) -> int:
    """Yellow and red checks registered in the caller's units after `since` and still open."""
    q = _queue_query(
        select(func.count()).select_from(DeclarationRow), scope, QueueFilter(officer_id=""), since
    )
    return int(session.scalar(q.where(DeclarationRow.registered_at > since)) or 0)


def escalated_count(session: Session, *, scope: Scope, officer_id: str) -> int:
    """Open checks escalated to this officer (a team lead) past their time limit."""
    f = QueueFilter(officer_id=officer_id, escalated=True)
    q = _queue_query(select(func.count()).select_from(DeclarationRow), scope, f, datetime.min)
    return int(session.scalar(q) or 0)
