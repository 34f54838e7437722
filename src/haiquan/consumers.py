"""Every in-process consumer of the outbox, registered in one place."""

from __future__ import annotations

from haiquan.declarations import handlers as declarations_handlers
from haiquan.kit.outbox import Dispatcher
from haiquan.kit.settings import Settings
from haiquan.supervision import handlers as supervision_handlers


def register_all(dispatcher: Dispatcher, settings: Settings) -> None:
    """Domains add their consumers here (notifications, webhooks, reports, federation)."""
    _ = settings
    for consumer in declarations_handlers.consumers():
        dispatcher.register(consumer)
    for consumer in supervision_handlers.consumers():
        dispatcher.register(consumer)
