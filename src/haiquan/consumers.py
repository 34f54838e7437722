"""Every in-process consumer of the outbox, registered in one place."""

from __future__ import annotations

from haiquan.kit.outbox import Dispatcher
from haiquan.kit.settings import Settings
from haiquan.sharing import handlers as sharing_handlers


def register_all(dispatcher: Dispatcher, settings: Settings) -> None:
    """Domains add their consumers here (notifications, webhooks, reports, federation)."""
    _ = (dispatcher, settings)
    sharing_handlers.register(dispatcher)
