"""Lane rates per office (validated: each 0-100, summing to 100, a minimum random share) and analysts'
lane overrides. Services never commit."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.declarations.tables import DeclarationRow
from haiquan.kit import audit, clock, outbox
from haiquan.kit.db import new_id
from haiquan.kit.errors import NotFound, ValidationFailed
from haiquan.organization.tables import UnitRow
from haiquan.risk.catalogue import RiskEvent
from haiquan.risk.domain import LaneRates, RateError
from haiquan.risk.schemas import LaneRatesIn, LaneRatesOut, OverrideIn
from haiquan.risk.tables import LaneRateRow, OverrideRow

DEFAULT_OFFICE = "*"


def rates(session: Session, office: str) -> LaneRatesOut:
    row = session.get(LaneRateRow, office) or session.get(LaneRateRow, DEFAULT_OFFICE)
    if row is None:
        d = LaneRates()
        return LaneRatesOut(
            office=office,
            green=d.green,
            yellow=d.yellow,
            red=d.red,
            random_share=d.random_share,
            configured=False,
            blue=d.blue,
        )
    return LaneRatesOut(
        office=office,
        green=row.green,
        yellow=row.yellow,
        red=row.red,
        random_share=row.random_share,
        configured=row.office == office,
        blue=row.blue or 0,
    )


def set_rates(session: Session, *, office: str, data: LaneRatesIn, actor: str) -> LaneRatesOut:
    if office != DEFAULT_OFFICE and session.get(UnitRow, office) is None:
        raise NotFound(f"unknown office {office!r}", field="office")
    try:
        LaneRates(data.green, data.yellow, data.red, data.random_share, data.blue)
    except RateError as exc:
        raise ValidationFailed(str(exc), field=exc.field, code="bad_rates") from exc
    row = session.get(LaneRateRow, office)
    if row is None:
        row = LaneRateRow(office=office)
        session.add(row)
    row.green, row.yellow, row.red, row.random_share = data.green, data.yellow, data.red, data.random_share
    row.blue = data.blue
    row.updated_at, row.updated_by = clock.now(), actor
    payload = {"office": office, **{k: str(v) for k, v in data.model_dump().items()}}
    unit = "00" if office == DEFAULT_OFFICE else office
    outbox.record(session, type=RiskEvent.LANE_RATES_SET, unit=unit, actor=actor, payload=payload)
    audit.append(
        session,
        actor=actor,
        action="risk.lane_rates_set",
        target=f"lane_rates:{office}",
        unit=unit,
        detail=payload,
    )
    return rates(session, office)


def add_override(session: Session, *, data: OverrideIn, actor: str) -> OverrideRow:
    now = clock.now()
    if data.expires_at.tzinfo is None:
        raise ValidationFailed("expires_at needs a time zone", field="expires_at")
    if data.expires_at <= now:
        raise ValidationFailed("expires_at must be in the future", field="expires_at")
    if data.office is not None and session.get(UnitRow, data.office) is None:
        raise ValidationFailed(f"unknown office {data.office!r}", field="office")
    if data.subject == "declaration":
        decl = session.get(DeclarationRow, data.value)
        if decl is None:
            raise ValidationFailed(f"no declaration {data.value}", field="value")
        if decl.registered_at is not None:
            raise ValidationFailed("the declaration is already registered: its lane is set", field="value")
    row = OverrideRow(
        id=new_id(), subject=data.subject, value=data.value, channel=data.channel, reason=data.reason,
        office=data.office, expires_at=data.expires_at, active=True, created_at=now, created_by=actor,
    )  # fmt: skip
    session.add(row)
    payload = {
        "id": row.id,
        "subject": row.subject,
        "value": row.value,
        "channel": row.channel,
        "reason": row.reason,
    }
    outbox.record(
        session, type=RiskEvent.OVERRIDE_ADDED, unit=data.office or "00", actor=actor, payload=payload
    )
    audit.append(
        session, actor=actor, action="risk.override_added", target=f"risk_override:{row.id}", detail=payload
    )
    return row


def end_override(session: Session, *, override_id: str, actor: str) -> OverrideRow:
    row = session.get(OverrideRow, override_id)
    if row is None:
        raise NotFound(f"no override {override_id}", field="override_id")
    row.active = False
    outbox.record(
        session, type=RiskEvent.OVERRIDE_ENDED, unit=row.office or "00", actor=actor, payload={"id": row.id}
    )
    audit.append(session, actor=actor, action="risk.override_ended", target=f"risk_override:{row.id}")
    return row


def overrides(session: Session) -> list[OverrideRow]:
    q = select(OverrideRow).where(OverrideRow.active.is_(True), OverrideRow.expires_at > clock.now())
    return list(session.scalars(q.order_by(OverrideRow.created_at)).all())
