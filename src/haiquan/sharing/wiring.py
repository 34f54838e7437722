"""Starting a node's NATS link from the application (only when HAIQUAN_NATS_URL is set; without it the
outbox consumers run in-process and nothing else is needed)."""

from __future__ import annotations

from typing import Any

from haiquan.kit.backlog import Pacer
from haiquan.kit.db import Database
from haiquan.kit.dispatcher import Dispatcher
from haiquan.kit.settings import Settings
from haiquan.sharing.connect import connect_options
from haiquan.sharing.node import SharingNode, load_layout


def start_federation(
    app: Any, settings: Settings, db: Database, dispatcher: Dispatcher
) -> SharingNode | None:
    app.state.sharing = None
    if not settings.nats_url:
        return None
    layout = load_layout(db, settings.unit, settings.parent_node, settings.child_nodes)
    node = SharingNode(
        db, settings.nats_url, layout, on_applied=dispatcher.wake, options=connect_options(settings)
    )
    dispatcher.pacer = Pacer(node.busy)  # while the link drains a backlog, read models come second
    previous = app.state.dispatcher_wake

    def wake() -> None:  # a committed request wakes both the dispatcher and the relay
        previous()
        node.wake()

    app.state.dispatcher_wake = wake
    app.state.sharing = node
    node.start()
    return node
