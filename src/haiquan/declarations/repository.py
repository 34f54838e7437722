"""Declaration queries, always scoped by the caller (enterprise → its own; officer → its units)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, and_, bindparam, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from haiquan.declarations.domain import DecisionKind, Kind, Recorded, Status
from haiquan.declarations.tables import DecisionRow, DeclarationHistoryRow, DeclarationLineRow, DeclarationRow
from haiquan.kit import pending
from haiquan.kit.auth import Scope
from haiquan.kit.db import among
from haiquan.kit.errors import NotFound
from haiquan.organization.tables import EnterpriseRow, OfficerRow


def scoped(q: Select[DeclarationRow], scope: Scope, *, party: str | None = None) -> Select[DeclarationRow]:
    """`party`: the caller's tax code when it reads (not changes): an enterprise then also sees the
    declarations naming it as importer (of an import) or exporter (of an export)."""
    if scope.enterprise_id is not None:
        own = DeclarationRow.declarant_id == scope.enterprise_id
        if party:
            own = or_(
                own,
                and_(DeclarationRow.importer_tax_code == party, DeclarationRow.kind == Kind.IMPORT),
                and_(DeclarationRow.exporter_tax_code == party, DeclarationRow.kind == Kind.EXPORT),
            )
        q = q.where(own)
    if scope.units is not None:
        q = q.where(DeclarationRow.office.in_(scope.units))
    return q


def get(
    session: Session, scope: Scope, number: str, *, for_update: bool = False, party: str | None = None
) -> DeclarationRow:
    q = scoped(select(DeclarationRow).where(DeclarationRow.number == number), scope, party=party)
    if for_update and session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update()
    row = session.scalar(q)
    if row is None:
        # The same answer whether it does not exist or is outside the caller's scope.
        raise NotFound(f"no declaration {number} in your scope", field="number")
    return row


def visible(row: DeclarationRow, scope: Scope) -> bool:
    """`scoped` for a row already in hand."""
    if scope.enterprise_id is not None and row.declarant_id != scope.enterprise_id:
        return False
    return scope.units is None or row.office in scope.units


DECLARATIONS = cast(Table, DeclarationRow.__table__)
LINES = cast(Table, DeclarationLineRow.__table__)
ENTERPRISES = cast(Table, EnterpriseRow.__table__)
# What registration (and the checks that follow it at once) may change.
REGISTRATION_COLUMNS = (
    "status", "channel", "channel_reasons", "risk_score", "registered_at", "check_deadline",
    "duties_settled", "settlement", "checks_passed", "cleared_at", "assigned_officer_id", "updated_at",
)  # fmt: skip


def columns(obj: Any, table: Table) -> dict[str, Any]:
    return {c.key: getattr(obj, c.key) for c in table.columns}


def add_new(session: Session, row: DeclarationRow, lines: list[DeclarationLineRow]) -> None:
    """A new declaration and its lines, written at commit with the rest of the batch (kit.pending)."""
    pending.add(session, DECLARATIONS, columns(row, DECLARATIONS))
    pending.add_many(session, LINES, [columns(ln, LINES) for ln in lines])


@dataclass(frozen=True)
class Declarant:
    """What registration checks of the declarant, read with the declaration."""

    status: str
    overdue_tax_days: int
    compliance_class: str


@dataclass
class Locked:
    """A declaration read and locked for registration: a detached row the service changes in memory."""

    row: DeclarationRow
    lines: list[DeclarationLineRow]
    declarant: Declarant
    version: int
    changed: bool = False
    needs_checker: bool = False
    lines_read: bool = False


def lock_for_registration(session: Session, numbers: Iterable[str]) -> dict[str, Locked]:
    """Many declarations with their declarants in one statement, the declarations locked in number order
    (two writers locking overlapping sets never deadlock). One row per declaration: the lines are not
    read here (`load_lines`, once the caller has checked who asks and the status). Not scoped: the caller
    checks `visible`."""
    wanted = sorted(set(numbers))
    if not wanted:
        return {}
    q = (
        select(
            DECLARATIONS,
            ENTERPRISES.c.status.label("declarant_status"),
            ENTERPRISES.c.overdue_tax_days,
            ENTERPRISES.c.compliance_class,
        )
        .join(ENTERPRISES, ENTERPRISES.c.id == DECLARATIONS.c.declarant_id)
        .where(among(session, DECLARATIONS.c.number, wanted))
        .order_by(DECLARATIONS.c.number)
    )
    if session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update(of=DECLARATIONS)
    found: dict[str, Locked] = {}
    for m in session.execute(q).mappings():
        row = DeclarationRow(**{c.key: m[c.key] for c in DECLARATIONS.columns})
        who = Declarant(m["declarant_status"], m["overdue_tax_days"], m["compliance_class"])
        found[row.number] = Locked(row, [], who, m["version"])
    return found


def load_lines(session: Session, targets: Iterable[Locked]) -> None:
    """The lines of these declarations in one statement over the lines alone: one row per line (never a
    line joined with its declaration's columns, whose channel reasons may be as many as its lines)."""
    by_number = {t.row.number: t for t in targets}
    if not by_number:
        return
    for t in by_number.values():
        t.lines, t.lines_read = [], True
    q = (
        select(LINES)
        .where(among(session, LINES.c.number, by_number))
        .order_by(LINES.c.number, LINES.c.line_no)
    )
    for m in session.execute(q).mappings():
        by_number[m["number"]].lines.append(DeclarationLineRow(**m))


def save(session: Session, targets: list[Locked]) -> None:
    """Write changed declarations in one executemany at commit (the rows are locked: the version only
    advances)."""
    if not targets:
        return
    stmt = (
        update(DECLARATIONS)
        .where(DECLARATIONS.c.number == bindparam("b_number"))
        .values(
            {c: bindparam(f"v_{c}", type_=DECLARATIONS.c[c].type) for c in (*REGISTRATION_COLUMNS, "version")}
        )
    )
    values = [
        {"b_number": t.row.number, "v_version": t.version + 1}
        | {f"v_{c}": getattr(t.row, c) for c in REGISTRATION_COLUMNS}
        for t in targets
    ]
    pending.add_statement(session, stmt, values)  # at commit, with the batch's other writes
    for t in targets:
        t.version += 1
        stale = session.identity_map.get(identity_key(DeclarationRow, t.row.number))
        if stale is not None:
            session.expire(stale)


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


def recorded(session: Session, number: str) -> Recorded:
    """Whether a documents decision and an inspection result are on record (the declaration read in scope)."""
    kinds = set(
        session.scalars(
            select(DecisionRow.kind)
            .where(
                DecisionRow.number == number,
                DecisionRow.kind.in_([DecisionKind.DOCUMENTS_ACCEPTED, DecisionKind.INSPECTION_RESULT]),
            )
            .distinct()
        ).all()
    )
    return Recorded(
        documents_accepted=DecisionKind.DOCUMENTS_ACCEPTED in kinds,
        inspection_result=DecisionKind.INSPECTION_RESULT in kinds,
    )


def inspection_result(session: Session, number: str) -> tuple[DecisionRow, str] | None:
    """The latest physical inspection result with its officer's username (the declaration read in scope)."""
    found = session.execute(
        select(DecisionRow, OfficerRow.username)
        .outerjoin(OfficerRow, OfficerRow.id == DecisionRow.officer_id)
        .where(DecisionRow.number == number, DecisionRow.kind == DecisionKind.INSPECTION_RESULT)
        .order_by(DecisionRow.at.desc(), DecisionRow.id.desc())
        .limit(1)
    ).first()
    return None if found is None else (found[0], found[1] or found[0].officer_id)


def search(
    session: Session,
    scope: Scope,
    *,
    status: str | None = None,
    channel: str | None = None,
    office: str | None = None,
    after: tuple[datetime, str] | None = None,
    limit: int = 50,
    party: str | None = None,
) -> list[DeclarationRow]:
    q = scoped(select(DeclarationRow), scope, party=party)
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
