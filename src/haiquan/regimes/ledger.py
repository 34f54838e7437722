"""Booking the stock ledger. Written only here, by the consumers of declaration events (handlers.py) and by
whoever books through `book` with the id of the event that caused it (finalisation, for consumption and
scrap): each event books once ((event_id, leg) is unique, and the dispatcher applies an event once per
consumer). Nothing is ever updated: an amendment or a cancellation books the reverse of what it undid."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from haiquan.declarations.catalogue import DeclarationEvent
from haiquan.kit import clock, outbox
from haiquan.kit.outbox import Event
from haiquan.regimes import deadlines, discrepancies, repository
from haiquan.regimes.catalogue import RegimeEvent
from haiquan.regimes.domain import (
    ZERO,
    Account,
    Entry,
    EntryKind,
    Item,
    LineFacts,
    ShortfallError,
    StockKey,
    apply,
    corrections,
    draw,
    entries_for,
)
from haiquan.regimes.repository import Declared
from haiquan.regimes.rules import RegimeRule, rule_for
from haiquan.regimes.tables import LedgerLegRow

ACTOR = "system:regimes"
LEGS = cast(Table, LedgerLegRow.__table__)


@dataclass(frozen=True)
class Owner:
    """Whose stock: the enterprise under the regime and the office that manages it."""

    tax_code: str
    enterprise_id: str | None
    unit: str


def book(
    session: Session,
    *,
    event_id: str,
    owner: Owner,
    entries: Sequence[Entry],
    at: datetime,
    declaration_number: str | None = None,
    procedure_code: str = "",
    first_leg: int = 0,
) -> int:
    """Write the entries' legs (two per entry, + debit and - credit) under the event that caused them;
    returns the next leg number. The caller has checked the stock (domain.apply)."""
    rows: list[dict[str, Any]] = []
    for n, e in enumerate(entries):
        for side, (account, regime), q in ((0, e.debit, e.quantity), (1, e.credit, -e.quantity)):
            rows.append({
                "event_id": event_id, "leg": first_leg + 2 * n + side, "entry_no": first_leg // 2 + n,
                "tax_code": owner.tax_code, "enterprise_id": owner.enterprise_id, "unit": owner.unit,
                "regime": regime, "account": account.value, "item_code": e.item.code, "item_unit": e.item.unit,
                "kind": e.kind.value, "quantity": q, "value_vnd": e.value_vnd, "duty_vnd": e.duty_vnd,
                "declaration_number": declaration_number, "line_no": e.line_no, "procedure_code": procedure_code,
                "at": at, "day": clock.vn_day(at),
            })  # fmt: skip
    if rows:
        session.execute(insert(LEGS), rows)
    return first_leg + 2 * len(entries)


def owner_of(d: Declared, enterprise_ids: dict[str, str]) -> Owner:
    """The enterprise under the regime: the importer of an import, the exporter of an export (else the
    declarant)."""
    r = d.row
    party = r.importer_tax_code if r.kind == "import" else r.exporter_tax_code
    tax = party or r.declarant_tax_code
    return Owner(
        tax, enterprise_ids.get(tax) or (r.declarant_id if tax == r.declarant_tax_code else None), r.office
    )


def line_facts(d: Declared) -> list[LineFacts]:
    out = []
    for ln in d.lines:
        duty = ln.import_duty + ln.excise + ln.vat + ln.export_duty
        out.append(
            LineFacts(ln.line_no, Item(ln.hs_code, ln.quantity_unit), ln.quantity, ln.customs_value_vnd, duty)
        )
    return out


def _without(held: dict[StockKey, Decimal], booked: Sequence[Entry]) -> dict[StockKey, Decimal]:
    """The stock as it was before these entries (a declaration's own, redrawn when it is amended)."""
    out = dict(held)
    for e in booked:
        for (account, regime), q in e.legs():
            if account is Account.STOCK:
                out[(regime, e.item)] = out.get((regime, e.item), ZERO) - q
    return out


def on_declaration(
    session: Session, ev: Event, d: Declared, owner: Owner, booked: list[Entry]
) -> list[Entry]:
    """Bring a declaration's entries to what it now says: cleared (or amended after clearance), its lines'
    movements; cancelled, none. Returns its entries afterwards. An outflow the stock cannot cover, or a
    correction that would take a stock below zero, is a discrepancy instead of an entry."""
    rule = rule_for(d.row.procedure_code)
    if rule is None or (ev.type != DeclarationEvent.CLEARED and not booked):
        return booked
    facts = line_facts(d)
    held = repository.unscoped_stock(session, owner.tax_code, {f.item.code for f in facts})
    wanted: list[Entry] = []
    if ev.type != DeclarationEvent.CANCELLED:
        chosen, short = draw(rule, facts, _without(held, booked))
        for s in short:
            discrepancies.shortfall(session, ev=ev, owner=owner, d=d, shortfall=s)
        gone = {s.line_no for s in short}
        wanted = entries_for(rule, [f for f in facts if f.line_no not in gone], chosen)
    todo = _checked(session, ev, owner, d, held, corrections(booked, wanted))
    book(session, event_id=ev.id, owner=owner, entries=todo, at=ev.occurred_at,
         declaration_number=d.row.number, procedure_code=d.row.procedure_code)  # fmt: skip
    if todo:
        deadlines.after_booking(session, rule=rule, owner=owner, d=d, entries=todo, at=ev.occurred_at)
        _booked_event(session, ev, rule, owner, d, todo)
    return [*booked, *todo]


def _checked(
    session: Session, ev: Event, owner: Owner, d: Declared, held: dict[StockKey, Decimal], todo: list[Entry]
) -> list[Entry]:
    """The entries the stock can take, one after another; each other one is a discrepancy."""
    ok: list[Entry] = []
    for e in todo:
        try:
            held = apply(held, [e])
        except ShortfallError as exc:
            discrepancies.shortfall(session, ev=ev, owner=owner, d=d, shortfall=exc.shortfall)
            continue
        ok.append(e)
    return ok


def _booked_event(
    session: Session, ev: Event, rule: RegimeRule, owner: Owner, d: Declared, todo: list[Entry]
) -> None:
    fixes = sum(e.kind is EntryKind.CORRECTION for e in todo)
    outbox.record(session, type=RegimeEvent.ENTRIES_BOOKED, unit=owner.unit, actor=ACTOR, payload={
        "number": d.row.number, "procedure_code": rule.code, "regime": str(rule.regime or "*"),
        "tax_code": owner.tax_code, "source": ev.id, "entries": len(todo) - fixes, "corrections": fixes,
    })  # fmt: skip
