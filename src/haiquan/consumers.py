"""Every in-process consumer of the outbox, registered in one place."""

from __future__ import annotations

from haiquan.agencies import handlers as agencies_handlers
from haiquan.applications import handlers as applications_handlers
from haiquan.audit import handlers as audit_handlers
from haiquan.cargo import handlers as cargo_handlers
from haiquan.declarations import handlers as declarations_handlers
from haiquan.kit.dispatcher import Dispatcher
from haiquan.kit.settings import Settings
from haiquan.payments import handlers as payments_handlers
from haiquan.regimes import finalisation_handlers
from haiquan.regimes import handlers as regimes_handlers
from haiquan.reports import handlers as reports_handlers
from haiquan.risk import handlers as risk_handlers
from haiquan.sharing import handlers as sharing_handlers
from haiquan.supervision import handlers as supervision_handlers

# Consumers that act on this node's own records (notifications and webhooks, payment references, risk
# labels, terminal links): events federated from the units below were already acted on where they began.
LOCAL = [agencies_handlers, declarations_handlers, payments_handlers, risk_handlers, supervision_handlers]
LOCAL.append(applications_handlers)
LOCAL.append(regimes_handlers)  # the special regimes' stock ledger (issue #19)
LOCAL.append(finalisation_handlers)  # finalisation books the materials used (issue #19)
LOCAL.append(cargo_handlers)  # the manifest write-off (cargo.writeoff)
LOCAL.append(audit_handlers)  # issue #21: the blue lane's declarations join the audit queue
# Read models that must cover the whole subtree (a department's reports include its sub-departments).
SUBTREE = [reports_handlers]


def register_all(dispatcher: Dispatcher, settings: Settings) -> None:
    """Each domain's handlers module offers consumers() (notifications, payments, reports, risk, ...)."""
    for module in LOCAL:
        for consumer in module.consumers():
            consumer.local_only = True
            dispatcher.register(consumer)
    for module in SUBTREE:
        for consumer in module.consumers():
            dispatcher.register(consumer)
    sharing_handlers.register(dispatcher)  # the subtree summary and agency feeds (embedded or federated)
    sharing_handlers.register_work(dispatcher, settings)  # a parent's own events for a child's units
