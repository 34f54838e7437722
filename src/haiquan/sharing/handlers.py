"""Outbox consumers of federation: the per-unit summary and the agency feeds of this node's own events.
Events federated from child nodes are summed and projected when they are ingested, in the same
transaction as their inbox row (one batch, not one transaction per event)."""

from __future__ import annotations

from haiquan.kit import catalogue
from haiquan.kit.db import UnitOfWork
from haiquan.kit.dispatcher import Dispatcher
from haiquan.kit.outbox import Consumer, Event
from haiquan.sharing import reference, service
from haiquan.sharing.catalogue import SharingEvent


def _summary(uow: UnitOfWork, event: Event) -> None:
    service.add_to_totals(uow.session, [event])


def _summary_many(uow: UnitOfWork, events: list[Event]) -> None:
    service.add_to_totals(uow.session, events)  # one upsert for the chunk


def _agency(uow: UnitOfWork, event: Event) -> None:
    service.project_for_agencies(uow.session, event=event)


def _agency_many(uow: UnitOfWork, events: list[Event]) -> None:
    service.project_many_for_agencies(uow.session, events=events)


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
