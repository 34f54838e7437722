"""Apply a batch of Get-In / Get-Out / stock messages, set-based: a few reads for the whole batch, the
decisions in memory, then bulk inserts and updates. A bad message never stops the good ones; it is answered
with its errors and kept for review. A resend of an applied message id is acknowledged, never applied twice."""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from haiquan.cargo.tables import ConsignmentContainerRow, ConsignmentRow
from haiquan.kit import audit, clock, outbox
from haiquan.kit.auth import Principal
from haiquan.kit.db import among
from haiquan.supervision import alerts, bulk, gates
from haiquan.supervision.batchstate import Batch, Goods, Incoming, MessageError
from haiquan.supervision.catalogue import MovementCounts, MovementsApplied, SupervisionEvent
from haiquan.supervision.domain import DeclarationFacts
from haiquan.supervision.registry import connected_operator
from haiquan.supervision.schemas import MessageIn, MessageResult, errors_of
from haiquan.supervision.tables import (
    DeclarationLinkRow,
    ItemRow,
    LocationRow,
    MovementRow,
    RejectedMessageRow,
    TransitRow,
)

__all__ = ["Incoming", "apply_batch"]
ITEM_STATE = {
    "state": "text",
    "location_code": "text",
    "operator_id": "text",
    "unit": "text",
    "seal": "text",
    "package_count": "int",
    "gate_in_at": "ts",
    "gate_out_at": "ts",
}
_ADAPTER = TypeAdapter(MessageIn)


def _raw_text(raw: Any) -> str:
    text = raw if isinstance(raw, str) else json.dumps(raw, default=str, ensure_ascii=False)
    return text.replace("\x00", "\ufffd")


def _storable(value: Any) -> Any:
    """`value` with each NUL (in a text or a key: a field's name the message made up) as U+FFFD:
    PostgreSQL stores none, and one refused message must not refuse its batch."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return value


def _reject(
    b: Batch, i: int, incoming: Incoming, message_id: str | None, errors: list[dict[str, Any]]
) -> None:
    errors = _storable(errors)
    b.results.append(MessageResult(index=i, message_id=message_id, status="error", errors=errors))
    b.rejected.append(
        {
            "operator_id": b.operator.id,
            "message_id": message_id,
            "format": b.fmt,
            "errors": errors,
            "raw": _raw_text(incoming.review_text or incoming.raw),
            "received_at": b.now,
            "reviewed": False,
        }
    )


def _parse(b: Batch, incoming: list[Incoming]) -> list[tuple[int, Incoming, MessageIn]]:
    ok: list[tuple[int, Incoming, MessageIn]] = []
    for i, inc in enumerate(incoming):
        mid = inc.message_id or (inc.raw.get("message_id") if isinstance(inc.raw, dict) else None)
        mid = str(mid)[:64].replace("\x00", "\ufffd") if mid is not None else None  # kept for review
        if inc.errors:
            _reject(b, i, inc, mid, inc.errors)
            continue
        try:
            msg = _ADAPTER.validate_python(inc.raw)
        except ValidationError as exc:
            _reject(b, i, inc, mid, errors_of(exc.errors()))
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


_COLS = (
    ConsignmentRow.id,
    ConsignmentRow.goods_id,
    ConsignmentRow.purpose,
    ConsignmentRow.package_count,
    ConsignmentRow.unit,
    ConsignmentRow.created_at,
)


def _consignments(session: Session, msgs: list[MessageIn]) -> list[Any]:
    """(id, goods_id, purpose, packages, unit, created, container, manifest seal) of the messages' goods."""
    numbers = {m.container for m in msgs if m.container}
    bills = {m.goods_id for m in msgs if m.goods_id and not m.container}
    rows: list[Any] = []
    live = ConsignmentRow.removed.is_(False)
    if numbers:
        rows += session.execute(
            select(*_COLS, ConsignmentContainerRow.number, ConsignmentContainerRow.seal)
            .join(ConsignmentContainerRow, ConsignmentContainerRow.consignment_id == ConsignmentRow.id)
            .where(among(session, ConsignmentContainerRow.number, numbers), live)
        ).all()
    if bills:
        q = select(*_COLS).where(among(session, ConsignmentRow.goods_id, bills), live)
        rows += [(*r, "", "") for r in session.execute(q)]
    return rows


def _state(session: Session, b: Batch, ids: set[str], goods_ids: set[str]) -> None:
    """Items, container lists, declaration links and open transits of the batch's consignments."""
    for it in session.execute(
        select(ItemRow.__table__).where(among(session, ItemRow.consignment_id, ids))
    ).mappings():
        b.items[(it["consignment_id"], it["container"])] = dict(it)
    q = select(ConsignmentContainerRow.consignment_id, ConsignmentContainerRow.number)
    for cid, num in session.execute(q.where(among(session, ConsignmentContainerRow.consignment_id, ids))):
        b.containers_of.setdefault(cid, []).append(num)
    links = select(
        DeclarationLinkRow.number,
        DeclarationLinkRow.status,
        DeclarationLinkRow.package_count,
        DeclarationLinkRow.goods_id,
    ).where(among(session, DeclarationLinkRow.goods_id, goods_ids))
    for number, status, packages, goods_id in session.execute(links):
        b.declarations.setdefault(str(goods_id), []).append(DeclarationFacts(number, status, packages))
    open_transits = select(TransitRow).where(
        among(session, TransitRow.consignment_id, ids), TransitRow.status.in_(("permitted", "departed"))
    )
    for t in session.scalars(open_transits):
        b.transits.setdefault(t.consignment_id, []).append(t)


def _load_goods(session: Session, b: Batch, msgs: list[MessageIn]) -> None:
    rows = _consignments(session, msgs)
    if not rows:
        return
    _state(session, b, {r[0] for r in rows}, {r[1] for r in rows})
    # a container number can come back on a later voyage: prefer the consignment whose goods are not out
    for cid, goods_id, purpose, packages, unit, _created, number, seal in sorted(rows, key=lambda r: r[5]):
        item = b.items.get((cid, number))
        g = Goods(cid, goods_id, purpose, packages, unit, number, seal, item)
        for key in ((number, ""), (number, goods_id)) if number else (("", goods_id),):
            old = b.goods.get(key)
            still_in = old is not None and old.item is not None and old.item["state"] != "out"
            if old is None or not (still_in and (item is None or item["state"] == "out")):
                b.goods[key] = g


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


def _one(session: Session, b: Batch, i: int, inc: Incoming, m: MessageIn) -> None:
    if m.kind == "stock":
        reasons = gates.stock(session, b, m)
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
            warnings = gates.gate_in(b, m, g)
            warned = [r.as_dict() for r in warnings]
            gates.movement(b, m, g, "applied", warned)
            b.results.append(
                MessageResult(index=i, message_id=m.message_id, status="applied", reasons=warned)
            )
            return
        allowed, why = gates.gate_out(b, m, g)
    except MessageError as exc:
        _reject(b, i, inc, m.message_id, [exc.error])
        return
    answer = [r.as_dict() for r in why]
    gates.movement(b, m, g, "applied" if allowed else "refused", answer)
    b.results.append(
        MessageResult(
            index=i,
            message_id=m.message_id,
            status="applied" if allowed else "refused",
            may_leave=allowed,
            reasons=answer,
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
                MovementRow.operator_id == b.operator.id, among(session, MovementRow.message_id, ids)
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


def _write(session: Session, b: Batch, actor: str) -> None:
    bulk.insert_rows(session, MovementRow, b.movements)
    new = {g.item["id"]: g.item for g in b.goods.values() if g.new and g.item is not None}
    bulk.insert_rows(session, ItemRow, list(new.values()))
    changed = {
        g.item["id"]: g.item
        for g in b.goods.values()
        if g.dirty and g.item is not None and g.item["id"] not in new
    }
    bulk.update_rows(session, ItemRow, list(changed.values()), key="id", columns=ITEM_STATE)
    alerts.raise_many(session, b.alerts, source="movements", actor=actor)
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
    _write(session, b, principal.label)
    b.results.sort(key=lambda r: r.index)
    if b.movements or b.rejected:
        _record(session, principal.label, b)
    return b.results


def _record(session: Session, actor: str, b: Batch) -> None:
    """The batch's one event: its outcome, the goods that left, and each gate-in and gate-out."""
    n = {s: sum(1 for r in b.results if r.status == s) for s in ("applied", "refused", "duplicate", "error")}
    counts: MovementCounts = {
        "applied": n["applied"],
        "refused": n["refused"],
        "duplicate": n["duplicate"],
        "error": n["error"],
    }
    op = b.operator
    unit = min({mv["unit"] for mv in b.movements}, default=op.unit)
    payload: MovementsApplied = {
        "operator": op.tax_code,
        "operator_id": op.id,
        "counts": counts,
        "exits": b.exits,
        "goods": sorted({mv["goods_id"] for mv in b.movements if mv["goods_id"]}),
        "gate_ins": b.gate_ins,
        "gate_outs": b.gate_outs,
    }
    outbox.record(
        session, type=SupervisionEvent.MOVEMENTS_APPLIED, unit=unit, actor=actor, payload=dict(payload)
    )
    audit.append(
        session,
        actor=actor,
        action="supervision.movements",
        target=f"operator:{op.tax_code}",
        unit=unit,
        detail={"counts": dict(counts), "format": b.fmt},
    )
