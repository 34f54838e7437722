"""Posting balanced entries to the revenue ledger; each entry is also an outbox event (`revenue.posted`)
that the reports' daily rollups consume."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from haiquan.kit import clock, outbox
from haiquan.kit.clock import vn_day
from haiquan.kit.db import new_id
from haiquan.kit.errors import ValidationFailed
from haiquan.payments.catalogue import PaymentEvent
from haiquan.payments.domain import Account, EntryKind, Posting, balanced
from haiquan.payments.tables import LedgerLineRow


def entry(
    *,
    office: str,
    kind: EntryKind,
    postings: list[Posting],
    source: str,
    actor: str,
    declaration_number: str | None = None,
    at: datetime | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]] | None:
    """One balanced entry as ledger line rows and its `revenue.posted` outbox row (None: no amounts)."""
    if not postings:
        return None
    if not balanced(postings):
        raise ValidationFailed("a ledger entry must balance: debits equal credits", field="postings")
    when = at or clock.now()
    entry_id, day = new_id(), vn_day(when)
    lines = [
        {"entry_id": entry_id, "office": office, "day": day, "at": when, "kind": kind.value,
         "account": p.account.value, "debit": p.debit, "credit": p.credit,
         "declaration_number": declaration_number, "source": source}
        for p in postings
    ]  # fmt: skip
    event = outbox.row_for(type=PaymentEvent.REVENUE_POSTED, unit=office, actor=actor, payload={
        "entry_id": entry_id, "office": office, "day": day.isoformat(), "kind": kind.value,
        "declaration_number": declaration_number,
        "lines": [{"account": p.account.value, "debit": str(p.debit), "credit": str(p.credit)} for p in postings],
    })  # fmt: skip
    return lines, event


def write_lines(session: Session, lines: list[dict[str, Any]]) -> None:
    """Ledger lines of many entries in one executemany."""
    if lines:
        session.execute(insert(cast(Table, LedgerLineRow.__table__)), lines)


def post(
    session: Session,
    *,
    office: str,
    kind: EntryKind,
    postings: list[Posting],
    source: str,
    actor: str,
    declaration_number: str | None = None,
    at: datetime | None = None,
) -> str | None:
    """Write one balanced entry. An entry with no amounts writes nothing. Returns the entry id."""
    made = entry(office=office, kind=kind, postings=postings, source=source, actor=actor,
                 declaration_number=declaration_number, at=at)  # fmt: skip
    if made is None:
        return None
    lines, event = made
    session.add_all(LedgerLineRow(**line) for line in lines)
    outbox.record_many(session, [event])
    return str(lines[0]["entry_id"])


def balances(session: Session, *, offices: frozenset[str] | None) -> dict[str, Decimal]:
    """Debit-minus-credit balance per account over the given offices (None: every office)."""
    q = select(LedgerLineRow.account, func.sum(LedgerLineRow.debit), func.sum(LedgerLineRow.credit)).group_by(
        LedgerLineRow.account
    )
    if offices is not None:
        q = q.where(LedgerLineRow.office.in_(offices))
    out = {a.value: Decimal(0) for a in Account}
    for account, debit, credit in session.execute(q):
        out[account] = Decimal(str(debit or 0)) - Decimal(str(credit or 0))
    return out


def totals(session: Session) -> tuple[Decimal, Decimal]:
    d, c = session.execute(select(func.sum(LedgerLineRow.debit), func.sum(LedgerLineRow.credit))).one()
    return Decimal(str(d or 0)), Decimal(str(c or 0))
