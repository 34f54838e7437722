"""Alerts for officers of the supervising unit: raised by movements and by the periodic scan (dwell,
manifests without declaration, overdue transits); acknowledged and closed with a note."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, insert, select, text
from sqlalchemy.orm import Session

from haiquan.cargo.tables import ConsignmentRow, ManifestRow
from haiquan.kit import audit, clock, outbox
from haiquan.kit.auth import Principal
from haiquan.kit.errors import Conflict, NotFound
from haiquan.supervision import bulk, transit_events
from haiquan.supervision.catalogue import AlertChanged, AlertRaised, AlertsRaised, SupervisionEvent
from haiquan.supervision.domain import ALERT_TITLES, AlertKind
from haiquan.supervision.tables import (
    AlertRow,
    DeclarationLinkRow,
    ItemRow,
    LocationRow,
    TransitDeclarationRow,
    TransitRow,
)

__all__ = ["AlertRow", "acknowledge", "close", "raise_many", "row", "scan"]

NO_DECLARATION_DAYS = 3
SCAN_ACTOR = "system:scan"


def row(
    kind: AlertKind,
    *,
    unit: str,
    goods_id: str | None,
    container: str | None,
    location_code: str | None,
    message_vi: str,
    message_en: str,
    detail: dict[str, Any],
    at: datetime,
    dedupe_key: str | None = None,
) -> dict[str, Any]:
    return {
        "kind": kind.value,
        "unit": unit,
        "goods_id": goods_id,
        "container": container,
        "location_code": location_code,
        "message_vi": message_vi,
        "message_en": message_en,
        "detail": detail,
        "status": "open",
        "raised_at": at,
        "acknowledged_by": None,
        "acknowledged_at": None,
        "closed_by": None,
        "closed_at": None,
        "note": "",
        "dedupe_key": dedupe_key,
    }


def _get(session: Session, principal: Principal, alert_id: int) -> AlertRow:
    principal.require_officer()
    a = session.get(AlertRow, alert_id, with_for_update=True)
    if a is None or not principal.scope.covers_unit(a.unit):
        raise NotFound(f"no alert {alert_id}", field="alert_id")
    return a


def _record(session: Session, principal: Principal, a: AlertRow, type_: SupervisionEvent) -> None:
    payload: AlertChanged = {
        "alert_id": a.id,
        "kind": a.kind,
        "goods_id": a.goods_id,
        "location": a.location_code,
        "raised_at": a.raised_at.isoformat(),
        "note": a.note,
    }
    outbox.record(session, type=type_, unit=a.unit, actor=principal.label, payload=dict(payload))
    audit.append(
        session,
        actor=principal.label,
        action=type_,
        target=f"alert:{a.id}",
        unit=a.unit,
        detail={"note": a.note[:200]},
    )


def acknowledge(session: Session, *, principal: Principal, alert_id: int, note: str) -> AlertRow:
    a = _get(session, principal, alert_id)
    if a.status != "open":
        raise Conflict(f"alert {alert_id} is {a.status}", field="status")
    a.status, a.acknowledged_by, a.acknowledged_at, a.note = "acknowledged", principal.name, clock.now(), note
    _record(session, principal, a, SupervisionEvent.ALERT_ACKNOWLEDGED)
    return a


def close(session: Session, *, principal: Principal, alert_id: int, note: str) -> AlertRow:
    a = _get(session, principal, alert_id)
    if a.status == "closed":
        raise Conflict(f"alert {alert_id} is closed", field="status")
    a.status, a.closed_by, a.closed_at = "closed", principal.name, clock.now()
    a.note = (a.note + "\n" + note).strip() if a.note else note
    _record(session, principal, a, SupervisionEvent.ALERT_CLOSED)
    return a


def _insert_with_ids(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """The rows inserted, their ids in the rows' order. On PostgreSQL the ids are drawn from the column's
    sequence in one round trip and the rows COPYed: an INSERT ... RETURNING of 500 rows goes as one long
    statement that psycopg splits in Python, four times the cost of the plain insert it replaced."""
    if not bulk.is_pg(session):
        stmt = insert(AlertRow).returning(AlertRow.id, sort_by_parameter_order=True)
        return [int(i) for i in session.execute(stmt, rows).scalars()]
    drawn = session.execute(_DRAW_IDS, {"n": len(rows)}).scalars()
    ids = sorted(int(i) for i in drawn)
    bulk.insert_rows(session, AlertRow, [r | {"id": i} for r, i in zip(rows, ids, strict=True)])
    return ids


_DRAW_IDS = text("SELECT nextval(pg_get_serial_sequence('sv_alerts', 'id')) FROM generate_series(1, :n)")


def raise_many(session: Session, rows: list[dict[str, Any]], *, source: str, actor: str) -> None:
    """Insert alert rows (from `row`) and record them raised: one event per unit, each alert with its id."""
    if not rows:
        return
    ids = _insert_with_ids(session, rows)
    by_unit: dict[str, list[AlertRaised]] = {}
    for alert_id, r in zip(ids, rows, strict=True):
        by_unit.setdefault(r["unit"], []).append(
            {
                "alert_id": alert_id,
                "kind": r["kind"],
                "unit": r["unit"],
                "location": r["location_code"],
                "goods_id": r["goods_id"],
                "raised_at": r["raised_at"].isoformat(),
            }
        )
    for unit, raised in sorted(by_unit.items()):
        payload: AlertsRaised = {"source": source, "alerts": raised}
        outbox.record(
            session, type=SupervisionEvent.ALERTS_RAISED, unit=unit, actor=actor, payload=dict(payload)
        )


def _insert_new(session: Session, rows: list[dict[str, Any]]) -> int:
    if not rows:
        return 0
    keys = [r["dedupe_key"] for r in rows]
    known = set(session.scalars(select(AlertRow.dedupe_key).where(AlertRow.dedupe_key.in_(keys))))
    fresh = [r for r in rows if r["dedupe_key"] not in known]
    raise_many(session, fresh, source="scan", actor=SCAN_ACTOR)
    return len(fresh)


def _dwell(session: Session, now: datetime) -> list[dict[str, Any]]:
    out = []
    q = (
        select(ItemRow, LocationRow.dwell_limit_days, ConsignmentRow.goods_id)
        .join(LocationRow, LocationRow.code == ItemRow.location_code)
        .join(ConsignmentRow, ConsignmentRow.id == ItemRow.consignment_id)
        .where(ItemRow.state == "in", ItemRow.dwell_alerted.is_(False))
    )
    for it, days, goods_id in session.execute(q):
        if it.gate_in_at is not None and now - it.gate_in_at > timedelta(days=days):
            it.dwell_alerted = True
            stay = (now - it.gate_in_at).days
            out.append(
                row(
                    AlertKind.DWELL,
                    unit=it.unit,
                    goods_id=goods_id,
                    container=it.container or None,
                    location_code=it.location_code,
                    message_vi=f"Hàng tồn đọng {stay} ngày tại {it.location_code} (giới hạn {days} ngày)",
                    message_en=f"goods dwelling {stay} days at {it.location_code} (limit {days} days)",
                    detail={"days": stay, "limit": days},
                    at=now,
                    dedupe_key=f"dwell:{it.id}",
                )
            )
    return out


def _no_declaration(session: Session, now: datetime, days: int) -> list[dict[str, Any]]:
    linked = exists().where(and_(DeclarationLinkRow.goods_id == ConsignmentRow.goods_id))
    q = (
        select(ConsignmentRow, ManifestRow.expected_arrival)
        .join(ManifestRow, ManifestRow.id == ConsignmentRow.manifest_id)
        .where(
            ConsignmentRow.removed.is_(False),
            ConsignmentRow.purpose.in_(("import", "export")),
            ~linked,
            ManifestRow.expected_arrival < now - timedelta(days=days),
        )
    )
    return [
        row(
            AlertKind.NO_DECLARATION,
            unit=c.unit,
            goods_id=c.goods_id,
            container=None,
            location_code=c.location_code,
            message_vi=f"Vận đơn {c.goods_id} đến từ {arr.date()} nhưng chưa có tờ khai sau {days} ngày",
            message_en=f"bill {c.goods_id} arrived {arr.date()} and has no declaration after {days} days",
            detail={"days": days},
            at=now,
            dedupe_key=f"nodecl:{c.id}",
        )
        for c, arr in session.execute(q)
    ]


def _transits(session: Session, now: datetime) -> list[dict[str, Any]]:
    """Officer-permitted transits past their deadline: an alert for the origin unit and one for the unit
    of the destination location (which waits for the goods)."""
    out = []
    dest = select(LocationRow.code, LocationRow.unit)
    for t in session.scalars(
        select(TransitRow).where(
            TransitRow.status == "departed", TransitRow.deadline < now, TransitRow.overdue_alerted.is_(False)
        )
    ):
        t.overdue_alerted = True
        to_unit = dict(session.execute(dest.where(LocationRow.code == t.to_location)).all()).get(
            t.to_location
        )
        for unit in dict.fromkeys(u for u in (t.unit, to_unit) if u):
            key = f"transit:{t.id}" if unit == t.unit else f"transit:{t.id}:{unit}"
            out.append(
                row(
                    AlertKind.TRANSIT_OVERDUE,
                    unit=unit,
                    goods_id=t.goods_id,
                    container=None,
                    location_code=t.to_location,
                    message_vi=f"Hàng chuyển cửa khẩu {t.goods_id} chưa đến {t.to_location} (hạn {t.deadline})",
                    message_en=f"transit {t.goods_id} has not arrived at {t.to_location} (deadline {t.deadline})",
                    detail={"permit": t.permit, "from": t.from_location},
                    at=now,
                    dedupe_key=key,
                )
            )
    return out


def _declared_transits(session: Session, now: datetime) -> list[dict[str, Any]]:
    """Transits the traders declared, accepted and past their deadline: an alert for the departure and
    one for the destination office; the event tells the trader (a notification)."""
    out = []
    late = select(TransitDeclarationRow).where(
        TransitDeclarationRow.status == "accepted",
        TransitDeclarationRow.deadline < now,
        TransitDeclarationRow.overdue_alerted.is_(False),
    )
    for t in session.scalars(late):
        t.overdue_alerted = True
        transit_events.record(session, t, SupervisionEvent.TRANSIT_DEADLINE_PASSED, actor=SCAN_ACTOR)
        for unit in (t.departure_office, t.destination_office):
            out.append(
                row(
                    AlertKind.TRANSIT_OVERDUE,
                    unit=unit,
                    goods_id=t.number,
                    container=t.containers[0] if t.containers else None,
                    location_code=None,
                    message_vi=f"Hàng vận chuyển {t.number} chưa đến {t.destination_office} (hạn {t.deadline})",
                    message_en=f"transit {t.number} has not arrived at {t.destination_office} (deadline {t.deadline})",
                    detail={"number": t.number, "from": t.departure_office, "to": t.destination_office},
                    at=now,
                    dedupe_key=f"tdecl:{t.id}:{unit}",
                )
            )
    return out


def scan(session: Session, *, no_declaration_days: int = NO_DECLARATION_DAYS) -> dict[str, int]:
    """Raise the time-based alerts once each: dwell beyond the limit, manifest without declaration after
    N days, transit past its deadline."""
    now = clock.now()
    return {
        "dwell": _insert_new(session, _dwell(session, now)),
        "manifest_without_declaration": _insert_new(
            session, _no_declaration(session, now, no_declaration_days)
        ),
        "transit_overdue": _insert_new(session, _transits(session, now) + _declared_transits(session, now)),
    }


def title(kind: str) -> tuple[str, str]:
    try:
        return ALERT_TITLES[AlertKind(kind)]
    except ValueError:
        return kind, kind
