"""Value control: accepted unit values per HS line and origin, learned from history with robust
quantiles (median ± 3 MAD of log unit values) and editable by analysts. Services never commit."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.declarations.tables import DeclarationLineRow, DeclarationRow
from haiquan.kit import audit, clock, outbox
from haiquan.kit.errors import NotFound, ValidationFailed
from haiquan.risk.catalogue import RiskEvent
from haiquan.risk.domain import robust_bounds
from haiquan.risk.schemas import ValueControlIn
from haiquan.risk.tables import ValueControlRow

ANY_ORIGIN = "*"


def listing(session: Session, *, hs_prefix: str = "", limit: int = 500) -> list[ValueControlRow]:
    q = select(ValueControlRow)
    if hs_prefix:
        q = q.where(ValueControlRow.hs_code.startswith(hs_prefix))
    return list(
        session.scalars(q.order_by(ValueControlRow.hs_code, ValueControlRow.origin).limit(limit)).all()
    )


def edit(session: Session, *, hs_code: str, origin: str, data: ValueControlIn, actor: str) -> ValueControlRow:
    """Set the bounds by hand; a manual row is kept by later recomputations."""
    if not (len(hs_code) == 8 and hs_code.isdigit()):
        raise ValidationFailed("hs_code has 8 digits", field="hs_code")
    origin = origin.upper()
    if origin != ANY_ORIGIN and not (len(origin) == 2 and origin.isalpha()):
        raise ValidationFailed("origin is an ISO country code or '*'", field="origin")
    if data.min_unit_value >= data.max_unit_value:
        raise ValidationFailed("min_unit_value must be below max_unit_value", field="min_unit_value")
    row = session.get(ValueControlRow, (hs_code, origin))
    now = clock.now()
    if row is None:
        median = (data.min_unit_value + data.max_unit_value) / 2
        row = ValueControlRow(hs_code=hs_code, origin=origin, median_unit_value=median, sample_size=0)
        session.add(row)
    row.min_unit_value, row.max_unit_value = data.min_unit_value, data.max_unit_value
    row.source, row.updated_at, row.updated_by = "manual", now, actor
    payload = {
        "hs_code": hs_code,
        "origin": origin,
        "min": str(data.min_unit_value),
        "max": str(data.max_unit_value),
    }
    outbox.record(
        session,
        type=RiskEvent.VALUE_CONTROL_EDITED,
        unit="00",
        actor=actor,
        payload={**payload, "why": data.why},
    )
    audit.append(
        session,
        actor=actor,
        action="risk.value_control_edited",
        target=f"value_control:{hs_code}:{origin}",
        detail=payload,
    )
    return row


def remove(session: Session, *, hs_code: str, origin: str, actor: str) -> None:
    row = session.get(ValueControlRow, (hs_code, origin.upper()))
    if row is None:
        raise NotFound(f"no value-control row for {hs_code}/{origin}", field="hs_code")
    session.delete(row)
    audit.append(
        session, actor=actor, action="risk.value_control_removed", target=f"value_control:{hs_code}:{origin}"
    )


def recompute(session: Session, *, days: int, min_samples: int, actor: str) -> dict[str, int]:
    """Learn bounds from the unit values of lines registered in the last `days` days (manual rows kept)."""
    since = clock.now() - timedelta(days=days)
    q = (
        select(
            DeclarationLineRow.hs_code,
            DeclarationLineRow.origin_country,
            DeclarationLineRow.customs_value_vnd,
            DeclarationLineRow.quantity,
        )
        .join(DeclarationRow, DeclarationRow.number == DeclarationLineRow.number)
        .where(DeclarationRow.registered_at >= since, DeclarationLineRow.quantity > 0)
    )
    groups: dict[tuple[str, str], list[float]] = defaultdict(list)
    for hs, origin, value, qty in session.execute(q):
        uv = float(Decimal(value) / Decimal(qty))
        groups[(hs, origin)].append(uv)
        groups[(hs, ANY_ORIGIN)].append(uv)
    manual = {
        (r.hs_code, r.origin)
        for r in session.scalars(select(ValueControlRow).where(ValueControlRow.source == "manual"))
    }
    written = skipped = 0
    now = clock.now()
    for key, values in sorted(groups.items()):
        b = robust_bounds(values) if len(values) >= min_samples else None
        if b is None or key in manual:
            skipped += 1
            continue
        row = session.get(ValueControlRow, key) or ValueControlRow(hs_code=key[0], origin=key[1])
        row.min_unit_value, row.max_unit_value, row.median_unit_value = b.low, b.high, b.median
        row.sample_size, row.source, row.updated_at, row.updated_by = b.n, "learned", now, actor
        session.add(row)
        written += 1
    result = {"groups": len(groups), "written": written, "skipped": skipped}
    outbox.record(
        session,
        type=RiskEvent.VALUE_CONTROL_RECOMPUTED,
        unit="00",
        actor=actor,
        payload={**result, "days": days},
    )
    audit.append(
        session, actor=actor, action="risk.value_control_recomputed", target="value_control", detail=result
    )
    return result
