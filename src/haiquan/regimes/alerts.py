"""Officers' alerts of the special regimes: a deadline near or passed, a discrepancy found. One per fact
(`dedupe_key`), in the unit that manages the enterprise."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.kit import clock
from haiquan.regimes.tables import RegimeAlertRow


def raise_alert(
    session: Session,
    *,
    unit: str,
    tax_code: str,
    kind: str,
    declaration_number: str | None,
    message_vi: str,
    message_en: str,
    dedupe_key: str,
) -> bool:
    """Raise the alert unless one with the same key exists; whether it was raised now."""
    if session.scalar(select(RegimeAlertRow.id).where(RegimeAlertRow.dedupe_key == dedupe_key)) is not None:
        return False
    session.add(
        RegimeAlertRow(
            unit=unit, tax_code=tax_code, kind=kind, declaration_number=declaration_number,
            message_vi=message_vi, message_en=message_en, status="open", raised_at=clock.now(),
            dedupe_key=dedupe_key,
        )
    )  # fmt: skip
    return True
