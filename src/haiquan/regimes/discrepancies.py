"""Out-of-regime movements that already happened: recorded as discrepancies for an officer (and an alert),
never silently accepted. What could still be refused is refused at lodging (admission.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.kit import clock, outbox
from haiquan.kit.db import new_id
from haiquan.kit.outbox import Event
from haiquan.regimes import alerts
from haiquan.regimes.catalogue import RegimeEvent
from haiquan.regimes.domain import ZERO, Shortfall
from haiquan.regimes.tables import DiscrepancyRow

if TYPE_CHECKING:
    from haiquan.regimes.ledger import Owner
    from haiquan.regimes.repository import Declared

ACTOR = "system:regimes"
TEXTS = {
    "outflow_exceeds_stock": ("Xuất vượt tồn kho theo loại hình", "Outflow larger than the regime's stock"),
    "gate_exit_without_declaration": (
        "Hàng ra khỏi kho ngoại quan không có tờ khai",
        "Goods left a bonded warehouse without a declaration",
    ),
}


def record(
    session: Session,
    *,
    unit: str,
    tax_code: str,
    enterprise_id: str | None,
    regime: str,
    kind: str,
    source: str,
    quantity: Decimal = ZERO,
    item: tuple[str, str] = ("", ""),
    duty: Decimal = ZERO,
    number: str | None = None,
    location: str | None = None,
    detail: dict[str, Any] | None = None,
) -> bool:
    """A discrepancy, once per (source, kind): its row, an officer's alert and an event. Whether it is new."""
    known = select(DiscrepancyRow.id).where(DiscrepancyRow.source == source, DiscrepancyRow.kind == kind)
    if session.scalar(known) is not None:
        return False
    row = DiscrepancyRow(
        id=new_id(), unit=unit, tax_code=tax_code, enterprise_id=enterprise_id, regime=regime, kind=kind,
        item_code=item[0], item_unit=item[1], quantity=quantity, duty_at_stake=duty, declaration_number=number,
        location=location, detail=detail or {}, source=source, status="open", raised_at=clock.now(),
    )  # fmt: skip
    session.add(row)
    vi, en = TEXTS.get(kind, (kind, kind))
    what = f"{tax_code}: {item[0]} {quantity} {item[1]}".strip() if item[0] else tax_code
    alerts.raise_alert(session, unit=unit, tax_code=tax_code, kind="discrepancy", declaration_number=number,
                       message_vi=f"{vi} — {what}", message_en=f"{en} — {what}", dedupe_key=f"discrepancy:{row.id}")  # fmt: skip
    outbox.record(session, type=RegimeEvent.DISCREPANCY_RECORDED, unit=unit, actor=ACTOR, payload={
        "discrepancy_id": row.id, "kind": kind, "tax_code": tax_code, "regime": regime, "item_code": item[0],
        "quantity": str(quantity), "declaration_number": number, "location": location,
    })  # fmt: skip
    return True


def shortfall(session: Session, *, ev: Event, owner: Owner, d: Declared, shortfall: Shortfall) -> None:
    """A declaration's outflow (or correction) the stock could not take: the goods moved all the same."""
    record(
        session, unit=owner.unit, tax_code=owner.tax_code, enterprise_id=owner.enterprise_id,
        regime=shortfall.regime, kind="outflow_exceeds_stock", source=f"{ev.id}:{shortfall.line_no}",
        quantity=shortfall.asked - max(shortfall.available, ZERO), item=(shortfall.item.code, shortfall.item.unit),
        number=d.row.number, detail={"asked": str(shortfall.asked), "available": str(shortfall.available),
                                     "field": shortfall.field},
    )  # fmt: skip
