"""Reactions of the declarations module to other modules' events."""

from __future__ import annotations

from decimal import Decimal

from haiquan.declarations import clearance
from haiquan.kit.db import UnitOfWork
from haiquan.kit.outbox import Consumer, Event
from haiquan.payments.catalogue import PaymentEvent
from haiquan.taxes.domain import is_charge


def on_payment_confirmed(uow: UnitOfWork, event: Event) -> None:
    """payment.confirmed / payment.guarantee_issued: {declaration_number, amount, reference}."""
    p = event.payload
    if is_charge(str(p["declaration_number"])):
        return  # a penalty or a fee paid (taxes.charges): no declaration to settle
    method = "guarantee" if event.type == PaymentEvent.GUARANTEE_ISSUED else "payment"
    clearance.settle(
        uow.session,
        number=str(p["declaration_number"]),
        method=method,
        reference=str(p.get("reference", "")),
        amount=Decimal(str(p.get("amount", "0"))),
        actor=event.actor,
    )


def consumers() -> list[Consumer]:
    from haiquan.declarations.notifications import consumer

    return [
        consumer(),
        Consumer(
            "declarations.payments",
            frozenset({PaymentEvent.CONFIRMED, PaymentEvent.GUARANTEE_ISSUED}),
            on_payment_confirmed,
        ),
    ]
