"""Declaration queries, always scoped by the caller (enterprise → its own; officer → its units)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from haiquan.declarations.domain import Status
from haiquan.declarations.tables import DeclarationHistoryRow, DeclarationLineRow, DeclarationRow
from haiquan.kit.auth import Scope
from haiquan.kit.errors import NotFound


def scoped(q: Select[DeclarationRow], scope: Scope) -> Select[DeclarationRow]:
    if scope.enterprise_id is not None:
        q = q.where(DeclarationRow.declarant_id == scope.enterprise_id)
    if scope.units is not None:
        q = q.where(DeclarationRow.office.in_(scope.units))
    return q


def get(session: Session, scope: Scope, number: str, *, for_update: bool = False) -> DeclarationRow:
    q = scoped(select(DeclarationRow).where(DeclarationRow.number == number), scope)
    if for_update and session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update()
    row = session.scalar(q)
    if row is None:
        # The same answer whether it does not exist or is outside the caller's scope.
        raise NotFound(f"no declaration {number} in your scope", field="number")
    return row


def releasable(session: Session, numbers: Iterable[str], *, for_update: bool = False) -> list[DeclarationRow]:
    """Those of the numbered declarations whose goods may be out (cleared or released), in number order."""
    wanted = sorted({str(n) for n in numbers})
    rows: list[DeclarationRow] = []
    for i in range(0, len(wanted), 500):
        q = (
            select(DeclarationRow)
            .where(
                DeclarationRow.number.in_(wanted[i : i + 500]),
                DeclarationRow.status.in_((Status.CLEARED, Status.RELEASED)),
            )
            .order_by(DeclarationRow.number)
        )
        if for_update and session.get_bind().dialect.name == "postgresql":
            q = q.with_for_update()
        rows += session.scalars(q)
    return rows


def lines(session: Session, number: str) -> list[DeclarationLineRow]:
    return list(
        session.scalars(
            select(DeclarationLineRow)
            .where(DeclarationLineRow.number == number)
            .order_by(DeclarationLineRow.line_no)
        ).all()
    )


def history(session: Session, number: str) -> list[DeclarationHistoryRow]:
    return list(
        session.scalars(
            select(DeclarationHistoryRow)
            .where(DeclarationHistoryRow.number == number)
            .order_by(DeclarationHistoryRow.id)
        ).all()
    )


def search(
    session: Session,
    scope: Scope,
    *,
    status: str | None = None,
    channel: str | None = None,
    office: str | None = None,
    after: tuple[datetime, str] | None = None,
    limit: int = 50,
) -> list[DeclarationRow]:
    q = scoped(select(DeclarationRow), scope)
    if status:
        q = q.where(DeclarationRow.status == status)
    if channel:
        q = q.where(DeclarationRow.channel == channel)
    if office:
        q = q.where(DeclarationRow.office == office)
    if after is not None:
        at, number = after
        q = q.where(
            (DeclarationRow.lodged_at < at)
            | ((DeclarationRow.lodged_at == at) & (DeclarationRow.number < number))
        )
    q = q.order_by(DeclarationRow.lodged_at.desc(), DeclarationRow.number.desc()).limit(limit)
    return list(session.scalars(q).all())
