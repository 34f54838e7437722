"""Use cases of federation: apply events received from child nodes exactly once, keep the per-unit summary,
manage agency agreements and project their feeds, apply reference data in version order. Never commits."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from functools import cache
from typing import Any, cast

import structlog
from sqlalchemy import Table, case, insert, select
from sqlalchemy.orm import Session

from haiquan.kit import audit, catalogue, clock
from haiquan.kit.db import add_up, insert_for, new_id, pipelined
from haiquan.kit.errors import Conflict, NotFound, ValidationFailed
from haiquan.kit.outbox import Event
from haiquan.organization import service as org
from haiquan.payments.catalogue import PaymentEvent
from haiquan.sharing import domain, inbox, reference, work
from haiquan.sharing.catalogue import SharingEvent
from haiquan.sharing.domain import Agreement, NodeLayout
from haiquan.sharing.tables import (
    AgencyAgreement,
    AgencyDelivery,
    FederatedNode,
    UnitEventTotal,
)

log = structlog.get_logger(__name__)


SumKey = tuple[str, date, str, str]  # unit, day (Vietnam time), type, dimension
Totals = dict[SumKey, tuple[int, Decimal]]  # count and amount per key
ZERO = Decimal(0)


@dataclass(frozen=True)
class Received:
    """An event as it arrived from the hub stream: through which child node, at which stream sequence,
    and (optionally) its envelope as received, JSON text: the outbox copy's payload is then read from it
    by the database instead of being encoded again here."""

    event: Event
    node: str
    stream_seq: int
    envelope: str | None = None


def ingest(
    session: Session, *, batch: list[Received], layout: NodeLayout, sums: Totals | None = None
) -> tuple[int, list[Received]]:
    """Apply a batch of federated events: outbox copy (origin set: dispatched here, never relayed up again),
    summary, agency feeds and the child nodes' rows, all in the caller's transaction. Returns (applied,
    refused); an event already in the outbox is skipped (exactly once), an event of a unit outside its
    child node's subtree is refused. `sums`: the summary rows of the whole batch worked out ahead
    (`sum_into`: the federation consumer does it while the batch before is written), used when every
    event is applied."""
    refused: list[Received] = []
    items: dict[str, Received] = {}  # by id: a batch may hold an event twice
    for r in batch:
        if r.event.unit not in layout.child_units.get(r.node, frozenset()):
            refused.append(r)
        elif r.event.id not in items:
            items[r.event.id] = r
    now = clock.now()
    written = inbox.write_new(session, list(items.values()), now)
    arrived = [r for r in items.values() if r.event.id in written]
    applied = [r.event for r in arrived]
    with pipelined(session):  # both upserts in one round trip (results not read)
        note_nodes(session, arrived, now)
        if sums is not None and len(applied) == len(batch):  # every event of the batch: its sums hold
            upsert_sums(session, sums)
        else:
            add_to_totals(session, applied)
    if applied:
        # agreements as this process knows them: re-read at once after a change made here, at most a
        # second late after one made elsewhere (re-reading them for each batch was a round trip each)
        project_many_for_agencies(session, events=applied)
        # work that concerns another node than the one it came from (decision 0039)
        work.route(session, layout=layout, events=[(r.event, r.node) for r in arrived])
    return len(applied), refused


def note_nodes(session: Session, arrived: list[Received], now: datetime) -> None:
    """Per child node, add what arrived (in stream order) to its row of `federated_nodes`: one upsert."""
    last: dict[str, Received] = {}
    counts: dict[str, int] = {}
    newest: dict[str, datetime] = {}
    for r in arrived:
        last[r.node], counts[r.node] = r, counts.get(r.node, 0) + 1
        at = r.event.occurred_at
        newest[r.node] = max(newest.get(r.node, at), at)
    if not last:
        return
    values = [
        {
            "node": node,
            "received": counts[node],
            "last_stream_seq": r.stream_seq,
            "last_received_at": now,
            "last_lag_s": max(0.0, (now - r.event.occurred_at).total_seconds()),
            "newest_occurred_at": newest[node],
        }
        for node, r in last.items()
    ]
    table = cast(Table, FederatedNode.__table__)
    stmt = insert_for(session, table)
    new = stmt.excluded
    stmt = stmt.on_conflict_do_update(
        index_elements=["node"],
        set_={
            "received": table.c.received + new.received,
            "last_stream_seq": new.last_stream_seq,
            "last_received_at": new.last_received_at,
            "last_lag_s": new.last_lag_s,
            "newest_occurred_at": case(
                (new.newest_occurred_at > table.c.newest_occurred_at, new.newest_occurred_at),
                else_=table.c.newest_occurred_at,
            ),
        },
    )
    session.execute(stmt, values)


# The domains whose events the per-unit summary counts (every type their catalogues declare), less the
SUMMARY_DOMAINS = ("declarations", "supervision", "payments", "enforcement", "cargo", "sharing")
# revenue ledger's: its entries are counted by the reports, and a target is no amount received; nor a node's
# reference versions (kept per node in node_reference_versions, not activity of a unit)
NOT_SUMMED = frozenset(
    {
        PaymentEvent.REVENUE_POSTED,
        PaymentEvent.REVENUE_TARGET_SET,
        SharingEvent.REFERENCE_APPLIED,
        SharingEvent.REFERENCE_REFUSED,
    }
)


@cache
def summary_types() -> frozenset[StrEnum]:
    return catalogue.of_domains(*SUMMARY_DOMAINS) - NOT_SUMMED


def counted(event_type: str) -> bool:
    return event_type in summary_types()


def sum_into(totals: Totals, event: Event) -> None:
    """Add an event's rows of the per-unit summary to `totals` (none for an event it does not count)."""
    if not counted(event.type):
        return
    day = clock.vn_day(event.occurred_at)
    for dim, n, amount in domain.measures(event):
        key = (event.unit, day, event.type, dim)
        c, a = totals.get(key, (0, ZERO))
        totals[key] = (c + n, a + amount)


def add_to_totals(session: Session, events: Iterable[Event]) -> None:
    sums: Totals = {}
    for ev in events:
        sum_into(sums, ev)
    upsert_sums(session, sums)


def upsert_sums(session: Session, sums: Totals) -> None:
    """Upsert the per-unit summary: counts and amounts added to the rows already there."""
    values = [
        {"unit": unit, "day": day, "type": type_, "dim": dim, "count": count, "amount": amount}
        for (unit, day, type_, dim), (count, amount) in sums.items()
    ]
    add_up(session, cast(Table, UnitEventTotal.__table__), values)


# --- agency agreements -------------------------------------------------------------------------------


def create_agreement(
    session: Session,
    *,
    agency: str,
    title: str,
    types: list[str],
    units: list[str],
    fields: list[str],
    actor: str,
) -> AgencyAgreement:
    code = agency.strip().upper()
    if not code.isalnum() or not 2 <= len(code) <= 30:
        raise ValidationFailed("agency code: 2 to 30 letters or digits", field="agency")
    try:
        type_list = domain.validate_agreement_types(types)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="types") from exc
    tree = org.TREES.get(session)
    unknown = [u for u in units if tree.get(u) is None]
    if unknown or not units:
        raise ValidationFailed(f"unknown units: {', '.join(unknown) or '(none given)'}", field="units")
    bad = [f for f in fields if not f.isidentifier()]
    if bad:
        raise ValidationFailed(f"field names must be identifiers: {', '.join(bad)}", field="fields")
    row = AgencyAgreement(
        id=new_id(),
        agency=code,
        title=title.strip() or code,
        types=list(type_list),
        units=sorted(set(units)),
        fields=sorted(set(fields)),
        active=True,
        created_by=actor,
        created_at=clock.now(),
    )
    session.add(row)
    personal = sorted(set(fields) & domain.PERSONAL_FIELDS)
    detail = {"types": row.types, "units": row.units, "fields": row.fields, "personal_fields": personal}
    audit.append(session, actor=actor, action="agreement.create", target=f"agency:{code}", detail=detail)
    AGREEMENTS.invalidate()
    return row


def revoke_agreement(session: Session, *, agreement_id: str, actor: str) -> AgencyAgreement:
    row = session.get(AgencyAgreement, agreement_id)
    if row is None:
        raise NotFound(f"no agreement {agreement_id}", field="agreement_id")
    if not row.active:
        raise Conflict("this agreement is already revoked", field="agreement_id")
    row.active = False
    row.revoked_at = clock.now()
    audit.append(session, actor=actor, action="agreement.revoke", target=f"agency:{row.agency}", detail={})
    AGREEMENTS.invalidate()
    return row


def list_agreements(session: Session) -> list[AgencyAgreement]:
    return list(session.scalars(select(AgencyAgreement).order_by(AgencyAgreement.created_at)).all())


@dataclass
class _AgreementCache:
    """Active agreements, re-read at most every `ttl` seconds (and at once after a change in this process):
    the agency consumer looks at every event."""

    ttl: float = 1.0
    value: list[tuple[str, Agreement]] | None = None
    at: float = 0.0

    def get(self, session: Session) -> list[tuple[str, Agreement]]:
        if self.value is None or time.monotonic() - self.at > self.ttl:
            self.value, self.at = active_agreements(session), time.monotonic()
        return self.value

    def invalidate(self) -> None:
        self.value = None


AGREEMENTS = _AgreementCache()


def active_agreements(session: Session) -> list[tuple[str, Agreement]]:
    tree = org.TREES.get(session)
    rows = session.scalars(select(AgencyAgreement).where(AgencyAgreement.active.is_(True))).all()
    out = []
    for r in rows:
        units = frozenset().union(*(tree.subtree(u) for u in r.units)) if r.units else frozenset()
        out.append((r.id, Agreement(r.agency, tuple(r.types), units, tuple(r.fields))))
    return out


def agency_deliveries(session: Session, *, event: Event) -> list[dict[str, Any]]:
    """The event, filtered, for each agency whose agreement covers it (rows of `agency_deliveries`)."""
    return [
        {
            "agreement_id": agreement_id,
            "agency": agreement.agency,
            "event_id": event.id,
            "subject": domain.agency_subject(agreement.agency, event),
            "body": agreement.project(event),
            "created_at": clock.now(),
        }
        for agreement_id, agreement in AGREEMENTS.get(session)
        if agreement.covers(event)
    ]


def project_many_for_agencies(session: Session, *, events: list[Event]) -> int:
    """`project_for_agencies` for many events, in one insert."""
    rows = [d for ev in events for d in agency_deliveries(session, event=ev)]
    if rows:
        session.execute(insert(AgencyDelivery), rows)
    return len(rows)


def project_for_agencies(session: Session, *, event: Event) -> int:
    """Queue the event, filtered, for each agency whose agreement covers it (the relay publishes them)."""
    rows = agency_deliveries(session, event=event)
    for row in rows:
        session.add(AgencyDelivery(**row))
    return len(rows)


# --- reference data: sharing/reference.py (kinds, parts, versions); kept importable from here ---------

register_applier = reference.register_applier
apply_reference = reference.apply_reference
