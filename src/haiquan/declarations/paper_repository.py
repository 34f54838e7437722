"""Queries of paper declarations (declarations.paper): scoped by the caller's units like the declarations
they belong to."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVarTuple

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from haiquan.declarations.tables import DeclarationRow, PaperCaptureRow
from haiquan.kit.auth import Scope

Ts = TypeVarTuple("Ts")


def _scoped(q: Select[*Ts], scope: Scope) -> Select[*Ts]:
    if scope.enterprise_id is not None:
        q = q.join(DeclarationRow, DeclarationRow.number == PaperCaptureRow.number).where(
            DeclarationRow.declarant_id == scope.enterprise_id
        )
    if scope.units is not None:
        q = q.where(PaperCaptureRow.office.in_(sorted(scope.units)))
    return q


def paper_number_taken(session: Session, office: str, paper_number: str, *, scope: Scope) -> bool:
    q = select(PaperCaptureRow.number).where(
        PaperCaptureRow.office == office, PaperCaptureRow.paper_number == paper_number
    )
    return session.scalar(_scoped(q, scope)) is not None


def capture_of(session: Session, number: str, *, scope: Scope) -> PaperCaptureRow | None:
    """The paper capture of one declaration, if it was captured from paper and is in the caller's scope."""
    return session.scalar(_scoped(select(PaperCaptureRow).where(PaperCaptureRow.number == number), scope))


def captures(
    session: Session,
    *,
    scope: Scope,
    office: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 500,
) -> list[tuple[PaperCaptureRow, str, str]]:
    """Paper captures with their declaration's kind and status, newest first."""
    q = select(PaperCaptureRow, DeclarationRow.kind, DeclarationRow.status).join(
        DeclarationRow, DeclarationRow.number == PaperCaptureRow.number
    )
    if scope.enterprise_id is not None:
        q = q.where(DeclarationRow.declarant_id == scope.enterprise_id)
    if scope.units is not None:
        q = q.where(PaperCaptureRow.office.in_(sorted(scope.units)))
    q = _window(q, office, start, end).order_by(PaperCaptureRow.captured_at.desc()).limit(limit)
    return [(p, str(k), str(st)) for p, k, st in session.execute(q).all()]  # fmt: skip


def counts(
    session: Session, *, scope: Scope, office: str | None, start: datetime | None, end: datetime | None
) -> list[tuple[str, str, bool, int]]:
    """(office, reason, back_captured, count), by office then reason."""
    cols = (PaperCaptureRow.office, PaperCaptureRow.reason, PaperCaptureRow.back_captured)
    q = _window(_scoped(select(*cols, func.count()), scope), office, start, end).group_by(*cols)
    rows = session.execute(q.order_by(*cols)).all()
    return [(str(o), str(r), bool(b), int(n)) for o, r, b, n in rows]


def _window(q: Select[*Ts], office: str | None, start: datetime | None, end: datetime | None) -> Select[*Ts]:
    if office is not None:
        q = q.where(PaperCaptureRow.office == office)
    if start is not None:
        q = q.where(PaperCaptureRow.paper_lodged_at >= start)
    if end is not None:
        q = q.where(PaperCaptureRow.paper_lodged_at < end)
    return q
