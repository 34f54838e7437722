"""Reactions of payments to the declarations' events: duties amended by AMA, withdrawn on cancellation.
Registration writes its due and reference itself (service.assessed_at_registration); its event still comes
here, which finds the due and does nothing, or assesses a registration recorded before that was so."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from haiquan.declarations.catalogue import DeclarationEvent
from haiquan.kit.db import UnitOfWork
from haiquan.kit.outbox import Consumer, Event
from haiquan.payments import service
from haiquan.payments.domain import payer_of
from haiquan.payments.tables import DeclarationDueRow


def _payer(p: dict[str, object]) -> str:
    importer, declarant = p.get("importer_tax_code"), p.get("declarant_tax_code")
    return payer_of(str(p.get("kind")), str(importer) if importer else None, str(declarant or ""))


def on_declarations(uow: UnitOfWork, events: list[Event]) -> None:
    """A chunk at once: the dues and references of its declarations read in two queries first."""
    known = service.preload(uow.session, {str(ev.payload["number"]) for ev in events})
    for ev in events:
        on_declaration(uow, ev, known)


def _suspended(uow: UnitOfWork, p: dict[str, Any], number: str, known: service.Known | None) -> bool:
    """Settled with no due: nothing was owed at registration (no duties, or duties a special regime
    suspends until a deadline passes: regimes.admission, issue #19), and an amendment leaves it so."""
    if not p.get("duties_settled"):
        return False
    due = known.dues.get(number) if known is not None else uow.session.get(DeclarationDueRow, number)
    return due is None


def on_declaration(uow: UnitOfWork, event: Event, known: service.Known | None = None) -> None:
    p = event.payload
    number, office = str(p["number"]), str(p["office"])
    total = Decimal(str(p.get("total_duties") or "0"))
    if _suspended(uow, p, number, known):
        return
    if event.type == DeclarationEvent.REGISTERED:  # a no-op unless the registration did not write its due
        service.assessed(
            uow.session,
            number=number,
            office=office,
            payer=_payer(p),
            total=total,
            source=event.id,
            known=known,
        )
    elif event.type == DeclarationEvent.AMENDED_AFTER_REGISTRATION:
        service.amended(
            uow.session,
            number=number,
            office=office,
            payer=_payer(p),
            new_total=total,
            amendment_no=int(p.get("amendment_no") or 0),
            source=event.id,
            known=known,
        )
    elif event.type == DeclarationEvent.CANCELLED and p.get("previous_status") not in (None, "accepted"):
        service.amended(
            uow.session,
            number=number,
            office=office,
            payer=_payer(p),
            new_total=Decimal(0),
            amendment_no=0,
            source=event.id,
            known=known,
        )


def consumers() -> list[Consumer]:
    return [
        Consumer(
            "payments.declarations",
            frozenset(
                {
                    DeclarationEvent.REGISTERED,
                    DeclarationEvent.AMENDED_AFTER_REGISTRATION,
                    DeclarationEvent.CANCELLED,
                }
            ),
            on_declaration,
            many=on_declarations,
        )
    ]
