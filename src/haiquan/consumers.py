"""Every in-process consumer of the outbox, registered in one place."""

from __future__ import annotations

from haiquan.declarations import handlers as declarations_handlers
from haiquan.kit.outbox import Dispatcher
from haiquan.kit.settings import Settings
from haiquan.payments import handlers as payments_handlers
from haiquan.reports import handlers as reports_handlers
from haiquan.risk import handlers as risk_handlers
from haiquan.supervision import handlers as supervision_handlers

MODULES = [
    declarations_handlers,
    payments_handlers,
    reports_handlers,
    risk_handlers,
    supervision_handlers,
]


def register_all(dispatcher: Dispatcher, settings: Settings) -> None:
    """Each domain's handlers module offers consumers() (notifications, payments, reports, risk, ...)."""
    _ = settings
    for module in MODULES:
        for consumer in module.consumers():
            dispatcher.register(consumer)
