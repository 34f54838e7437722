"""Apply a batch of Get-In / Get-Out / stock messages, set-based: a few reads for the whole batch, the
decisions in memory, then bulk inserts and updates. A bad message never stops the good ones; it is answered
with its errors and kept for review. A resend of an applied message id is acknowledged, never applied twice."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from haiquan.cargo.tables import ConsignmentContainerRow, ConsignmentRow
from haiquan.kit import audit, clock, outbox
from haiquan.kit.auth import Principal
from haiquan.kit.db import new_id
from haiquan.supervision import alerts
from haiquan.supervision.domain import (
    AlertKind,
    DeclarationFacts,
    Destination,
    ExitRequest,
    GoodsFacts,
    Reason,
    decide_exit,
)
from haiquan.supervision.registry import connected_operator
from haiquan.supervision.schemas import MessageIn, MessageResult
from haiquan.supervision.tables import (
    DeclarationLinkRow,
    ItemRow,
    LocationRow,
    MovementRow,
    OperatorRow,
    RejectedMessageRow,
    TransitRow,
)

_ADAPTER = TypeAdapter(MessageIn)


@dataclass
class Incoming:
    """A message as received: the raw form (kept for review) and, for XML, the signature check's errors."""

    raw: Any
    errors: list[dict[str, Any]] = field(default_factory=list)
    message_id: str | None = None
    review_text: str | None = None


@dataclass
class Goods:
    consignment_id: str
    goods_id: str
    purpose: str
    packages: int
    unit: str
    container: str
    manifest_seal: str
    item: dict[str, Any] | None  # the sv_items row as a dict, None before gate-in
    new: bool = False
    dirty: bool = False


@dataclass
class Batch:
    operator: OperatorRow
    locations: dict[str, LocationRow]
    now: datetime
    signed: bool
    fmt: str
    results: list[MessageResult] = field(default_factory=list)
    movements: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    goods: dict[tuple[str, str], Goods] = field(default_factory=dict)  # (container or '', goods_id or '')
    items: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (consignment, container)
    containers_of: dict[str, list[str]] = field(default_factory=dict)
    declarations: dict[str, list[DeclarationFacts]] = field(default_factory=dict)
    transits: dict[str, list[TransitRow]] = field(default_factory=dict)
    exits: list[dict[str, Any]] = field(default_factory=list)


def _errors_of(exc: ValidationError) -> list[dict[str, Any]]:
    out = []
    for e in exc.errors():
        loc = ".".join(str(p) for p in e.get("loc", ())) or "message"
        out.append(
            {
                "field": loc,
                "code": "invalid",
                "message": str(e.get("msg", "invalid")).removeprefix("Value error, "),
            }
        )
    return out


def _raw_text(raw: Any) -> str:
    return raw if isinstance(raw, str) else json.dumps(raw, default=str, ensure_ascii=False)


def _reject(
    b: Batch, i: int, incoming: Incoming, message_id: str | None, errors: list[dict[str, Any]]
) -> None:
    b.results.append(MessageResult(index=i, message_id=message_id, status="error", errors=errors))
    b.rejected.append(
        {
            "operator_id": b.operator.id,
            "message_id": message_id,
            "format": b.fmt,
            "errors": errors,
            "raw": incoming.review_text or _raw_text(incoming.raw),
            "received_at": b.now,
            "reviewed": False,
        }
    )


def _parse(b: Batch, incoming: list[Incoming]) -> list[tuple[int, Incoming, MessageIn]]:
    ok: list[tuple[int, Incoming, MessageIn]] = []
    for i, inc in enumerate(incoming):
        mid = inc.message_id or (inc.raw.get("message_id") if isinstance(inc.raw, dict) else None)
        mid = str(mid)[:64] if mid is not None else None
        if inc.errors:
            _reject(b, i, inc, mid, inc.errors)
            continue
        try:
            msg = _ADAPTER.validate_python(inc.raw)
        except ValidationError as exc:
            _reject(b, i, inc, mid, _errors_of(exc))
            continue
        if msg.location not in b.locations:
            err = {
                "field": "location",
                "code": "not_your_location",
                "message": f"location {msg.location} is not one of this operator's",
            }
            _reject(b, i, inc, mid, [err])
            continue
        ok.append((i, inc, msg))
    return ok


def _load_goods(session: Session, b: Batch, msgs: list[MessageIn]) -> None:
    numbers = {m.container for m in msgs if m.container}
    bills = {m.goods_id for m in msgs if m.goods_id and not m.container}
    rows: list[Any] = []
    cols = (
        ConsignmentRow.id,
        ConsignmentRow.goods_id,
        ConsignmentRow.purpose,
        ConsignmentRow.package_count,
        ConsignmentRow.unit,
        ConsignmentRow.created_at,
    )
    if numbers:
        rows += session.execute(
            select(*cols, ConsignmentContainerRow.number, ConsignmentContainerRow.seal)
            .join(ConsignmentContainerRow, ConsignmentContainerRow.consignment_id == ConsignmentRow.id)
            .where(ConsignmentContainerRow.number.in_(numbers), ConsignmentRow.removed.is_(False))
        ).all()
    if bills:
        rows += [
            (*r, "", "")
            for r in session.execute(
                select(*cols).where(ConsignmentRow.goods_id.in_(bills), ConsignmentRow.removed.is_(False))
            )
        ]
    ids = {r[0] for r in rows}
    items = b.items
    if ids:
        for it in session.execute(
            select(ItemRow.__table__).where(ItemRow.consignment_id.in_(ids))
        ).mappings():
            items[(it["consignment_id"], it["container"])] = dict(it)
        for cid, num in session.execute(
            select(ConsignmentContainerRow.consignment_id, ConsignmentContainerRow.number).where(
                ConsignmentContainerRow.consignment_id.in_(ids)
            )
        ):
            b.containers_of.setdefault(cid, []).append(num)
    # a container number can come back on a later voyage: prefer the consignment whose goods are not out
    for cid, goods_id, purpose, packages, unit, _created, number, seal in sorted(rows, key=lambda r: r[5]):
        item = items.get((cid, number))
        g = Goods(cid, goods_id, purpose, packages, unit, number, seal, item)
        for key in ((number, ""), (number, goods_id)) if number else (("", goods_id),):
            old = b.goods.get(key)
            if old is None or not (
                old.item is not None
                and old.item["state"] != "out"
                and (item is None or item["state"] == "out")
            ):
                b.goods[key] = g
    if ids:
        for link in session.execute(
            select(
                DeclarationLinkRow.number,
                DeclarationLinkRow.status,
                DeclarationLinkRow.package_count,
                DeclarationLinkRow.goods_id,
            ).where(DeclarationLinkRow.goods_id.in_({r[1] for r in rows}))
        ):
            b.declarations.setdefault(link[3], []).append(DeclarationFacts(link[0], link[1], link[2]))
        for t in session.scalars(
            select(TransitRow).where(
                TransitRow.consignment_id.in_(ids), TransitRow.status.in_(("permitted", "departed"))
            )
        ):
            b.transits.setdefault(t.consignment_id, []).append(t)


def _goods_for(b: Batch, m: MessageIn) -> Goods | None:
    if m.container:
        return b.goods.get((m.container, m.goods_id or "")) or (
            None if m.goods_id else b.goods.get((m.container, ""))
        )
    return b.goods.get(("", m.goods_id or ""))


def _unknown(m: MessageIn) -> dict[str, Any]:
    if m.container:
        return {
            "field": "container",
            "code": "unknown_container",
            "message": f"container {m.container} is on no manifest",
        }
    return {
        "field": "goods_id",
        "code": "unknown_consignment",
        "message": f"no manifest lists the bill {m.goods_id}",
    }


def _movement(b: Batch, m: MessageIn, g: Goods, outcome: str, reasons: list[dict[str, str]]) -> None:
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


def _gate_in(b: Batch, m: MessageIn, g: Goods) -> list[Reason]:
    it = g.item
    if it is not None and it["state"] == "in" and it["operator_id"] != b.operator.id:
        raise _MessageError(
            "held_by_another_operator", "location", "another operator holds these goods in its area"
        )
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
    loc = b.locations[m.location]
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


class _MessageError(Exception):
    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(message)
        self.error = {"field": field, "code": code, "message": message}


def _permit(b: Batch, m: MessageIn, g: Goods) -> TransitRow | None:
    for t in b.transits.get(g.consignment_id, []):
        if t.status == "permitted" and t.from_location == m.location:
            return t
    return None


def _gate_out(b: Batch, m: MessageIn, g: Goods) -> tuple[bool, list[Reason]]:
    it = g.item
    if it is not None and it["state"] == "in" and it["operator_id"] != b.operator.id:
        raise _MessageError(
            "held_by_another_operator", "location", "another operator holds these goods in its area"
        )
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


def _all_out(b: Batch, g: Goods) -> bool:
    if not g.container:
        return True
    for number in b.containers_of.get(g.consignment_id, []):
        item = b.items.get((g.consignment_id, number))
        if item is None or item["state"] not in ("out", "moving"):
            return False
    return True


def _stock(session: Session, b: Batch, m: MessageIn) -> list[Reason]:
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


def _one(session: Session, b: Batch, i: int, inc: Incoming, m: MessageIn) -> None:
    if m.kind == "stock":
        reasons = _stock(session, b, m)
        b.results.append(
            MessageResult(
                index=i, message_id=m.message_id, status="applied", reasons=[r.as_dict() for r in reasons]
            )
        )
        return
    g = _goods_for(b, m)
    if g is None:
        _reject(b, i, inc, m.message_id, [_unknown(m)])
        return
    try:
        if m.kind == "gate_in":
            warnings = _gate_in(b, m, g)
            reasons = [r.as_dict() for r in warnings]
            _movement(b, m, g, "applied", reasons)
            b.results.append(
                MessageResult(index=i, message_id=m.message_id, status="applied", reasons=reasons)
            )
            return
        allowed, why = _gate_out(b, m, g)
    except _MessageError as exc:
        _reject(b, i, inc, m.message_id, [exc.error])
        return
    reasons = [r.as_dict() for r in why]
    _movement(b, m, g, "applied" if allowed else "refused", reasons)
    b.results.append(
        MessageResult(
            index=i,
            message_id=m.message_id,
            status="applied" if allowed else "refused",
            may_leave=allowed,
            reasons=reasons,
        )
    )


def _duplicates(
    session: Session, b: Batch, parsed: list[tuple[int, Incoming, MessageIn]]
) -> list[tuple[int, Incoming, MessageIn]]:
    ids = {m.message_id for _, _, m in parsed}
    done = {
        r[0]: (r[1], r[2])
        for r in session.execute(
            select(MovementRow.message_id, MovementRow.outcome, MovementRow.reasons).where(
                MovementRow.operator_id == b.operator.id, MovementRow.message_id.in_(ids)
            )
        )
    }
    fresh, seen = [], set()
    for i, inc, m in parsed:
        if m.message_id in done or m.message_id in seen:
            outcome, reasons = done.get(m.message_id, ("applied", []))
            b.results.append(
                MessageResult(
                    index=i,
                    message_id=m.message_id,
                    status="duplicate",
                    may_leave=(outcome == "applied") if m.kind == "gate_out" else None,
                    reasons=list(reasons or []),
                )
            )
            continue
        seen.add(m.message_id)
        fresh.append((i, inc, m))
    return fresh


def _write(session: Session, b: Batch) -> None:
    if b.movements:
        session.execute(insert(MovementRow), b.movements)
    new = [g.item for g in b.goods.values() if g.new and g.item is not None]
    new_ids = {it["id"] for it in new}
    if new:
        session.execute(insert(ItemRow), list({it["id"]: it for it in new}.values()))
    changed = {
        g.item["id"]: g.item
        for g in b.goods.values()
        if g.dirty and g.item is not None and g.item["id"] not in new_ids
    }
    if changed:
        session.execute(update(ItemRow), list(changed.values()))
    if b.alerts:
        session.execute(insert(alerts.AlertRow), b.alerts)
    if b.rejected:
        session.execute(insert(RejectedMessageRow), b.rejected)


def apply_batch(
    session: Session,
    *,
    principal: Principal,
    incoming: list[Incoming],
    fmt: str = "json",
    signed: bool = False,
) -> list[MessageResult]:
    op = connected_operator(session, principal, lock=True)
    locs = {
        loc.code: loc
        for loc in session.scalars(
            select(LocationRow).where(LocationRow.operator_id == op.id, LocationRow.active.is_(True))
        )
    }
    b = Batch(op, locs, clock.now(), signed, fmt)
    parsed = _duplicates(session, b, _parse(b, incoming))
    _load_goods(session, b, [m for _, _, m in parsed])
    for i, inc, m in parsed:
        _one(session, b, i, inc, m)
    _write(session, b)
    b.results.sort(key=lambda r: r.index)
    counts = {
        s: sum(1 for r in b.results if r.status == s) for s in ("applied", "refused", "duplicate", "error")
    }
    if b.movements or b.rejected:
        units = sorted({mv["unit"] for mv in b.movements}) or [op.unit]
        outbox.record(
            session,
            type="supervision.movements_applied",
            unit=units[0],
            actor=principal.label,
            payload={
                "operator": op.tax_code,
                "operator_id": op.id,
                "counts": counts,
                "exits": b.exits,
                "goods": sorted({mv["goods_id"] for mv in b.movements if mv["goods_id"]}),
            },
        )
        audit.append(
            session,
            actor=principal.label,
            action="supervision.movements",
            target=f"operator:{op.tax_code}",
            unit=units[0],
            detail={"counts": counts, "format": fmt},
        )
    return b.results
