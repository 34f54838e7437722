"""Registration (IDC/EDC): the declarant's eligibility, the channel the risk engine assigns, the duties'
payment reference written in the same transaction, and the checkers assigned. Many at once in a group
commit (changes.Register): the rows are locked and their lines read in one statement each, the changes
written in one update."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from haiquan.agencies.requests import request_permits
from haiquan.declarations import repository
from haiquan.declarations.assignment import assign_checkers
from haiquan.declarations.clearance import after_checks
from haiquan.declarations.domain import (
    Channel,
    Command,
    Status,
    allows,
    check_deadline,
    check_registrable,
)
from haiquan.declarations.events import transition
from haiquan.declarations.tables import DeclarationLineRow, DeclarationRow
from haiquan.kit import clock, pending
from haiquan.kit.auth import Principal
from haiquan.kit.errors import Forbidden, NotFound
from haiquan.origin import lanes as origin_lanes
from haiquan.payments import service as payments
from haiquan.payments.domain import payer_of
from haiquan.regimes import admission
from haiquan.risk.channel import ChannelEngine, DeclarationFacts, LineFacts
from haiquan.taxes import service as taxes
from haiquan.taxes.domain import BLOCKING_DAYS

OVERDUE_LIMIT_DAYS = BLOCKING_DAYS  # Luật Quản lý thuế 2019 Art. 124(1)(a)


def check_eligibility(ent: repository.Declarant) -> None:
    if ent.status != "active":
        raise Forbidden(
            f"the declarant is {ent.status}: registration refused",
            field="declarant",
            code="declarant_ineligible",
        )
    if ent.overdue_amount > 0:
        since = ent.overdue_since.isoformat() if ent.overdue_since else ""
        raise Forbidden(
            f"{ent.debtor} owes {ent.overdue_amount} VND of tax debt overdue more than {OVERDUE_LIMIT_DAYS}"
            f" days, due since {since}: registration refused until it is paid",
            field="declarant",
            code="declarant_tax_debt",
            errors=[
                {"field": "declarant.overdue_amount", "message": str(ent.overdue_amount)},
                {"field": "declarant.overdue_since", "message": since},
            ],
        )


def facts_from_rows(
    row: DeclarationRow, lines: list[DeclarationLineRow], compliance_class: str
) -> DeclarationFacts:
    """A declaration as the channel engine reads it (also used to replay profiles against history)."""
    return DeclarationFacts(
        number=row.number,
        office=row.office,
        kind=row.kind,
        category=row.category,
        procedure_code=row.procedure_code,
        declarant_tax_code=row.declarant_tax_code,
        importer_tax_code=row.importer_tax_code,
        exporter_tax_code=row.exporter_tax_code,
        partner_country=row.partner_country,
        transport_mode=row.transport_mode,
        total_value_vnd=row.customs_value_vnd,
        total_duties_vnd=row.total_duties,
        compliance_class=compliance_class,
        lines=[LineFacts(ln.hs_code, ln.origin_country, ln.quantity, ln.customs_value_vnd) for ln in lines],
    )


def may_register(principal: Principal, row: DeclarationRow) -> bool:
    """What `register` refuses before reading a line (the caller's role and scope, the status), checked
    on the declaration's row alone: the lines of a declaration another declarant asks for, or of one
    already registered, are never read (`repository.load_lines` only for those that pass)."""
    return (
        principal.is_enterprise
        and "declarant" in principal.enterprise_roles
        and repository.visible(row, scope=principal.scope)
        and allows(Status(row.status), Command.REGISTER)
    )


def read_for_registration(
    session: Session, wanted: list[tuple[Principal, str]]
) -> dict[str, repository.Locked]:
    """Lock the declarations (one row each), then read in one statement the lines of those the asker may
    register: memory linear in the lines, and nothing read for a number outside the asker's scope."""
    locked = repository.unscoped_lock_for_registration(session, [number for _, number in wanted])
    readable = [
        locked[number]
        for principal, number in wanted
        if number in locked and may_register(principal, locked[number].row)
    ]
    repository.unscoped_load_lines(session, readable)
    return locked


def read_tax_debts(session: Session, targets: list[repository.Locked]) -> None:
    """The debt overdue more than 90 days of each declaration's declarant or payer (the importer of an
    import), derived from the ledger now (taxes): one read for the batch, of the dues still owed."""
    debtors = {t.row.number: _debtors(t) for t in targets}
    blocked = taxes.unscoped_blocking(session, {c for cs in debtors.values() for c in cs})
    for t in targets:
        found = [(c, blocked[c]) for c in debtors[t.row.number] if c in blocked]
        if found:
            code, debt = found[0]
            t.declarant = replace(
                t.declarant, overdue_amount=debt.amount, overdue_since=debt.since, debtor=code
            )


def _debtors(t: repository.Locked) -> list[str]:
    payer = payer_of(t.row.kind, t.row.importer_tax_code, t.row.declarant_tax_code)
    return list(dict.fromkeys(c for c in (t.declarant.tax_code, payer) if c))


def register(
    session: Session,
    *,
    principal: Principal,
    number: str,
    target: repository.Locked | None,
    engine: ChannelEngine,
) -> DeclarationRow:
    """IDC/EDC on a declaration read and locked by `read_for_registration` (for many at once
    in a group commit); `save_registered` writes the change and assigns checkers."""
    principal.require_enterprise("declarant")
    if target is None or not repository.visible(target.row, scope=principal.scope):
        raise NotFound(f"no declaration {number} in your scope", field="number")
    row, now = target.row, clock.now()
    check_registrable(Status(row.status), row.expires_at, now)
    check_eligibility(target.declarant)
    assert target.lines_read, "read_for_registration reads the lines of a declaration that may register"
    facts = facts_from_rows(row, target.lines, target.declarant.compliance_class)
    decision = origin_lanes.with_origin(
        session, engine.assign(facts, session=session), row.number, target.lines
    )
    target.changed = True
    row.channel, row.channel_reasons, row.risk_score = decision.channel, decision.reasons, decision.score
    row.registered_at = now
    row.check_deadline = check_deadline(Channel(decision.channel), now)
    due_now = admission.due_at_registration(row.procedure_code, row.total_duties)  # suspended regimes
    row.duties_settled = due_now == 0
    row.settlement = ("none_due" if row.total_duties == 0 else "suspended") if row.duties_settled else None
    row.updated_at = now
    event_id = transition(
        session,
        row,
        Command.REGISTER,
        actor=principal.label,
        detail={"channel": decision.channel, "reasons": decision.reasons},
    )
    row.agency_hold = request_permits(session, row, target.lines, actor="system:agencies") > 0
    payments.assessed_at_registration(
        session,
        number=row.number,
        office=row.office,
        payer=payer_of(row.kind, row.importer_tax_code, row.declarant_tax_code),
        total=due_now,
        source=event_id,
    )
    if decision.channel in (Channel.GREEN, Channel.BLUE):  # blue: the audit team's queue takes it later
        row.checks_passed = True
        after_checks(session, row, actor="system:channel")
        return row
    target.needs_checker = True
    if decision.channel == Channel.RED:
        transition(session, row, Command.ROUTE_TO_INSPECTION, actor="system:channel")
    return row


def save_registered(session: Session, targets: list[repository.Locked]) -> None:
    """Write registered declarations: checkers assigned round-robin per office, then one update."""
    changed = list({id(t): t for t in targets if t.changed}.values())
    assign_checkers(session, [t.row for t in changed if t.needs_checker])
    repository.unscoped_save(session, changed)


def register_one(
    session: Session, *, principal: Principal, number: str, engine: ChannelEngine
) -> DeclarationRow:
    """Register one declaration in the caller's transaction (the demo, the CLI)."""
    pending.flush_rows(session)  # a declaration lodged earlier in this transaction
    target = read_for_registration(session, [(principal, number)]).get(number)
    read_tax_debts(session, [target] if target is not None and target.lines_read else [])
    row = register(session, principal=principal, number=number, target=target, engine=engine)
    assert target is not None
    save_registered(session, [target])
    pending.flush_rows(session)  # the caller may read the declaration again before committing
    return row
