"""A bulk of low-value declarations, in two steps.

`prepare` (in a worker thread of the request, outside the writer): each item is checked on its own (schema,
currency, threshold) and given its lane, so that a wrong item is answered alone, naming its field, and the
writer never spends time on it. `lodge` (in the low-value writer's transaction, kit.groupcommit): the items
already lodged under their key (house AWB or postal item id, per carrier) are answered again with their first
answer, and the new ones get numbers in one round trip and are written in one executemany."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy.orm import Session

from haiquan.kit import clock, ids, inbound, outbox, sequences
from haiquan.kit.auth import Principal
from haiquan.kit.db import new_id
from haiquan.kit.errors import DomainError, ValidationFailed
from haiquan.lowvalue import domain, repository
from haiquan.lowvalue.catalogue import LowValueEvent
from haiquan.lowvalue.domain import Channel, Direction, Lane
from haiquan.lowvalue.schemas import (
    BulkOut,
    ExpressItemIn,
    ExpressManifestIn,
    ItemResult,
    PostalDispatchIn,
    PostalItemIn,
)
from haiquan.organization import service as org
from haiquan.tariff import service as tariff

ITEM: dict[Channel, TypeAdapter[ExpressItemIn | PostalItemIn]] = {
    Channel.EXPRESS: TypeAdapter(ExpressItemIn),
    Channel.POSTAL: TypeAdapter(PostalItemIn),
}


@dataclass(frozen=True)
class Header:
    """The manifest a bulk belongs to, whichever the channel."""

    channel: Channel
    reference: str
    transport: str
    transport_date: date
    office: str
    direction: Direction


@dataclass
class Prepared:
    header: Header
    results: list[ItemResult]  # one per item, in order; the accepted ones completed by `lodge`
    ready: dict[int, dict[str, Any]] = field(default_factory=dict)  # index -> parcel row (no number yet)


def header_of(body: ExpressManifestIn | PostalDispatchIn) -> Header:
    if isinstance(body, ExpressManifestIn):
        ref = body.master_awb.replace("-", "")
        return Header(Channel.EXPRESS, ref, body.flight, body.flight_date, body.office, body.direction)
    return Header(
        Channel.POSTAL, body.dispatch, body.transport, body.dispatch_date, body.office, body.direction
    )


def check_size(count: int) -> None:
    if count > domain.MAX_ITEMS:
        raise ValidationFailed(
            f"a bulk holds at most {domain.MAX_ITEMS:,} items; this one has {count:,}: send it in several",
            field="items",
            code="bulk_too_large",
            status=413,
        )


def prepare(
    session: Session,
    *,
    body: ExpressManifestIn | PostalDispatchIn,
    thresholds: domain.Thresholds,
    watched: Mapping[str, frozenset[str]],
) -> Prepared:
    """Every item checked and assessed; `session` reads exchange rates only."""
    check_size(len(body.items))
    if org.TREES.get(session).get(body.office) is None:
        raise ValidationFailed(
            f"{body.office} is not a customs office code", field="office", code="unknown_office"
        )
    header = header_of(body)
    adapter, rates = ITEM[header.channel], _Rates(session, header.transport_date)
    review = thresholds.limit(header.direction) / 2
    out = Prepared(header, [])
    for i, raw in enumerate(body.items):
        try:
            row = _checked(adapter.validate_python(raw), raw, header, rates, thresholds, watched, review, i)
        except ValidationError as exc:
            out.results.append(_rejected_by_schema(i, raw, exc))
            continue
        except DomainError as exc:
            out.results.append(_rejected(i, _key_of(raw), exc.field, exc.code, exc.message))
            continue
        out.ready[i] = row
        out.results.append(ItemResult(index=i, key=row["item_key"], outcome="accepted"))
    return out


class _Rates:
    """The day's rate per currency, read once per bulk."""

    def __init__(self, session: Session, on: date) -> None:
        self.session, self.on, self.known = session, on, {"VND": Decimal(1)}

    def __call__(self, currency: str, index: int) -> Decimal:
        if currency not in self.known:
            field = f"items[{index}].currency"
            self.known[currency] = tariff.exchange_rate(self.session, currency, self.on, field=field)
        return self.known[currency]


def _checked(
    item: ExpressItemIn | PostalItemIn,
    raw: Any,
    header: Header,
    rates: _Rates,
    thresholds: domain.Thresholds,
    watched: Mapping[str, frozenset[str]],
    review: Decimal,
    i: int,
) -> dict[str, Any]:
    """The parcel row of a valid item; its canonical JSON names what a retry must repeat (`item_hash`). A
    NUL character is refused here, naming its field: the middleware leaves a bulk's items to this check."""
    dumped = item.model_dump_json().encode()
    if b"\\u0000" in dumped:
        raise ValidationFailed(inbound.NUL, field=f"items[{i}].{inbound.nul_path(raw)}")
    row = _row(item, header, rates(item.currency, i), thresholds, watched, review, i)
    row["item_hash"] = _hash(header, dumped)
    return row


def _row(
    item: ExpressItemIn | PostalItemIn,
    header: Header,
    rate: Decimal,
    thresholds: domain.Thresholds,
    watched: Mapping[str, frozenset[str]],
    review: Decimal,
    i: int,
) -> dict[str, Any]:
    value_vnd = (item.value * rate).quantize(Decimal(1))
    domain.check_value(value_vnd, header.direction, thresholds, field=f"items[{i}].value")
    facts = domain.ParcelFacts(
        " ".join(item.consignee_name.split()).upper(),
        item.consignee_id,
        item.hs_code,
        item.country,
        value_vnd,
        header.office,
    )
    lane = domain.assess(facts, watched, review_vnd=review)
    key, bag = (item.item_id, item.bag) if isinstance(item, PostalItemIn) else (item.house_awb, None)
    return {
        "item_key": key,
        "declaration_type": domain.DECLARATION_TYPE[header.direction],
        "office": header.office,
        "bag": bag,
        "consignee_name": item.consignee_name,
        "consignee_address": item.consignee_address,
        "consignee_id": item.consignee_id,
        "description": item.description,
        "hs_code": item.hs_code,
        "country": item.country,
        "value": item.value,
        "currency": item.currency,
        "value_vnd": value_vnd,
        "weight_kg": item.weight_kg,
        "lodged_lane": lane.lane.value,
        "lane": lane.lane.value,
        "status": domain.status_on_lodging(lane.lane).value,
        "reasons": list(lane.reasons),
    }


def _hash(header: Header, dumped: bytes) -> str:
    return hashlib.sha256(f"{header.channel}|{header.reference}|".encode() + dumped).hexdigest()[:32]


def _key_of(raw: Any) -> str | None:
    if not isinstance(raw, dict):
        return None
    key = raw.get("house_awb", raw.get("item_id"))
    return key if isinstance(key, str) else None


def _rejected(i: int, key: str | None, field: str | None, code: str, message: str) -> ItemResult:
    return ItemResult(index=i, key=key, outcome="rejected", field=field, code=code, message=message)


def _rejected_by_schema(i: int, raw: Any, exc: ValidationError) -> ItemResult:
    err = exc.errors()[0]
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"])
    message = str(err["msg"]).removeprefix("Value error, ")
    return _rejected(i, _key_of(raw), f"items[{i}]{path}", "validation_failed", message)


@dataclass(eq=False)
class LodgeBulk:
    """The writer's side of a bulk (kit.groupcommit.Work)."""

    principal: Principal
    prepared: Prepared

    @classmethod
    def prefetch(cls, session: Session, works: Any) -> None:
        return None

    def run(self, session: Session) -> BaseModel:
        return lodge(session, principal=self.principal, prepared=self.prepared)

    @classmethod
    def finish(cls, session: Session, works: Any) -> None:
        return None


def lodge(session: Session, *, principal: Principal, prepared: Prepared) -> BulkOut:
    """Answer the items already lodged under their key again, lodge the new ones, in the caller's
    transaction (never committed here)."""
    ent, scope, header = str(principal.scope.enterprise_id), principal.scope, prepared.header
    keys = {i: row["item_key"] for i, row in prepared.ready.items()}
    known = repository.known_parcels(session, keys.values(), enterprise_id=ent, scope=scope)
    new = _answer_known(prepared, known)
    manifest_id = _manifest(session, principal, header, bool(new))
    if new:
        _write(session, principal, prepared, new, manifest_id)
    accepted = sum(r.outcome == "accepted" for r in prepared.results)
    return BulkOut(
        manifest_id=manifest_id,
        accepted=accepted,
        rejected=len(prepared.results) - accepted,
        new=len(new),
        items=prepared.results,
    )


def _answer_known(prepared: Prepared, known: Mapping[str, repository.Known]) -> list[int]:
    """Known keys answered as the first time (or rejected: another parcel under a key already used);
    a key twice in the bulk: the second rejected. Returns the indexes of the new parcels."""
    new, seen = [], set()
    for i, row in prepared.ready.items():
        key, result, prior = row["item_key"], prepared.results[i], known.get(row["item_key"])
        field = f"items[{i}].{'house_awb' if prepared.header.channel is Channel.EXPRESS else 'item_id'}"
        if prior is not None and prior.item_hash == row["item_hash"]:
            result.number, result.declaration_type = prior.number, prior.declaration_type
            result.lane = Lane(prior.lodged_lane)
        elif prior is not None or key in seen:
            why = f"already lodged as {prior.number} with other content" if prior else "twice in this bulk"
            prepared.results[i] = _rejected(i, key, field, "item_key_reused", f"{key} is {why}")
        else:
            new.append(i)
        seen.add(key)
    return new


def _manifest(session: Session, principal: Principal, header: Header, create: bool) -> str | None:
    ent = str(principal.scope.enterprise_id)
    found = repository.manifest(
        session, enterprise_id=ent, channel=header.channel, reference=header.reference, scope=principal.scope
    )
    if found is not None:
        if (found.office, found.direction) != (header.office, header.direction):
            raise ValidationFailed(
                f"manifest {header.reference} was sent for {found.office} ({found.direction})",
                field="office",
                code="manifest_differs",
            )
        return found.id
    if not create:
        return None
    row = {
        "id": new_id(),
        "enterprise_id": ent,
        "carrier_tax_code": principal.tax_code or "",
        "channel": header.channel.value,
        "reference": header.reference,
        "transport": header.transport,
        "transport_date": header.transport_date,
        "office": header.office,
        "direction": header.direction.value,
        "created_at": clock.now(),
    }
    repository.insert_manifest(session, row, scope=principal.scope)
    names = ("id", "channel", "reference", "transport", "office", "direction", "carrier_tax_code")
    payload = {("manifest_id" if k == "id" else k): str(row[k]) for k in names}
    outbox.record(
        session,
        type=LowValueEvent.MANIFEST_RECEIVED,
        unit=header.office,
        actor=principal.label,
        payload=payload,
    )
    return str(row["id"])


def _write(
    session: Session, principal: Principal, prepared: Prepared, new: list[int], manifest_id: str | None
) -> None:
    header, now = prepared.header, clock.now()
    prefix = domain.NUMBER_PREFIX[header.direction]
    numbers = sequences.next_values(session, f"declaration_{prefix}", len(new))
    rows, lanes, held = [], {lane: 0 for lane in Lane}, []
    for i, value in zip(new, numbers, strict=True):
        number = ids.declaration_number(prefix, value)
        row = prepared.ready[i] | {
            "number": number,
            "manifest_id": manifest_id,
            "enterprise_id": principal.scope.enterprise_id,
        }
        rows.append(row | {"lodged_at": now, "updated_at": now})
        lane = Lane(row["lane"])
        lanes[lane] += 1
        if lane is not Lane.GREEN:
            held.append(number)
        result = prepared.results[i]
        result.number, result.declaration_type, result.lane = number, row["declaration_type"], lane
    repository.insert_parcels(session, rows, scope=principal.scope)
    payload = {
        "manifest_id": str(manifest_id),
        "office": header.office,
        "declaration_type": domain.DECLARATION_TYPE[header.direction],
        "lodged": len(rows),
        **{lane.value: n for lane, n in lanes.items()},
        "held": held,
    }
    outbox.record(
        session,
        type=LowValueEvent.DECLARATIONS_LODGED,
        unit=header.office,
        actor=principal.label,
        payload=payload,
    )
