"""Who checks a declaration: round robin at registration, per office, over the rosters of offices (read
from the officers' rows at every assignment, so that an officer taken off the roster, deactivated, moved or
given another role by any process gets no new check), checks handed on when their officer leaves the
roster or their office is dissolved, and a team lead's reassignment."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from haiquan.declarations import repository
from haiquan.declarations.catalogue import DeclarationEvent
from haiquan.declarations.domain import UNDER_CHECK, Channel
from haiquan.declarations.tables import DeclarationHistoryRow, DeclarationRow, RosterCursorRow
from haiquan.kit import audit, clock, outbox, pending
from haiquan.kit.auth import DECIDING_ROLES, Principal, Role
from haiquan.kit.errors import Conflict, Forbidden, ValidationFailed
from haiquan.organization import officers
from haiquan.organization.domain import UnitTree
from haiquan.organization.service import TREES
from haiquan.organization.tables import OfficerRow

REASSIGNING_ROLES = (Role.TEAM_LEAD.value, Role.SUBDEPARTMENT_LEADER.value, Role.DEPARTMENT_LEADER.value)
HISTORY = cast(Table, DeclarationHistoryRow.__table__)
Officer = tuple[str, str]  # (id, username)


def roster_units(tree: UnitTree, office: str) -> list[str]:
    """The office and the units above it up to its sub-department, nearest first (so every assignee's
    scope covers the declaration). A dissolved office: those of the unit now holding it."""
    units = []
    for code in tree.ancestors(tree.heir(office) or office):
        level = tree.units[code].level
        if level in ("department", "general"):
            break
        units.append(code)
        if level == "subdepartment":
            break
    return units


def rosters(session: Session, offices: Iterable[str]) -> dict[str, list[Officer]]:
    """(id, username) of the officers on each office's roster, by username: active, on the roster, with a
    deciding role, in one of the office's roster units. One query for every office, never from memory; on
    PostgreSQL the rows are share-locked, so an officer taken off the roster meanwhile waits for this
    transaction and then hands on what it assigned (`release_checks`)."""
    tree = TREES.get(session)
    units = {office: roster_units(tree, office) for office in sorted(set(offices))}
    wanted = sorted({u for us in units.values() for u in us})
    if not wanted:
        return {office: [] for office in units}
    q = (
        select(OfficerRow.id, OfficerRow.username, OfficerRow.unit)
        .where(
            OfficerRow.unit.in_(wanted),
            OfficerRow.on_roster.is_(True),
            OfficerRow.active.is_(True),
            OfficerRow.role.in_([r.value for r in DECIDING_ROLES]),
        )
        .order_by(OfficerRow.username)
    )
    if session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update(read=True)
    found = session.execute(q).all()
    return {office: [(i, n) for i, n, u in found if u in us] for office, us in units.items()}


def roster(session: Session, office: str) -> list[Officer]:
    return rosters(session, [office])[office]


def open_checks() -> Select[DeclarationRow]:
    """Yellow and red declarations still under check."""
    return select(DeclarationRow).where(
        DeclarationRow.status.in_([s.value for s in UNDER_CHECK]),
        DeclarationRow.channel.in_([Channel.YELLOW.value, Channel.RED.value]),
    )


def loads(session: Session, officer_ids: Iterable[str]) -> dict[str, int]:
    """Open checks per officer."""
    ids = sorted(set(officer_ids))
    if not ids:
        return {}
    q = (
        select(DeclarationRow.assigned_officer_id, func.count())
        .where(
            DeclarationRow.assigned_officer_id.in_(ids),
            DeclarationRow.status.in_([s.value for s in UNDER_CHECK]),
            DeclarationRow.channel.in_([Channel.YELLOW.value, Channel.RED.value]),
        )
        .group_by(DeclarationRow.assigned_officer_id)
    )
    return {str(i): int(n) for i, n in session.execute(q).all()}


def least_loaded(candidates: list[Officer], counts: dict[str, int]) -> Officer | None:
    """The officer with the fewest open checks (by username on a tie), or None."""
    return min(candidates, key=lambda o: (counts.get(o[0], 0), o[1]), default=None)


def release_checks(session: Session, *, officer_id: str, actor: str) -> int:
    """Hand on the open checks of an officer who is no longer on their office's roster (left it, was
    deactivated, moved or given a role that does not decide): each to the least loaded officer of that
    roster, or to nobody when the roster is empty (the office's team lead reassigns it then). Returns
    how many checks changed hands."""
    q = open_checks().where(DeclarationRow.assigned_officer_id == officer_id)
    if session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update(of=DeclarationRow)
    rows = list(session.scalars(q.order_by(DeclarationRow.registered_at, DeclarationRow.number)).all())
    if not rows:
        return 0
    by_office = rosters(session, {r.office for r in rows})
    counts = loads(session, {i for candidates in by_office.values() for i, _ in candidates})
    names = usernames(session, [officer_id])
    moved = 0
    for row in rows:
        candidates = by_office[row.office]
        if any(i == officer_id for i, _ in candidates):
            continue  # still on this office's roster (e.g. moved to another of its units)
        pick = least_loaded(candidates, counts)
        if pick is not None:
            counts[pick[0]] = counts.get(pick[0], 0) + 1
        reassign_row(session, row, pick, actor=actor, reason="", cause="left_roster", previous=names)
        moved += 1
    return moved


def reassign(
    session: Session, *, principal: Principal, number: str, officer: str, reason: str
) -> DeclarationRow:
    """A team lead (or a leader above) hands a check of their units to another officer of its roster."""
    principal.require_officer(*REASSIGNING_ROLES)
    row = _open_check(session, principal, number)
    pick = next((o for o in roster(session, row.office) if o[1] == officer), None)
    if pick is None:
        raise ValidationFailed(
            f"{officer!r} is not on the roster of office {row.office} (active, on duty, deciding role)",
            field="officer",
        )
    if pick[0] == row.assigned_officer_id:
        raise Conflict(
            f"the check is already assigned to {officer}", field="officer", code="already_assigned"
        )
    previous = usernames(session, [row.assigned_officer_id or ""])
    reassign_row(
        session, row, pick, actor=principal.label, reason=reason, cause="team_lead", previous=previous
    )
    return row


def take(session: Session, *, principal: Principal, number: str) -> DeclarationRow:
    """An officer of the office's roster takes a check nobody holds (a team lead or a leader above: any
    check of their units, even one another officer holds)."""
    principal.require_officer(*[r.value for r in DECIDING_ROLES])
    row = _open_check(session, principal, number)
    if row.assigned_officer_id == principal.id:
        raise Conflict("the check is already yours", field="number", code="already_assigned")
    if row.assigned_officer_id and principal.role not in REASSIGNING_ROLES:
        raise Forbidden(
            "this check is assigned to another officer; a team lead can reassign it",
            field="number",
            code="not_assigned",
        )
    pick = next((o for o in roster(session, row.office) if o[0] == principal.id), None)
    if pick is None:
        raise Forbidden(
            f"you are not on the roster of office {row.office}", field="number", code="not_on_roster"
        )
    previous = usernames(session, [row.assigned_officer_id or ""])
    reassign_row(session, row, pick, actor=principal.label, reason="", cause="taken", previous=previous)
    return row


def _open_check(session: Session, principal: Principal, number: str) -> DeclarationRow:
    row = repository.get(session, number, scope=principal.scope, for_update=True)
    if row.status not in {s.value for s in UNDER_CHECK} or row.channel not in (
        Channel.YELLOW.value,
        Channel.RED.value,
    ):
        raise Conflict(f"declaration {number} is not under check", field="number", code="not_under_check")
    return row


def usernames(session: Session, ids: Iterable[str]) -> dict[str, str]:
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    q = select(OfficerRow.id, OfficerRow.username).where(OfficerRow.id.in_(wanted))
    return dict(session.execute(q).all())


def reassign_row(
    session: Session,
    row: DeclarationRow,
    to: Officer | None,
    *,
    actor: str,
    reason: str,
    cause: str,
    previous: dict[str, str],
) -> None:
    """Give the check to `to` (None: nobody): the history keeps it, an event and an audit entry say it."""
    old = row.assigned_officer_id
    row.assigned_officer_id = to[0] if to else None
    row.updated_at = clock.now()
    detail: dict[str, Any] = {"from": previous.get(old or ""), "to": to[1] if to else None, "cause": cause}
    pending.add(
        session,
        HISTORY,
        {"number": row.number, "at": clock.now(), "actor": actor, "action": "reassigned",
         "status_from": row.status, "status_to": row.status, "reason": reason, "detail": detail},
    )  # fmt: skip
    payload = {"number": row.number, "office": row.office, "status": row.status, "channel": row.channel,
               "from_officer_id": old, "to_officer_id": row.assigned_officer_id} | detail  # fmt: skip
    outbox.record(
        session, type=DeclarationEvent.CHECK_REASSIGNED, unit=row.office, actor=actor, payload=payload
    )
    audit.append(
        session,
        actor=actor,
        action=DeclarationEvent.CHECK_REASSIGNED,
        target=f"declaration:{row.number}",
        unit=row.office,
        detail=detail | {"reason": reason[:200]},
    )


def change_officer(
    session: Session,
    *,
    username: str,
    change: officers.OfficerChange,
    actor: str,
    by: Principal | None = None,
) -> tuple[OfficerRow, list[str], int]:
    """An administrator's change to an officer (organization.officers), and at once, in the same
    transaction, their open checks handed on when they no longer belong on those offices' rosters."""
    row, recorded = officers.change_officer(session, username=username, change=change, actor=actor, by=by)
    moved = release_checks(session, officer_id=row.id, actor=actor) if recorded else 0
    return row, recorded, moved


def _next_after(names: list[str], last: str | None) -> int:
    if last is None:
        return 0
    if last in names:
        return names.index(last) + 1
    return sum(1 for n in names if n <= last)


def assign_checkers(session: Session, rows: list[DeclarationRow]) -> None:
    """Round-robin, 24/7, per office: each declaration gets the next officer after the last one assigned
    at its office. Offices' cursors are locked in office order (two writers never deadlock)."""
    by_office: dict[str, list[DeclarationRow]] = {}
    for row in rows:
        by_office.setdefault(row.office, []).append(row)
    if not by_office:
        return
    offices = sorted(by_office)
    q = select(CURSORS.c.office, CURSORS.c.last_officer).where(CURSORS.c.office.in_(offices))
    if session.get_bind().dialect.name == "postgresql":
        q = q.order_by(CURSORS.c.office).with_for_update()
    cursors: dict[str, str] = dict(session.execute(q).all())
    moved: dict[str, str] = {}
    on_roster = rosters(session, offices)
    for office in offices:
        officers = on_roster[office]
        if not officers:
            continue
        names = [n for _, n in officers]
        last = cursors.get(office)
        for row in by_office[office]:
            officer_id, last = officers[_next_after(names, last) % len(officers)]
            row.assigned_officer_id = officer_id
        moved[office] = last or ""
    pending.add_many(
        session, CURSORS, [{"office": o, "last_officer": n} for o, n in moved.items() if o not in cursors]
    )
    old = [{"b_office": o, "v_last": n} for o, n in moved.items() if o in cursors]
    if old:
        stmt = update(CURSORS).where(CURSORS.c.office == bindparam("b_office"))
        pending.add_statement(session, stmt.values(last_officer=bindparam("v_last")), old)


CURSORS = cast(Table, RosterCursorRow.__table__)


def reassign_open_checks(session: Session, *, offices: list[str]) -> int:
    """After offices were dissolved: each of their open checks keeps its officer if that officer is on the
    roster now serving the office (officers who moved with a merged unit), else goes round robin to that
    roster (an empty roster: unassigned, in the queue of every officer in scope). Returns how many moved."""
    q = select(DeclarationRow).where(
        DeclarationRow.office.in_(offices),
        DeclarationRow.status.in_([s.value for s in UNDER_CHECK]),
        DeclarationRow.channel.in_([Channel.YELLOW.value, Channel.RED.value]),
    )
    moved = []
    for row in session.scalars(q.order_by(DeclarationRow.registered_at, DeclarationRow.number)):
        if row.assigned_officer_id not in {i for i, _ in roster(session, row.office)}:
            row.assigned_officer_id = None
            moved.append(row)
    assign_checkers(session, moved)
    return len(moved)
