"""Get-In, Get-Out and stock messages applied to a batch's in-memory state; the release rule decides
each gate-out. Nothing here writes to the database except the stock report's bulk update."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from haiquan.cargo.tables import ConsignmentRow
from haiquan.kit.db import new_id
from haiquan.supervision import alerts
from haiquan.supervision.batchstate import Batch, Goods, MessageError
from haiquan.supervision.domain import AlertKind, Destination, ExitRequest, GoodsFacts, Reason, decide_exit
from haiquan.supervision.schemas import MessageIn
from haiquan.supervision.tables import ItemRow, TransitRow


def movement(b: Batch, m: MessageIn, g: Goods, outcome: str, reasons: list[dict[str, str]]) -> None:
    loc = b.locations[m.location]
    b.movements.append(
        {
            "operator_id": b.operator.id,
            "message_id": m.message_id,
            "kind": m.kind,
            "cargo_type": m.cargo_type.value,
            "goods_id": g.goods_id,
            "container": g.container or None,
            "location_code": m.location,
            "destination": m.destination.value if m.destination else None,
            "seal": m.seal,
            "package_count": m.package_count,
            "at": m.at,
            "received_at": b.now,
            "outcome": outcome,
            "reasons": reasons,
            "unit": loc.unit,
            "signed": b.signed,
        }
    )


def _alert(
    b: Batch, kind: AlertKind, m: MessageIn, g: Goods, reasons: tuple[Reason, ...] | list[Reason]
) -> None:
    b.alerts.append(
        alerts.row(
            kind,
            unit=b.locations[m.location].unit,
            goods_id=g.goods_id,
            container=g.container or None,
            location_code=m.location,
            message_vi="; ".join(r.vi for r in reasons),
            message_en="; ".join(r.en for r in reasons),
            detail={
                "message_id": m.message_id,
                "operator": b.operator.tax_code,
                "reasons": [r.code for r in reasons],
            },
            at=b.now,
        )
    )


def _held_elsewhere(g: Goods) -> MessageError:
    field, what = ("container", g.container) if g.container else ("goods_id", g.goods_id)
    return MessageError("held_by_another_operator", field, f"another operator holds {what} in its area")


def _arrival_warnings(m: MessageIn, g: Goods) -> list[Reason]:
    """What a gate-in reports that the manifest does not say: applied all the same, with an alert."""
    warnings: list[Reason] = []
    if g.container and m.seal and g.manifest_seal and m.seal != g.manifest_seal:
        warnings.append(
            Reason(
                "seal_mismatch",
                f"Seal {m.seal} khác seal trên manifest {g.manifest_seal}",
                f"seal {m.seal} differs from the manifest's {g.manifest_seal}",
                True,
            )
        )
    if not g.container and m.package_count is not None and g.packages and m.package_count != g.packages:
        warnings.append(
            Reason(
                "count_mismatch",
                f"Số kiện vào {m.package_count} khác manifest {g.packages}",
                f"{m.package_count} packages gated in, the manifest says {g.packages}",
                True,
            )
        )
    return warnings


def gate_in(b: Batch, m: MessageIn, g: Goods) -> list[Reason]:
    it = g.item
    if it is not None and it["state"] == "in" and it["operator_id"] != b.operator.id:
        raise _held_elsewhere(g)
    warnings = _arrival_warnings(m, g)
    loc = b.locations[m.location]
    if it is None or it["state"] != "in":  # an arrival; a repeated gate-in of goods already in is not
        b.gate_ins.append({"unit": loc.unit, "location": m.location, "at": m.at.isoformat()})
    if it is None:
        it = {
            "id": new_id(),
            "consignment_id": g.consignment_id,
            "container": g.container,
            "dwell_alerted": False,
            "gate_out_at": None,
            "last_stock_at": None,
        }
        g.item, g.new = it, True
        b.items[(g.consignment_id, g.container)] = it
    it.update(
        state="in",
        location_code=m.location,
        operator_id=b.operator.id,
        unit=loc.unit,
        seal=m.seal or g.manifest_seal,
        package_count=m.package_count,
        gate_in_at=m.at,
    )
    g.dirty = True
    for t in b.transits.get(g.consignment_id, []):
        if t.status == "departed" and t.to_location == m.location:
            t.status, t.arrived_at = "arrived", m.at
    if warnings:
        _alert(b, AlertKind.MISMATCH, m, g, warnings)
    return warnings


def _permit(b: Batch, m: MessageIn, g: Goods) -> TransitRow | None:
    for t in b.transits.get(g.consignment_id, []):
        if t.status == "permitted" and t.from_location == m.location:
            return t
    return None


def gate_out(b: Batch, m: MessageIn, g: Goods) -> tuple[bool, list[Reason]]:
    it = g.item
    if it is not None and it["state"] == "in" and it["operator_id"] != b.operator.id:
        raise _held_elsewhere(g)
    facts = GoodsFacts(
        goods_id=g.goods_id,
        container=g.container,
        purpose=g.purpose,
        manifest_packages=g.packages,
        state=it["state"] if it else "expected",
        operator_id=it["operator_id"] if it else None,
        seal=(it["seal"] if it else "") or g.manifest_seal,
    )
    permit = _permit(b, m, g)
    assert m.destination is not None
    decision = decide_exit(
        facts,
        b.declarations.get(g.goods_id, []),
        ExitRequest(b.operator.id, m.destination, m.seal, m.package_count),
        permit=permit is not None,
    )
    if not decision.allowed:
        kind = (
            AlertKind.GATE_OUT_WITHOUT_GATE_IN
            if decision.without_gate_in
            else AlertKind.MISMATCH
            if decision.mismatch
            else AlertKind.REFUSED_EXIT
        )
        _alert(b, kind, m, g, decision.reasons)
        return False, list(decision.reasons)
    assert it is not None
    moving = m.destination is Destination.CONTROLLED_AREA or permit is not None
    _left(b, m, it)
    it.update(state="moving" if moving else "out", gate_out_at=m.at)
    g.dirty = True
    if permit is not None:
        permit.status, permit.departed_at = "departed", m.at
        permit.deadline = m.at + timedelta(hours=permit.hours_allowed)
    elif _all_out(b, g):
        numbers = [
            d.number for d in b.declarations.get(g.goods_id, []) if d.status in ("cleared", "released")
        ]
        if numbers:
            b.exits.append({"goods_id": g.goods_id, "declarations": numbers})
    return True, []


def _left(b: Batch, m: MessageIn, it: dict[str, Any]) -> None:
    """The gate-out fact: counted for the unit whose area held the goods, with the time they spent there."""
    dwell = int((m.at - it["gate_in_at"]).total_seconds()) if it["gate_in_at"] is not None else 0
    b.gate_outs.append(
        {"unit": it["unit"], "location": m.location, "at": m.at.isoformat(), "dwell_seconds": max(0, dwell)}
    )


def _all_out(b: Batch, g: Goods) -> bool:
    if not g.container:
        return True
    for number in b.containers_of.get(g.consignment_id, []):
        item = b.items.get((g.consignment_id, number))
        if item is None or item["state"] not in ("out", "moving"):
            return False
    return True


def stock(session: Session, b: Batch, m: MessageIn) -> list[Reason]:
    """Compare the operator's stock report for a location with what the platform holds there."""
    held = {
        (r.container or r.goods_id): r.id
        for r in session.execute(
            select(ItemRow.id, ItemRow.container, ConsignmentRow.goods_id)
            .join(ConsignmentRow, ConsignmentRow.id == ItemRow.consignment_id)
            .where(ItemRow.location_code == m.location, ItemRow.state == "in")
        )
    }
    reported = {(s.container or s.goods_id or "") for s in m.items}
    missing = sorted(set(held) - reported)
    unexpected = sorted(reported - set(held))
    present = [held[k] for k in reported & set(held)]
    if present:
        session.execute(update(ItemRow), [{"id": i, "last_stock_at": m.at} for i in present])
    reasons: list[Reason] = []
    if missing:
        reasons.append(
            Reason(
                "stock_missing",
                f"Không có trong báo cáo tồn: {', '.join(missing[:20])}",
                f"held by customs records but not in the stock report: {', '.join(missing[:20])}",
                True,
            )
        )
    if unexpected:
        reasons.append(
            Reason(
                "stock_unexpected",
                f"Có trong báo cáo tồn nhưng chưa Get-In: {', '.join(unexpected[:20])}",
                f"in the stock report without a gate-in: {', '.join(unexpected[:20])}",
                True,
            )
        )
    if reasons:
        b.alerts.append(
            alerts.row(
                AlertKind.MISMATCH,
                unit=b.locations[m.location].unit,
                goods_id=None,
                container=None,
                location_code=m.location,
                message_vi="; ".join(r.vi for r in reasons),
                message_en="; ".join(r.en for r in reasons),
                detail={"message_id": m.message_id, "missing": missing[:200], "unexpected": unexpected[:200]},
                at=b.now,
            )
        )
    b.movements.append(
        {
            "operator_id": b.operator.id,
            "message_id": m.message_id,
            "kind": "stock",
            "cargo_type": m.cargo_type.value,
            "goods_id": None,
            "container": None,
            "location_code": m.location,
            "destination": None,
            "seal": None,
            "package_count": len(m.items),
            "at": m.at,
            "received_at": b.now,
            "outcome": "applied",
            "reasons": [r.as_dict() for r in reasons],
            "unit": b.locations[m.location].unit,
            "signed": b.signed,
        }
    )
    return reasons
