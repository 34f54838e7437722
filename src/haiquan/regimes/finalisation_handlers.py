"""A reconciled finalisation books what production used: a `consumed` entry per material (stock → consumed),
dated the period's last day, never more than the stock held then or now, so the next period opens from what
is really left. Exactly once: the legs are keyed by the event's id (regimes.ledger.book)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from haiquan.kit import clock
from haiquan.kit.db import UnitOfWork
from haiquan.kit.outbox import Consumer, Event
from haiquan.regimes import finalisation_repository as repo
from haiquan.regimes.catalogue import FinalisationEvent
from haiquan.regimes.domain import ZERO, Account, Entry, EntryKind, Item, apply, stock
from haiquan.regimes.ledger import Owner, book
from haiquan.regimes.repository import unscoped_stock


def consumption(
    regime: str, used: list[tuple[Item, Decimal, Decimal]], held: dict[tuple[str, Item], Decimal]
) -> list[Entry]:
    """(item, used, closing at the period's end) → the entries, each capped by the stock (never negative)."""
    out = []
    for item, q, closing in used:
        take = min(q, closing, held.get((regime, item), ZERO))
        if take > 0:
            out.append(Entry(EntryKind.CONSUMED, item, take, (Account.CONSUMED, regime), stock(regime)))
    return out


def on_reconciled(uow: UnitOfWork, event: Event) -> None:
    p = event.payload
    s = uow.session
    lines = repo.unscoped_lines(s, str(p["finalisation_id"]))
    used = [(Item(x.material_code, x.material_unit), x.used, x.opening + x.inflow - x.outflow) for x in lines]
    regime, tax = str(p["regime"]), str(p["tax_code"])
    held = unscoped_stock(s, tax, {i.code for i, q, _ in used if q > 0})
    entries = consumption(regime, used, held)
    apply(held, entries)  # checked: the stock never goes below zero
    end = date.fromisoformat(str(p["period_end"]))
    at = datetime.combine(end, time(12), tzinfo=clock.VN)
    owner = Owner(tax, repo.unscoped_enterprise_of(s, str(p["finalisation_id"])), str(p["unit"]))
    book(s, event_id=event.id, owner=owner, entries=entries, at=at)


def consumers() -> list[Consumer]:
    return [
        Consumer("regimes.finalisation_consumption", frozenset({FinalisationEvent.RECONCILED}), on_reconciled)
    ]
