"""Queries of enforcement. Every query takes the caller's Scope: a unit sees its subtree only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVarTuple

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from haiquan.enforcement.tables import CaseLinkRow, CasePersonRow, CaseRow, CaseStatusRow, SeizureItemRow
from haiquan.kit.auth import Scope
from haiquan.kit.errors import NotFound

Ts = TypeVarTuple("Ts")


def _scoped(q: Select[*Ts], scope: Scope) -> Select[*Ts]:
    if scope.enterprise_id is not None:
        return q.where(CaseRow.id.is_(None))  # enterprises see no case
    if scope.units is not None:
        q = q.where(CaseRow.unit.in_(sorted(scope.units)))
    return q


def get_case(session: Session, case_id: str, *, scope: Scope) -> CaseRow:
    row = session.scalar(_scoped(select(CaseRow).where(CaseRow.id == case_id), scope))
    if row is None:
        raise NotFound(f"no case {case_id} in your scope", field="case_id")
    return row


@dataclass(frozen=True)
class CaseFilter:
    units: frozenset[str] | None = None
    date_from: date | None = None
    date_to: date | None = None
    field: str | None = None
    route: str | None = None
    status: str | None = None
    province: str | None = None


def list_cases(
    session: Session, f: CaseFilter, *, scope: Scope, limit: int, after: tuple[str, str] | None
) -> list[CaseRow]:
    """Newest first; keyset pagination on (detected_on, id)."""
    q = _filtered(_scoped(select(CaseRow), scope), f)
    if after is not None:
        day, last_id = after
        q = q.where(
            (CaseRow.detected_on < date.fromisoformat(day))
            | ((CaseRow.detected_on == date.fromisoformat(day)) & (CaseRow.id < last_id))
        )
    q = q.order_by(CaseRow.detected_on.desc(), CaseRow.id.desc()).limit(limit)
    return list(session.scalars(q).all())


def _filtered(q: Select[Any], f: CaseFilter) -> Select[Any]:
    if f.units is not None:
        q = q.where(CaseRow.unit.in_(sorted(f.units)))
    if f.date_from is not None:
        q = q.where(CaseRow.detected_on >= f.date_from)
    if f.date_to is not None:
        q = q.where(CaseRow.detected_on <= f.date_to)
    for col, val in ((CaseRow.field, f.field), (CaseRow.route, f.route), (CaseRow.status, f.status)):
        if val is not None:
            q = q.where(col == val)
    if f.province is not None:
        q = q.where(CaseRow.province == f.province)
    return q


def _of_cases(q: Select[*Ts], column: Any, scope: Scope) -> Select[*Ts]:
    """Rows of cases (joined by `column`) in the caller's scope."""
    return _scoped(q.join(CaseRow, CaseRow.id == column), scope)


def items_of(session: Session, case_ids: Sequence[str], *, scope: Scope) -> list[SeizureItemRow]:
    out: list[SeizureItemRow] = []
    for chunk in _chunks(case_ids):
        q = _of_cases(select(SeizureItemRow), SeizureItemRow.case_id, scope).where(
            SeizureItemRow.case_id.in_(chunk)
        )
        out.extend(session.scalars(q.order_by(SeizureItemRow.recorded_at, SeizureItemRow.id)).all())
    return out


def history_of(session: Session, case_ids: Sequence[str], *, scope: Scope) -> list[CaseStatusRow]:
    out: list[CaseStatusRow] = []
    for chunk in _chunks(case_ids):
        q = _of_cases(select(CaseStatusRow), CaseStatusRow.case_id, scope).where(
            CaseStatusRow.case_id.in_(chunk)
        )
        out.extend(session.scalars(q.order_by(CaseStatusRow.case_id, CaseStatusRow.seq)).all())
    return out


def links_of(session: Session, case_id: str, *, scope: Scope) -> list[CaseLinkRow]:
    q = _of_cases(select(CaseLinkRow), CaseLinkRow.case_id, scope).where(CaseLinkRow.case_id == case_id)
    q = q.order_by(CaseLinkRow.added_at)
    return list(session.scalars(q).all())


def persons_of(session: Session, case_id: str, *, scope: Scope) -> list[CasePersonRow]:
    q = _of_cases(select(CasePersonRow), CasePersonRow.case_id, scope).where(CasePersonRow.case_id == case_id)
    q = q.order_by(CasePersonRow.added_at)
    return list(session.scalars(q).all())


def detained_counts(session: Session, case_ids: Sequence[str], *, scope: Scope) -> dict[str, int]:
    """Persons held per case: a count, no personal data."""
    out: dict[str, int] = {}
    for chunk in _chunks(case_ids):
        q = (
            _of_cases(select(CasePersonRow.case_id, func.count()), CasePersonRow.case_id, scope)
            .where(CasePersonRow.case_id.in_(chunk), CasePersonRow.detained.is_(True))
            .group_by(CasePersonRow.case_id)
        )
        out.update({cid: int(n) for cid, n in session.execute(q).all()})
    return out


@dataclass
class ReportData:
    """Cases of a unit subtree detected in a period (or decided in it), with their items and history."""

    cases: list[CaseRow] = field(default_factory=list)
    items: list[SeizureItemRow] = field(default_factory=list)
    history: list[CaseStatusRow] = field(default_factory=list)
    detained: dict[str, int] = field(default_factory=dict)


def report_data(
    session: Session, *, scope: Scope, units: frozenset[str] | None, start: date, end: date
) -> ReportData:
    """Cases detected in [start, end], plus earlier cases with a decision or a seizure in the period."""
    base = _scoped(select(CaseRow), scope)
    if units is not None:
        base = base.where(CaseRow.unit.in_(sorted(units)))
    detected = list(session.scalars(base.where(CaseRow.detected_on.between(start, end))).all())
    decided = select(CaseStatusRow.case_id).where(CaseStatusRow.decided_on.between(start, end))
    seized = select(SeizureItemRow.case_id).where(SeizureItemRow.seized_on.between(start, end))
    later = base.where(CaseRow.detected_on < start, CaseRow.id.in_(decided) | CaseRow.id.in_(seized))
    earlier = list(session.scalars(later).all())
    cases = detected + earlier
    ids = [c.id for c in cases]
    return ReportData(
        cases,
        items_of(session, ids, scope=scope),
        history_of(session, ids, scope=scope),
        detained_counts(session, ids, scope=scope),
    )


def _chunks(ids: Sequence[str], size: int = 500) -> list[list[str]]:
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]


def persons_counts(session: Session, case_ids: Sequence[str], *, scope: Scope) -> dict[str, int]:
    out: dict[str, int] = {}
    for chunk in _chunks(case_ids):
        q = (
            _of_cases(select(CasePersonRow.case_id, func.count()), CasePersonRow.case_id, scope)
            .where(CasePersonRow.case_id.in_(chunk))
            .group_by(CasePersonRow.case_id)
        )
        out.update({cid: int(n) for cid, n in session.execute(q).all()})
    return out


def items_counts(session: Session, case_ids: Sequence[str], *, scope: Scope) -> dict[str, int]:
    """Seized items recorded per case (the register's column)."""
    out: dict[str, int] = {}
    for chunk in _chunks(case_ids):
        q = (
            _of_cases(select(SeizureItemRow.case_id, func.count()), SeizureItemRow.case_id, scope)
            .where(SeizureItemRow.case_id.in_(chunk))
            .group_by(SeizureItemRow.case_id)
        )
        out.update({cid: int(n) for cid, n in session.execute(q).all()})
    return out
