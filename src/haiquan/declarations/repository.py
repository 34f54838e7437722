"""Declaration queries, always scoped by the caller (enterprise → its own, and as a party when it reads;
officer → its units). Sub-reads of a declaration take its row, read in scope, and check it again."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Select, Table, and_, bindparam, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from haiquan.declarations.domain import DecisionKind, Kind, Recorded, Status
from haiquan.declarations.tables import DecisionRow, DeclarationHistoryRow, DeclarationLineRow, DeclarationRow
from haiquan.kit import pending
from haiquan.kit.auth import Scope
from haiquan.kit.db import among
from haiquan.kit.errors import Forbidden, NotFound
from haiquan.organization.tables import EnterpriseRow, OfficerRow


def _scoped(q: Select[Any], scope: Scope, *, reading: bool) -> Select[Any]:
    """An enterprise: its own declarations and, when it reads (`reading`, not to change them), those
    naming it as importer (of an import) or exporter (of an export). An officer: those of its units."""
    if scope.enterprise_id is not None:
        own = DeclarationRow.declarant_id == scope.enterprise_id
        if reading and scope.tax_code:
            own = or_(
                own,
                and_(DeclarationRow.importer_tax_code == scope.tax_code, DeclarationRow.kind == Kind.IMPORT),
                and_(DeclarationRow.exporter_tax_code == scope.tax_code, DeclarationRow.kind == Kind.EXPORT),
            )
        q = q.where(own)
    if scope.units is not None:
        q = q.where(DeclarationRow.office.in_(scope.units))
    return q


def get(session: Session, number: str, *, scope: Scope, for_update: bool = False) -> DeclarationRow:
    """One declaration in the caller's scope; `for_update`: to change it (locked; the declarant's own)."""
    q = _scoped(select(DeclarationRow).where(DeclarationRow.number == number), scope, reading=not for_update)
    if for_update and session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update()
    row = session.scalar(q)
    if row is None:
        # The same answer whether it does not exist or is outside the caller's scope.
        raise NotFound(f"no declaration {number} in your scope", field="number")
    return row


def visible(row: DeclarationRow, *, scope: Scope) -> bool:
    """`get(..., for_update=True)` for a row already in hand: may the caller change it."""
    if scope.enterprise_id is not None and row.declarant_id != scope.enterprise_id:
        return False
    return scope.units is None or row.office in scope.units


def readable(row: DeclarationRow, *, scope: Scope) -> bool:
    """`get` for a row already in hand: may the caller read it (as declarant or as party)."""
    if visible(row, scope=scope):
        return True
    party = {Kind.IMPORT: row.importer_tax_code, Kind.EXPORT: row.exporter_tax_code}.get(Kind(row.kind))
    return scope.tax_code is not None and party == scope.tax_code and scope.covers_unit(row.office)


def _in_scope(row: DeclarationRow, scope: Scope) -> None:
    if not readable(row, scope=scope):
        raise NotFound(f"no declaration {row.number} in your scope", field="number")


DECLARATIONS = cast(Table, DeclarationRow.__table__)
LINES = cast(Table, DeclarationLineRow.__table__)
ENTERPRISES = cast(Table, EnterpriseRow.__table__)
# What registration (and the checks that follow it at once) may change.
REGISTRATION_COLUMNS = (
    "status", "channel", "channel_reasons", "risk_score", "registered_at", "check_deadline",
    "duties_settled", "settlement", "checks_passed", "agency_hold", "cleared_at", "assigned_officer_id", "updated_at",
)  # fmt: skip


def _columns(obj: Any, table: Table) -> dict[str, Any]:
    return {c.key: getattr(obj, c.key) for c in table.columns}


def add_new(session: Session, row: DeclarationRow, lines: list[DeclarationLineRow], *, scope: Scope) -> None:
    """A new declaration of the caller and its lines, written at commit with the rest of the batch
    (kit.pending)."""
    if not visible(row, scope=scope):
        raise Forbidden("a declaration is lodged by its declarant, at an office of its scope", field="number")
    pending.add(session, DECLARATIONS, _columns(row, DECLARATIONS))
    pending.add_many(session, LINES, [_columns(ln, LINES) for ln in lines])


@dataclass(frozen=True)
class Declarant:
    """What registration checks of the declarant, read with the declaration."""

    status: str
    tax_code: str
    compliance_class: str
    # the debt overdue more than 90 days, derived from the ledger when the declaration is read (taxes)
    overdue_amount: Decimal = Decimal(0)
    overdue_since: date | None = None
    debtor: str = ""  # whose debt: the declarant's or the payer's tax code


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


def unscoped_lock_for_registration(session: Session, numbers: Iterable[str]) -> dict[str, Locked]:
    """Many declarations with their declarants in one statement, the declarations locked in number order
    (two writers locking overlapping sets never deadlock). One row per declaration: the lines are not
    read here (`unscoped_load_lines`, once the caller has checked who asks and the status). Unscoped: the
    declarations of many callers (a group commit's batch); the caller checks `visible` for each."""
    wanted = sorted(set(numbers))
    if not wanted:
        return {}
    q = (
        select(
            DECLARATIONS,
            ENTERPRISES.c.status.label("declarant_status"),
            ENTERPRISES.c.tax_code.label("declarant_tax_code_"),
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
        who = Declarant(m["declarant_status"], m["declarant_tax_code_"], m["compliance_class"])
        found[row.number] = Locked(row, [], who, m["version"])
    return found


def unscoped_load_lines(session: Session, targets: Iterable[Locked]) -> None:
    """The lines of these declarations in one statement over the lines alone: one row per line (never a
    line joined with its declaration's columns, whose channel reasons may be as many as its lines).
    Unscoped: the caller passes only the declarations their askers may register."""
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


def unscoped_save(session: Session, targets: list[Locked]) -> None:
    """Write changed declarations in one executemany at commit (the rows are locked: the version only
    advances). Unscoped: the declarations of a batch's callers, each checked by `visible`."""
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


def unscoped_releasable(
    session: Session, numbers: Iterable[str], *, for_update: bool = False
) -> list[DeclarationRow]:
    """Those of the numbered declarations whose goods may be out (cleared or released), in number order.
    Unscoped: for supervision's gate-outs (a consumer), which act for no caller."""
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


def lines(session: Session, row: DeclarationRow, *, scope: Scope) -> list[DeclarationLineRow]:
    _in_scope(row, scope)
    return list(
        session.scalars(
            select(DeclarationLineRow)
            .where(DeclarationLineRow.number == row.number)
            .order_by(DeclarationLineRow.line_no)
        ).all()
    )


def history(session: Session, row: DeclarationRow, *, scope: Scope) -> list[DeclarationHistoryRow]:
    _in_scope(row, scope)
    return list(
        session.scalars(
            select(DeclarationHistoryRow)
            .where(DeclarationHistoryRow.number == row.number)
            .order_by(DeclarationHistoryRow.id)
        ).all()
    )


def recorded(session: Session, row: DeclarationRow, *, scope: Scope) -> Recorded:
    """Whether a documents decision and an inspection result are on record."""
    _in_scope(row, scope)
    kinds = set(
        session.scalars(
            select(DecisionRow.kind)
            .where(
                DecisionRow.number == row.number,
                DecisionRow.kind.in_([DecisionKind.DOCUMENTS_ACCEPTED, DecisionKind.INSPECTION_RESULT]),
            )
            .distinct()
        ).all()
    )
    return Recorded(
        documents_accepted=DecisionKind.DOCUMENTS_ACCEPTED in kinds,
        inspection_result=DecisionKind.INSPECTION_RESULT in kinds,
    )


def inspection_result(
    session: Session, row: DeclarationRow, *, scope: Scope
) -> tuple[DecisionRow, str] | None:
    """The latest physical inspection result with its officer's username."""
    _in_scope(row, scope)
    found = session.execute(
        select(DecisionRow, OfficerRow.username)
        .outerjoin(OfficerRow, OfficerRow.id == DecisionRow.officer_id)
        .where(DecisionRow.number == row.number, DecisionRow.kind == DecisionKind.INSPECTION_RESULT)
        .order_by(DecisionRow.at.desc(), DecisionRow.id.desc())
        .limit(1)
    ).first()
    return None if found is None else (found[0], found[1] or found[0].officer_id)


def officer_names(session: Session, rows: Iterable[DeclarationRow], *, scope: Scope) -> dict[str, str]:
    """Usernames of the officers assigned to, or escalated to, those of these declarations the caller
    reads (officer id → username)."""
    ids = {i for r in rows if readable(r, scope=scope) for i in (r.assigned_officer_id, r.escalated_to) if i}
    if not ids:
        return {}
    found = session.execute(select(OfficerRow.id, OfficerRow.username).where(OfficerRow.id.in_(ids)))
    return dict(found.all())


def search(
    session: Session,
    *,
    scope: Scope,
    status: str | None = None,
    channel: str | None = None,
    office: str | None = None,
    after: tuple[datetime, str] | None = None,
    limit: int = 50,
) -> list[DeclarationRow]:
    """Declarations the caller reads, newest first, after the cursor `after` (lodged at, number)."""
    q = _scoped(select(DeclarationRow), scope, reading=True)
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


def deciding_officers(session: Session, *, scope: Scope) -> list[tuple[str, str, str]]:
    """(id, username, full name) of the active officers with a deciding role in the caller's units."""
    q = select(OfficerRow.id, OfficerRow.username, OfficerRow.full_name).where(
        OfficerRow.active.is_(True), OfficerRow.role.in_(["officer", "team_lead", "subdepartment_leader"])
    )
    if scope.units is not None:
        q = q.where(OfficerRow.unit.in_(scope.units))
    return [(str(i), str(u), str(n or "")) for i, u, n in session.execute(q.order_by(OfficerRow.username))]


def enterprise_names(session: Session, tax_codes: Iterable[str], *, scope: Scope) -> dict[str, str]:
    """Names of the enterprises with these tax codes (declarants of declarations the caller reads)."""
    wanted = sorted({t for t in tax_codes if t})
    if not wanted or scope.enterprise_id is not None:
        return {}
    found = session.execute(
        select(EnterpriseRow.tax_code, EnterpriseRow.name).where(EnterpriseRow.tax_code.in_(wanted))
    )
    return {str(t): str(n) for t, n in found.all()}


def decisions(session: Session, row: DeclarationRow, *, scope: Scope) -> list[tuple[DecisionRow, str]]:
    """The officers' decisions on a declaration, oldest first, with each officer's username."""
    _in_scope(row, scope)
    found = session.execute(
        select(DecisionRow, OfficerRow.username)
        .outerjoin(OfficerRow, OfficerRow.id == DecisionRow.officer_id)
        .where(DecisionRow.number == row.number)
        .order_by(DecisionRow.at, DecisionRow.id)
    ).all()
    return [(d, u or d.officer_id) for d, u in found]
