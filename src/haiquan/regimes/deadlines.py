"""Deadlines under the regimes: opened per declaration line when goods enter a regime with a term (re-export
by, storage limit, contract term), discharged by the stock's outflows oldest first, and watched by the
periodic job (declarations.escalation's round): near, the enterprise and the officer are told; passed with
goods left, the duty on them is assessed in payments (payments.service.assessed) and the reserving
guarantees are called."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.kit import clock, outbox
from haiquan.kit.db import new_id
from haiquan.payments import guarantees
from haiquan.payments import service as payments
from haiquan.payments.domain import payer_of
from haiquan.regimes import alerts
from haiquan.regimes.catalogue import RegimeEvent
from haiquan.regimes.domain import (
    ZERO,
    Account,
    DeadlineState,
    Entry,
    EntryKind,
    allocate,
    deadline_state,
    duty_left,
)
from haiquan.regimes.rules import RegimeRule, regime_name, rule_for
from haiquan.regimes.tables import DeadlineRow

if TYPE_CHECKING:
    from haiquan.regimes.ledger import Owner
    from haiquan.regimes.repository import Declared

ACTOR = "system:regimes"
LIVE = (DeadlineState.OPEN, DeadlineState.DUE_SOON, DeadlineState.OVERDUE)
OUT_KINDS = frozenset({EntryKind.REEXPORT, EntryKind.DOMESTIC_SALE})


def after_booking(
    session: Session, *, rule: RegimeRule, owner: Owner, d: Declared, entries: Sequence[Entry], at: datetime
) -> None:
    """Open the deadlines of goods that entered; discharge, oldest first, those the outflows took."""
    for e in entries:
        if e.kind is EntryKind.IN and e.debit[0] is Account.STOCK and rule.deadline_days is not None:
            _open(session, rule, owner, d, e, at)
        elif e.kind in OUT_KINDS:
            _discharge(session, owner, d, e, at)


def _open(session: Session, rule: RegimeRule, owner: Owner, d: Declared, e: Entry, at: datetime) -> None:
    number, line_no = d.row.number, e.line_no or 0
    known = select(DeadlineRow.id).where(
        DeadlineRow.declaration_number == number, DeadlineRow.line_no == line_no
    )
    if session.scalar(known) is not None:
        return
    start = clock.vn_day(at)
    due = start + timedelta(days=rule.deadline_days or 0)
    session.add(DeadlineRow(
        id=new_id(), tax_code=owner.tax_code, enterprise_id=owner.enterprise_id, unit=owner.unit,
        regime=e.debit[1], kind=rule.deadline_kind, declaration_number=number, line_no=line_no,
        procedure_code=rule.code, item_code=e.item.code, item_unit=e.item.unit, quantity=e.quantity,
        quantity_left=e.quantity, duty_at_stake=e.duty_vnd, starts_on=start, due_on=due, warn_days=rule.warn_days,
        state=deadline_state(due, rule.warn_days, start, e.quantity).value, duty_booked=ZERO, updated_at=at,
    ))  # fmt: skip
    session.flush()


def _discharge(session: Session, owner: Owner, d: Declared, e: Entry, at: datetime) -> None:
    regime = e.credit[1]
    q = (
        select(DeadlineRow)
        .where(DeadlineRow.tax_code == owner.tax_code, DeadlineRow.regime == regime,
               DeadlineRow.item_code == e.item.code, DeadlineRow.item_unit == e.item.unit,
               DeadlineRow.state.in_([s.value for s in LIVE]))
        .order_by(DeadlineRow.due_on, DeadlineRow.starts_on, DeadlineRow.id)
    )  # fmt: skip
    rows = {r.id: r for r in session.scalars(q)}
    for key, take in allocate([(k, r.quantity_left) for k, r in rows.items()], e.quantity):
        row = rows[key]
        row.quantity_left -= take
        row.updated_at = at
        if row.quantity_left <= 0:
            late = clock.vn_day(at) > row.due_on
            row.state, row.discharged_at = DeadlineState.DISCHARGED.value, at
            guarantees.release_reserved(session, declaration_number=row.declaration_number, actor=ACTOR,
                                        reason=f"discharged by {d.row.number}")  # fmt: skip
            _event(session, RegimeEvent.DEADLINE_DISCHARGED, row, d.row, late=late)


def _event(session: Session, type_: RegimeEvent, row: DeadlineRow, decl: Any, **extra: Any) -> None:
    payload = {
        "deadline_id": row.id, "number": row.declaration_number, "line_no": row.line_no, "deadline_kind": row.kind, "kind": decl.kind,
        "regime": row.regime, "tax_code": row.tax_code, "declarant_id": decl.declarant_id,
        "importer_tax_code": decl.importer_tax_code, "exporter_tax_code": decl.exporter_tax_code,
        "due_on": row.due_on.isoformat(), "quantity_left": str(row.quantity_left),
        "duty_at_stake": str(row.duty_at_stake),
    }  # fmt: skip
    outbox.record(session, type=type_, unit=row.unit, actor=ACTOR, payload=payload | extra)


def scan(session: Session, *, today: date | None = None, limit: int = 500) -> dict[str, int]:
    """The periodic round: deadlines that became near or passed since the last one (each once)."""
    from haiquan.declarations.tables import DeclarationRow

    day = today or clock.today_vn()
    horizon = day + timedelta(days=60)
    q = (
        select(DeadlineRow, DeclarationRow)
        .join(DeclarationRow, DeclarationRow.number == DeadlineRow.declaration_number)
        .where(DeadlineRow.state.in_([DeadlineState.OPEN.value, DeadlineState.DUE_SOON.value]),
               DeadlineRow.due_on <= horizon)
        .order_by(DeadlineRow.due_on)
        .limit(limit)
    )  # fmt: skip
    done = {"near": 0, "passed": 0}
    passed: dict[str, list[DeadlineRow]] = {}
    decls: dict[str, Any] = {}
    for row, decl in session.execute(q).all():
        state = deadline_state(row.due_on, row.warn_days, day, row.quantity_left)
        if state is DeadlineState.DUE_SOON and row.state == DeadlineState.OPEN.value:
            _near(session, row, decl)
            done["near"] += 1
        elif state is DeadlineState.OVERDUE:
            passed.setdefault(decl.number, []).append(row)
            decls[decl.number] = decl
    for number, rows in passed.items():
        _passed(session, rows, decls[number])
        done["passed"] += len(rows)
    return done


def _near(session: Session, row: DeadlineRow, decl: Any) -> None:
    now = clock.now()
    row.state, row.warned_at, row.updated_at = DeadlineState.DUE_SOON.value, now, now
    vi, en = regime_name(row.regime)
    alerts.raise_alert(
        session, unit=row.unit, tax_code=row.tax_code, kind="deadline_near", declaration_number=row.declaration_number,
        message_vi=f"Sắp đến hạn ({vi}) {row.due_on:%d/%m/%Y}: tờ khai {row.declaration_number} dòng {row.line_no}, còn {row.quantity_left} {row.item_unit}",
        message_en=f"Deadline near ({en}) {row.due_on}: declaration {row.declaration_number} line {row.line_no}, {row.quantity_left} {row.item_unit} left",
        dedupe_key=f"deadline_near:{row.id}",
    )  # fmt: skip
    _event(session, RegimeEvent.DEADLINE_NEARED, row, decl)


def _passed(session: Session, rows: list[DeadlineRow], decl: Any) -> None:
    """A declaration's lines overdue with goods left: the duty on what is left assessed now, once for the
    declaration (payments keeps one due per declaration), the guarantees reserving it called."""
    now = clock.now()
    total = ZERO
    rule = rule_for(decl.procedure_code)
    owed = rule is not None and rule.duty_when == "deadline_passed"
    for row in rows:
        duty = duty_left(row.duty_at_stake, row.quantity, row.quantity_left) if owed else ZERO
        row.state, row.overdue_at, row.updated_at, row.duty_booked = (
            DeadlineState.OVERDUE.value,
            now,
            now,
            duty,
        )
        total += duty
    payer = payer_of(decl.kind, decl.importer_tax_code, decl.declarant_tax_code)
    payments.assessed(session, number=decl.number, office=decl.office, payer=payer, total=total,
                      source=f"regime-deadline:{rows[0].id}")  # fmt: skip
    session.flush()  # the due just assessed, for the guarantees called to cover
    guarantees.call_reserved(session, declaration_number=decl.number, actor=ACTOR)
    for row in rows:
        _passed_alert(session, row)
        _event(session, RegimeEvent.DEADLINE_PASSED, row, decl, duty_booked=str(row.duty_booked))


def _passed_alert(session: Session, row: DeadlineRow) -> None:
    vi, en = regime_name(row.regime)
    duty = row.duty_booked
    alerts.raise_alert(
        session, unit=row.unit, tax_code=row.tax_code, kind="deadline_passed", declaration_number=row.declaration_number,
        message_vi=f"Quá hạn ({vi}) {row.due_on:%d/%m/%Y}: tờ khai {row.declaration_number} dòng {row.line_no}, còn {row.quantity_left} {row.item_unit}; thuế phải nộp {duty} đồng",
        message_en=f"Deadline passed ({en}) {row.due_on}: declaration {row.declaration_number} line {row.line_no}, {row.quantity_left} {row.item_unit} left; duty now due {duty} VND",
        dedupe_key=f"deadline_passed:{row.id}",
    )  # fmt: skip
