"""Tax accounts as use cases: an enterprise's account on a day (its own, or an officer's within the
offices of the scope), the debt that blocks registration, and the nightly recompute of every position.
Services never commit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from haiquan.kit import clock, outbox
from haiquan.kit.auth import Principal
from haiquan.taxes import repository
from haiquan.taxes.catalogue import TaxEvent
from haiquan.taxes.domain import Account, Bucket, account
from haiquan.taxes.interest import LEGAL_RATE_PER_DAY


@dataclass(frozen=True)
class Blocking:
    """The debt overdue more than 90 days that refuses a registration: how much, and since when."""

    amount: Decimal
    since: date


def account_of(
    session: Session,
    *,
    principal: Principal,
    tax_code: str,
    on: date | None = None,
    rate_per_day: Decimal = LEGAL_RATE_PER_DAY,
) -> Account:
    """The enterprise's account on `on` (today in Vietnam by default), as the caller may read it."""
    found = repository.debts(session, scope=principal.scope, tax_code=tax_code)
    return account(found, on or clock.today_vn(), rate_per_day)


def unscoped_blocking(session: Session, tax_codes: set[str], on: date | None = None) -> dict[str, Blocking]:
    """Of these enterprises, those with a debt overdue more than 90 days on `on`, read from the ledger now
    (a payment confirmed a moment ago counts). Only dues with something still owed are read."""
    day = on or clock.today_vn()
    out: dict[str, Blocking] = {}
    for tax_code, debts in repository.unscoped_debts(session, tax_codes, only_open=True).items():
        acc = account(debts, day)
        if acc.blocking > 0 and acc.blocking_since is not None:
            out[tax_code] = Blocking(acc.blocking, acc.blocking_since)
    return out


def position_row(tax_code: str, acc: Account, now: Any) -> dict[str, Any]:
    b = acc.buckets
    return {
        "tax_code": tax_code, "outstanding": acc.outstanding, "overdue": acc.overdue, "interest": acc.interest,
        "not_due": b[Bucket.NOT_DUE], "d1_30": b[Bucket.D1_30], "d31_60": b[Bucket.D31_60],
        "d61_90": b[Bucket.D61_90], "over_90": b[Bucket.OVER_90], "oldest_due": acc.oldest_due,
        "stage": acc.stage.stage.value, "computed_on": acc.on, "computed_at": now,
    }  # fmt: skip


def recompute(
    session: Session,
    *,
    on: date | None = None,
    rate_per_day: Decimal = LEGAL_RATE_PER_DAY,
    progress: Callable[[int], None] | None = None,
    actor: str = "system:taxes",
) -> int:
    """Every enterprise's position on `on` from the ledger, replacing the last snapshot (nightly). Only
    enterprises that owe or owed something get a row. Returns how many."""
    day, now = on or clock.today_vn(), clock.now()
    rows: list[dict[str, Any]] = []
    for tax_code, debts in repository.unscoped_debts(session, None).items():
        acc = account(debts, day, rate_per_day)
        rows.append(position_row(tax_code, acc, now))
        if progress is not None and len(rows) % 1000 == 0:
            progress(1000)
    if progress is not None:
        progress(len(rows) % 1000)
    repository.unscoped_replace_positions(session, rows, computed_on=day)
    payload = {"day": day.isoformat(), "enterprises": len(rows), "overdue": sum(1 for r in rows if r["overdue"] > 0),
               "blocked": sum(1 for r in rows if r["over_90"] > 0)}  # fmt: skip
    outbox.record(session, type=TaxEvent.POSITIONS_RECOMPUTED, unit="00", actor=actor, payload=payload)
    return len(rows)


def recompute_due(session: Session, *, on: date | None = None) -> bool:
    """Whether today's positions are still to compute (the nightly duty asks every hour)."""
    last = repository.unscoped_last_computed_on(session)
    return last is None or last < (on or clock.today_vn())


def unscoped_overdue_days(session: Session, tax_code: str, on: date | None = None) -> int:
    """How many days the enterprise's oldest unpaid debt is past its due date (0: nothing overdue), from
    the ledger now (the compliance rating reads it)."""
    debts = repository.unscoped_debts(session, [tax_code], only_open=True).get(tax_code, [])
    acc = account(debts, on or clock.today_vn())
    return max((i.days_overdue for i in acc.items), default=0)
