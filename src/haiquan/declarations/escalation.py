"""Overdue checks escalate to the team lead: a yellow or red check still open past its legal time limit is
escalated, once, to the team lead on duty of the assigned officer's unit (else of the nearest unit of the
office's roster; else to its sub-department leader). The team lead finds it in their queue
(`GET /api/v1/officer/queue?escalated=true`); the history, an event and the audit log keep it. A background
duty, one process per database, looks every minute."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.agencies.service import flag_overdue as flag_overdue_permits
from haiquan.applications.service import flag_overdue as flag_overdue_applications
from haiquan.cargo import writeoff
from haiquan.declarations.assignment import HISTORY, open_checks, roster_units
from haiquan.declarations.catalogue import DeclarationEvent
from haiquan.declarations.tables import DeclarationRow
from haiquan.kit import audit, clock, outbox, pending
from haiquan.kit.auth import Role
from haiquan.kit.db import Database
from haiquan.kit.leader import Leadership, run_duty
from haiquan.kit.settings import Settings, get_settings
from haiquan.organization.service import TREES
from haiquan.organization.tables import OfficerRow
from haiquan.regimes import deadlines as regime_deadlines

ACTOR = "system:escalation"
LEAD_ROLES = (Role.TEAM_LEAD.value, Role.SUBDEPARTMENT_LEADER.value)
Lead = tuple[str, str, str, str]  # (id, username, unit, role)


def leads_for(session: Session, units: set[str]) -> list[Lead]:
    """Team leads and sub-department leaders on duty in `units`."""
    if not units:
        return []
    q = select(OfficerRow.id, OfficerRow.username, OfficerRow.unit, OfficerRow.role).where(
        OfficerRow.unit.in_(sorted(units)),
        OfficerRow.role.in_(LEAD_ROLES),
        OfficerRow.active.is_(True),
        OfficerRow.on_roster.is_(True),
    )
    return list(session.execute(q.order_by(OfficerRow.username)).all())


def pick_lead(leads: list[Lead], units: list[str], assignee_unit: str | None) -> Lead | None:
    """The team lead of the assignee's unit, else the nearest team lead of the roster's units, else the
    nearest sub-department leader."""
    order = ([assignee_unit] if assignee_unit else []) + units
    for role in LEAD_ROLES:
        for unit in order:
            found = next((ld for ld in leads if ld[2] == unit and ld[3] == role), None)
            if found is not None:
                return found
    return None


def escalate_overdue(session: Session, *, limit: int = 500) -> int:
    """Escalate the open checks past their time limit not escalated yet; returns how many."""
    now = clock.now()
    q = open_checks().where(DeclarationRow.check_deadline < now, DeclarationRow.escalated_at.is_(None))
    q = q.order_by(DeclarationRow.check_deadline, DeclarationRow.number).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True)
    rows = list(session.scalars(q).all())
    if not rows:
        return 0
    tree = TREES.get(session)
    units = {r.office: roster_units(tree, r.office) for r in rows}
    ids = {r.assigned_officer_id for r in rows if r.assigned_officer_id}
    q_homes = select(OfficerRow.id, OfficerRow.unit).where(OfficerRow.id.in_(ids))
    homes: dict[str, str] = dict(session.execute(q_homes).all())
    leads = leads_for(session, {u for us in units.values() for u in us} | set(homes.values()))
    done = 0
    for row in rows:
        lead = pick_lead(leads, units[row.office], homes.get(row.assigned_officer_id or ""))
        if lead is not None:
            _escalate(session, row, lead)
            done += 1
    return done


def _escalate(session: Session, row: DeclarationRow, lead: Lead) -> None:
    now = clock.now()
    row.escalated_to, row.escalated_at, row.updated_at = lead[0], now, now
    late = int((now - row.check_deadline).total_seconds()) if row.check_deadline else 0
    detail = {"to": lead[1], "role": lead[3], "deadline": str(row.check_deadline), "seconds_late": late}
    pending.add(
        session,
        HISTORY,
        {"number": row.number, "at": now, "actor": ACTOR, "action": "escalated", "status_from": row.status,
         "status_to": row.status, "reason": "", "detail": detail},
    )  # fmt: skip
    payload = {"number": row.number, "office": row.office, "status": row.status, "channel": row.channel,
               "assigned_officer_id": row.assigned_officer_id, "escalated_to": lead[0]} | detail  # fmt: skip
    outbox.record(
        session, type=DeclarationEvent.CHECK_ESCALATED, unit=row.office, actor=ACTOR, payload=payload
    )
    audit.append(
        session, actor=ACTOR, action=DeclarationEvent.CHECK_ESCALATED, target=f"declaration:{row.number}", unit=row.office,
        detail=detail,
    )  # fmt: skip


@dataclass
class Escalations:
    """The background duty: escalate what is overdue every `interval` seconds (one process per database)."""

    db: Database
    settings: Settings | None = None  # None: the process's settings
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def run_once(self) -> int:
        with self.db.unit_of_work() as uow:
            done = escalate_overdue(uow.session)
            flag_overdue_permits(uow.session)  # other agencies' late permits, alerted in the same round
            flag_overdue_applications(uow.session)  # traders' applications past their legal deadline
            regime_deadlines.scan(uow.session)  # special regimes' deadlines near or passed (issue #19)
            uow.commit()
        with self.db.unit_of_work() as uow:  # manifests past their legal period written off, each once (#18)
            writeoff.close_all_due(uow.session, days=(self.settings or get_settings()).writeoff_days)
            uow.commit()
        return done

    def start(self, interval: float = 60.0, leadership: Leadership | None = None) -> None:
        if self._thread is None:
            self._thread = run_duty("escalations", interval, self.run_once, self._stop, leadership)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
