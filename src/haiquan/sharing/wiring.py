"""Starting a node's NATS link from the application (only when HAIQUAN_NATS_URL is set; without it the
outbox consumers run in-process and nothing else is needed). Every worker builds the link; the one holding
its leadership runs it (sharing/holding), the others stand by."""

from __future__ import annotations

from typing import Any

from haiquan.kit.backlog import Pacer
from haiquan.kit.db import Database
from haiquan.kit.dispatcher import Dispatcher
from haiquan.kit.leader import Leadership
from haiquan.kit.settings import Settings
from haiquan.sharing.holding import DUTY, HeldLink
from haiquan.sharing.node import SharingNode, load_layout


def start_federation(app: Any, settings: Settings, db: Database, dispatcher: Dispatcher) -> HeldLink | None:
    app.state.sharing = None
    app.state.sharing_link = None
    if not settings.nats_url:
        return None
    layout = load_layout(db, settings.unit, settings.parent_node, settings.child_nodes)
    node = SharingNode(db, settings.nats_url, layout, on_applied=dispatcher.wake)
    dispatcher.pacer = Pacer(node.busy)  # while the link drains a backlog, read models come second
    previous = app.state.dispatcher_wake

    def wake() -> None:  # a committed request wakes both the dispatcher and the relay
        previous()
        node.wake()

    app.state.dispatcher_wake = wake
    app.state.sharing = node
    held = HeldLink(db, node, Leadership(db, DUTY))
    app.state.sharing_link = held
    held.start()  # the link runs in this process while it holds the leadership
    return held
