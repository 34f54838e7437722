"""The special regimes' events: entries booked in an enterprise's stock ledger, a discrepancy recorded, a
deadline near, passed or discharged, an export-processing enterprise's status changed. Past tense;
producers and consumers import these members (kit/catalogue.py)."""

from __future__ import annotations

from enum import StrEnum

from typing_extensions import TypedDict


class RegimeEvent(StrEnum):
    ENTRIES_BOOKED = "regimes.entries_booked"
    DISCREPANCY_RECORDED = "regimes.discrepancy_recorded"
    DEADLINE_NEARED = "regimes.deadline_neared"
    DEADLINE_PASSED = "regimes.deadline_passed"
    DEADLINE_DISCHARGED = "regimes.deadline_discharged"
    EPE_STATUS_CHANGED = "regimes.epe_status_changed"


class EntriesBooked(TypedDict):
    """A declaration's movements booked in the enterprise's stock ledger (or corrected: `corrections`
    entries reverse what an amendment or a cancellation undid); `source` is the declaration event's id."""

    number: str
    procedure_code: str
    regime: str
    tax_code: str
    source: str
    entries: int
    corrections: int


class DiscrepancyRecorded(TypedDict):
    """An out-of-regime movement that already happened, recorded for an officer: goods out of a bonded
    warehouse without a declaration, an outflow larger than the stock, a correction the stock cannot take."""

    discrepancy_id: str
    kind: str
    tax_code: str
    regime: str
    item_code: str
    quantity: str
    declaration_number: str | None
    location: str | None


class DeadlineFacts(TypedDict):
    """A deadline of a declaration line under a regime. `declarant_id` and the party's tax codes let the
    declarant be told (notifications and webhook)."""

    deadline_id: str
    number: str
    line_no: int
    deadline_kind: str  # reexport | storage | contract
    kind: str  # the declaration's: import | export
    regime: str
    tax_code: str
    declarant_id: str
    importer_tax_code: str | None
    exporter_tax_code: str | None
    due_on: str
    quantity_left: str
    duty_at_stake: str


class DeadlineNeared(DeadlineFacts):
    """The deadline is within its warning days, goods still under the regime."""


class DeadlinePassed(DeadlineFacts):
    """The deadline passed with goods still under the regime: the duty on them (`duty_booked`) is now due,
    assessed in payments."""

    duty_booked: str


class DeadlineDischarged(DeadlineFacts):
    """Everything under the deadline left the regime (re-exported, sold with duty, ...): `late` when after
    the day."""

    late: bool


class EpeStatusChanged(TypedDict):
    """An officer set an export-processing enterprise's status (active, suspended, revoked)."""

    tax_code: str
    status: str
    previous_status: str | None
    zone: str


PAYLOADS: dict[StrEnum, type] = {
    RegimeEvent.ENTRIES_BOOKED: EntriesBooked,
    RegimeEvent.DISCREPANCY_RECORDED: DiscrepancyRecorded,
    RegimeEvent.DEADLINE_NEARED: DeadlineNeared,
    RegimeEvent.DEADLINE_PASSED: DeadlinePassed,
    RegimeEvent.DEADLINE_DISCHARGED: DeadlineDischarged,
    RegimeEvent.EPE_STATUS_CHANGED: EpeStatusChanged,
}
# what the enterprise is told about (notifications and webhook, on the declaration's stream)
NOTIFIED = frozenset(
    {RegimeEvent.DEADLINE_NEARED, RegimeEvent.DEADLINE_PASSED, RegimeEvent.DEADLINE_DISCHARGED}
)


# --- finalisation (regimes/finalisation*.py) --------------------------------------------------------------


class FinalisationEvent(StrEnum):
    RECONCILED = "regimes.finalisation_reconciled"
    DISCREPANCY_RESOLVED = "regimes.finalisation_discrepancy_resolved"


class FinalisationReconciled(TypedDict):
    """An enterprise filed its finalisation report (báo cáo quyết toán) for a regime and period and the
    platform reconciled it against the ledger: `discrepancies` materials beyond the tolerance, each an
    officer's task, with `duty_at_stake`; `open_duty_at_stake` is the duty in all the enterprise's open
    discrepancies (the risk fact `finalisation_discrepancy_duty`)."""

    finalisation_id: str
    tax_code: str
    regime: str
    unit: str
    period_start: str
    period_end: str
    materials: int
    discrepancies: int
    duty_at_stake: str
    open_duty_at_stake: str


class FinalisationDiscrepancyResolved(FinalisationReconciled):
    """An officer resolved one discrepancy of a finalisation (`outcome`: explained or duty_due)."""

    line_id: int
    material_code: str
    outcome: str


PAYLOADS.update(
    {
        FinalisationEvent.RECONCILED: FinalisationReconciled,
        FinalisationEvent.DISCREPANCY_RESOLVED: FinalisationDiscrepancyResolved,
    }
)
