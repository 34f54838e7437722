"""Risk watch lists: add an entry (with who, why and from where), list the active ones, ask whether a value
is watched. Services never commit; the caller owns the transaction."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from haiquan.kit import audit, clock, outbox
from haiquan.kit.db import new_id
from haiquan.kit.errors import Conflict, ValidationFailed
from haiquan.reference import validators
from haiquan.risk.catalogue import RiskEvent
from haiquan.risk.watchlist_tables import WatchListEntry

KINDS = ("enterprise", "consignee", "route", "hs_code", "country")
_HS = re.compile(r"^(\d{4}|\d{6}|\d{8})$")


def normalize(kind: str, value: str) -> str:
    """The stored form of a value: a valid tax code, HS code (4, 6 or 8 digits), ISO country; names and
    routes with single spaces, consignee names in capitals. ValidationFailed names the field."""
    if kind not in KINDS:
        raise ValidationFailed(f"kind must be one of: {', '.join(KINDS)}", field="kind")
    raw = " ".join(value.split())
    if not raw or len(raw) > 200:
        raise ValidationFailed("value must be 1 to 200 characters", field="value")
    try:
        if kind == "enterprise":
            return validators.tax_code(raw)
        if kind == "country":
            return validators.country(raw)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="value") from exc
    if kind == "hs_code":
        digits = raw.replace(".", "")
        if not _HS.match(digits):
            raise ValidationFailed(f"{value!r}: an HS code to watch has 4, 6 or 8 digits", field="value")
        return digits
    return raw.upper() if kind == "consignee" else raw


def _active_clause(now: datetime) -> list[ColumnElement[bool]]:
    return [
        WatchListEntry.active.is_(True),
        or_(WatchListEntry.valid_until.is_(None), WatchListEntry.valid_until > now),
    ]


def add_entry(
    session: Session,
    *,
    kind: str,
    value: str,
    reason: str,
    source: str,
    actor: str,
    unit: str = "00",
    valid_until: datetime | None = None,
) -> WatchListEntry:
    """Add a value to a watch list. The same value from the same source twice is a Conflict."""
    norm = normalize(kind, value)
    if not reason.strip():
        raise ValidationFailed("say why the value is watched", field="reason")
    now = clock.now()
    if valid_until is not None and valid_until <= now:
        raise ValidationFailed("valid_until must be in the future", field="valid_until")
    dup = session.scalar(
        select(WatchListEntry).where(
            WatchListEntry.kind == kind,
            WatchListEntry.value == norm,
            WatchListEntry.source == source,
            *_active_clause(now),
        )
    )
    if dup is not None:
        raise Conflict(f"{kind} {norm} is already watched because of {source}", field="value")
    row = WatchListEntry(
        id=new_id(),
        kind=kind,
        value=norm,
        reason=reason.strip(),
        source=source,
        unit=unit,
        added_by=actor,
        added_at=now,
        valid_until=valid_until,
        active=True,
    )
    session.add(row)
    payload = {"id": row.id, "kind": kind, "value": norm, "source": source, "reason": row.reason}
    outbox.record(session, type=RiskEvent.WATCHLIST_ENTRY_ADDED, unit=unit, actor=actor, payload=payload)
    audit.append(
        session, actor=actor, action="risk.watchlist_add", target=f"watchlist:{kind}:{norm}", unit=unit,
        detail={"source": source, "reason": row.reason},
    )  # fmt: skip
    return row


def active_entries(session: Session, kind: str | None = None) -> list[WatchListEntry]:
    q = select(WatchListEntry).where(*_active_clause(clock.now()))
    if kind is not None:
        if kind not in KINDS:
            raise ValidationFailed(f"kind must be one of: {', '.join(KINDS)}", field="kind")
        q = q.where(WatchListEntry.kind == kind)
    return list(session.scalars(q.order_by(WatchListEntry.added_at, WatchListEntry.id)).all())


def is_watched(session: Session, kind: str, value: str) -> bool:
    """Whether an active entry covers the value; an HS code is covered by a watched 4- or 6-digit heading."""
    norm = normalize(kind, value)
    candidates = [norm]
    if kind == "hs_code":
        candidates = [norm[:n] for n in (4, 6, 8) if len(norm) >= n]
    q = select(WatchListEntry.id).where(
        WatchListEntry.kind == kind, WatchListEntry.value.in_(candidates), *_active_clause(clock.now())
    )
    return session.scalar(q.limit(1)) is not None
