"""Outbox consumers of federation: the per-unit summary and the agency feeds of this node's own events.
Events federated from child nodes are summed when they are ingested, in the same transaction as their
inbox row (one batch, not one transaction per event); their records are replicated by `sharing.records`."""

from __future__ import annotations

from sqlalchemy.orm import Session

from haiquan.kit import catalogue
from haiquan.kit.db import UnitOfWork
from haiquan.kit.dispatcher import Dispatcher
from haiquan.kit.outbox import Consumer, Event
from haiquan.kit.settings import Settings
from haiquan.organization import service as org
from haiquan.sharing import records, reference, service, work
from haiquan.sharing.catalogue import SharingEvent
from haiquan.sharing.domain import NodeLayout


def _summary(uow: UnitOfWork, event: Event) -> None:
    service.add_to_totals(uow.session, [event])


def _summary_many(uow: UnitOfWork, events: list[Event]) -> None:
    service.add_to_totals(uow.session, events)  # one upsert for the chunk


def _agency(uow: UnitOfWork, event: Event) -> None:
    service.project_for_agencies(uow.session, event=event)


def _agency_many(uow: UnitOfWork, events: list[Event]) -> None:
    service.project_many_for_agencies(uow.session, events=events)


def _records(uow: UnitOfWork, event: Event) -> None:
    records.project_federated(uow.session, [event])


def _records_many(uow: UnitOfWork, events: list[Event]) -> None:
    records.project_federated(uow.session, events)  # one read and one upsert for the chunk


def _versions(uow: UnitOfWork, event: Event) -> None:
    _versions_many(uow, [event])


def _versions_many(uow: UnitOfWork, events: list[Event]) -> None:
    """Each node's reference versions (this node's and, federated up, every node's below it)."""
    applied = [e.payload for e in events if e.type == SharingEvent.REFERENCE_APPLIED]
    refused = [e.payload for e in events if e.type == SharingEvent.REFERENCE_REFUSED]
    reference.note_versions(uow.session, applied, refused=False)
    reference.note_versions(uow.session, refused, refused=True)


VERSION_TYPES = frozenset({SharingEvent.REFERENCE_APPLIED, SharingEvent.REFERENCE_REFUSED})


def register(dispatcher: Dispatcher) -> None:
    # the child nodes' records, replicated at their parent (decision 0038)
    dispatcher.register(
        Consumer("sharing.records", records.TYPES, _records, federated_only=True, many=_records_many)
    )
    # federated events too: a parent keeps its children's (and their children's) versions
    dispatcher.register(Consumer("sharing.reference_versions", VERSION_TYPES, _versions, many=_versions_many))
    dispatcher.register(
        Consumer(
            "sharing.summary",
            frozenset(service.summary_types()),
            _summary,
            local_only=True,
            many=_summary_many,
        )
    )
    dispatcher.register(
        # an agreement may name any type of the catalogue
        Consumer("sharing.agency", catalogue.types(), _agency, local_only=True, many=_agency_many)
    )


def register_work(dispatcher: Dispatcher, settings: Settings) -> None:
    """On a federated node with child nodes: its own events that concern a unit of a child node are routed
    down to it (decision 0039; the children's events are routed as they are ingested). Registered after the
    domains registered what their events concern (sharing/work.register)."""
    children = [c.strip() for c in settings.child_nodes.split(",") if c.strip()]
    if not settings.nats_url or not children or not work.CONCERNS:
        return
    layouts: list[NodeLayout] = []

    def layout(session: Session) -> NodeLayout:  # the tree is read once, on the first event to route
        if not layouts:
            tree = org.TREES.get(session)
            layouts.append(
                NodeLayout.build(tree, settings.unit, parent=settings.parent_node, children=children)
            )
        return layouts[0]

    def route_many(uow: UnitOfWork, events: list[Event]) -> None:
        work.route(uow.session, layout=layout(uow.session), events=[(e, None) for e in events])

    def route(uow: UnitOfWork, event: Event) -> None:
        route_many(uow, [event])

    types = frozenset(work.CONCERNS)
    dispatcher.register(Consumer("sharing.work", types, route, local_only=True, many=route_many))
