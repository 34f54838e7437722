"""Applications' queries, always in the caller's AppScope (an enterprise: its own; officers: the
applications addressed to their units); the unscoped reads say so in their names."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import false, func, select
from sqlalchemy.orm import Session

from haiquan.applications.domain import DECIDED, OPEN, AppScope, Kind
from haiquan.applications.tables import (
    ApplicationDocumentRow,
    ApplicationHistoryRow,
    ApplicationRow,
    PaymentExtensionRow,
    RulingRow,
)
from haiquan.kit.errors import NotFound
from haiquan.kit.sql import among


def _scoped(q: Any, session: Session, scope: AppScope) -> Any:
    if scope.units is not None:
        q = q.where(among(session, ApplicationRow.office, scope.units)) if scope.units else q.where(False)
    if scope.enterprise_id is not None:
        q = q.where(ApplicationRow.enterprise_id == scope.enterprise_id)
    return q


def get(
    session: Session, application_id: str, *, scope: AppScope, for_update: bool = False
) -> ApplicationRow:
    """The application, or 404 when it does not exist or lies outside the caller's scope (never a 403:
    another trader's application is not even acknowledged)."""
    q = _scoped(select(ApplicationRow).where(ApplicationRow.id == application_id), session, scope)
    row = session.scalar(q.with_for_update() if for_update else q)
    if row is None:
        raise NotFound(f"no application {application_id} in your scope", field="application_id")
    return row


def listing(
    session: Session,
    *,
    scope: AppScope,
    statuses: Iterable[str] | None = None,
    kinds: Iterable[str] | None = None,
    limit: int = 200,
) -> list[ApplicationRow]:
    """The nearest deadline first (the officer's queue); decided ones after, by their deadline."""
    q = _scoped(select(ApplicationRow), session, scope)
    if statuses is not None:
        q = q.where(among(session, ApplicationRow.status, list(statuses)))
    if kinds is not None:
        q = q.where(among(session, ApplicationRow.kind, list(kinds)))
    return list(session.scalars(q.order_by(ApplicationRow.deadline, ApplicationRow.id).limit(limit)))


def history(session: Session, application_id: str, *, scope: AppScope) -> list[ApplicationHistoryRow]:
    get(session, application_id, scope=scope)
    q = select(ApplicationHistoryRow).where(ApplicationHistoryRow.application_id == application_id)
    return list(session.scalars(q.order_by(ApplicationHistoryRow.id)))


def documents(session: Session, application_id: str, *, scope: AppScope) -> list[ApplicationDocumentRow]:
    get(session, application_id, scope=scope)
    q = select(ApplicationDocumentRow).where(ApplicationDocumentRow.application_id == application_id)
    return list(session.scalars(q.order_by(ApplicationDocumentRow.uploaded_at, ApplicationDocumentRow.id)))


def document(
    session: Session, application_id: str, document_id: str, *, scope: AppScope
) -> ApplicationDocumentRow:
    get(session, application_id, scope=scope)
    row = session.get(ApplicationDocumentRow, document_id)
    if row is None or row.application_id != application_id:
        raise NotFound(f"no document {document_id} on this application", field="document_id")
    return row


def count_documents(session: Session, application_id: str, *, scope: AppScope) -> int:
    get(session, application_id, scope=scope)
    q = select(func.count()).where(ApplicationDocumentRow.application_id == application_id)
    return int(session.scalar(q) or 0)


def unscoped_overdue(session: Session, now: datetime) -> list[ApplicationRow]:
    """Undecided applications past their deadline, not yet flagged (the periodic job)."""
    q = select(ApplicationRow).where(
        ApplicationRow.status.in_([s.value for s in OPEN]),
        ApplicationRow.deadline < now,
        ApplicationRow.overdue_at.is_(None),
    )
    return list(session.scalars(q.order_by(ApplicationRow.deadline).with_for_update()))


def unscoped_rulings_for(
    session: Session, *, holders: Iterable[str], goods_codes: Iterable[str], on: date
) -> list[RulingRow]:
    """Classification rulings in force on a day for these holders and goods codes (lodging's check)."""
    who, goods = sorted(set(holders) - {""}), sorted(set(goods_codes) - {""})
    if not who or not goods:
        return []
    q = select(RulingRow).where(
        RulingRow.kind == Kind.RULING_CLASSIFICATION.value,
        among(session, RulingRow.holder_tax_code, who),
        among(session, RulingRow.goods_code, goods),
        RulingRow.valid_from <= on,
        RulingRow.valid_to >= on,
    )
    return list(session.scalars(q.order_by(RulingRow.valid_from.desc(), RulingRow.id)))


def rulings_of_holders(
    session: Session, holders: Iterable[str], on: date, *, scope: AppScope
) -> list[RulingRow]:
    """Every ruling in force for these holders (an officer registering their declaration sees them); an
    enterprise in scope sees only its own."""
    who = sorted(set(holders) - {""})
    if not who:
        return []
    q = select(RulingRow).where(
        among(session, RulingRow.holder_tax_code, who), RulingRow.valid_from <= on, RulingRow.valid_to >= on
    )
    if scope.enterprise_id is not None:
        q = q.where(RulingRow.id.in_(_scoped(select(ApplicationRow.id), session, scope)))
    return list(session.scalars(q.order_by(RulingRow.kind, RulingRow.goods_code)))


def extensions(
    session: Session, *, scope: AppScope, declaration_numbers: Iterable[str] | None = None
) -> list[PaymentExtensionRow]:
    """Payment deadlines moved by approved extensions (the tax accounts read these for the due date)."""
    q = select(PaymentExtensionRow)
    if scope.units is not None:
        q = (
            q.where(among(session, PaymentExtensionRow.office, scope.units))
            if scope.units
            else q.where(false())
        )
    if scope.enterprise_id is not None:
        q = q.where(
            PaymentExtensionRow.application_id.in_(_scoped(select(ApplicationRow.id), session, scope))
        )
    if declaration_numbers is not None:
        q = q.where(among(session, PaymentExtensionRow.declaration_number, sorted(set(declaration_numbers))))
    return list(
        session.scalars(q.order_by(PaymentExtensionRow.declaration_number, PaymentExtensionRow.granted_at))
    )


def handled(
    session: Session, *, scope: AppScope, start: datetime, end: datetime, now: datetime
) -> list[tuple[str, int, int, int, int]]:
    """Per kind: (kind, decided in [start, end), of which on time, open now, of which overdue now): the
    reports' figure of applications handled online."""
    decided = _scoped(
        select(
            ApplicationRow.kind, func.count(),
            func.count().filter(ApplicationRow.decided_at <= ApplicationRow.deadline),
        ).where(
            ApplicationRow.status.in_([s.value for s in DECIDED]),
            ApplicationRow.decided_at >= start, ApplicationRow.decided_at < end,
        ),
        session, scope,
    ).group_by(ApplicationRow.kind)  # fmt: skip
    still = _scoped(
        select(ApplicationRow.kind, func.count(), func.count().filter(ApplicationRow.deadline < now)).where(
            ApplicationRow.status.in_([s.value for s in OPEN])
        ),
        session, scope,
    ).group_by(ApplicationRow.kind)  # fmt: skip
    out: dict[str, list[int]] = {}
    for kind, n, ok in session.execute(decided):
        out.setdefault(kind, [0, 0, 0, 0])[0:2] = [int(n), int(ok or 0)]
    for kind, n, late in session.execute(still):
        out.setdefault(kind, [0, 0, 0, 0])[2:4] = [int(n), int(late or 0)]
    return [(k, v[0], v[1], v[2], v[3]) for k, v in sorted(out.items())]
