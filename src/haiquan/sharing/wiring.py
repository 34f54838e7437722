"""Starting a node's NATS link from the application (only when HAIQUAN_NATS_URL is set; without it the
outbox consumers run in-process and nothing else is needed). A regional hub (`serve --unit 31,32,…`) starts
one link per served department, each to that department's own nats-server (decision 0040). Every worker
builds the link; the one holding its leadership runs it (sharing/holding), the others stand by."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from haiquan.kit.backlog import Pacer
from haiquan.kit.db import Database
from haiquan.kit.dispatcher import Dispatcher
from haiquan.kit.leader import Leadership
from haiquan.kit.settings import Settings
from haiquan.organization import service as org
from haiquan.sharing.connect import node_urls, unit_options
from haiquan.sharing.domain import hub_layouts, hub_units
from haiquan.sharing.holding import DUTY, HeldLink
from haiquan.sharing.node import SharingNode


@dataclass
class HubLinks:
    """The links of a hub's departments, started and stopped together (by the worker holding the link)."""

    nodes: list[SharingNode]

    def start(self) -> None:
        for n in self.nodes:
            n.start()

    def wake(self) -> None:
        for n in self.nodes:
            n.wake()

    def stop(self) -> None:
        for n in self.nodes:
            n.stop()


def start_federation(app: Any, settings: Settings, db: Database, dispatcher: Dispatcher) -> HeldLink | None:
    app.state.sharing = None
    app.state.sharing_link = None
    if not settings.nats_url:
        return None
    units = hub_units(settings.unit)
    with db.unit_of_work() as uow:
        tree = org.load_tree(uow.session)
    kids = [c.strip() for c in settings.child_nodes.split(",") if c.strip()]
    layouts = hub_layouts(tree, units, parent=settings.parent_node or None, children=kids)
    urls = node_urls(settings.nats_url, units)
    nodes = [
        SharingNode(
            db,
            urls[lay.unit],
            lay,
            on_applied=dispatcher.wake,
            options=unit_options(settings, lay.unit),
            agency_feeds=i == 0,  # a hub's agency feeds go through its first department's server
        )
        for i, lay in enumerate(layouts)
    ]
    node = nodes[0]
    dispatcher.pacer = Pacer(node.busy)  # while the link drains a backlog, read models come second
    link: SharingNode | HubLinks = node if len(nodes) == 1 else HubLinks(nodes)
    previous = app.state.dispatcher_wake

    def wake() -> None:  # a committed request wakes both the dispatcher and the relay
        previous()
        link.wake()

    app.state.dispatcher_wake = wake
    app.state.sharing = node  # the status page shows the first department's link
    app.state.sharing_links = nodes
    held = HeldLink(db, link, Leadership(db, DUTY))
    app.state.sharing_link = held
    held.start()  # the link runs in this process while it holds the leadership
    return held
