"""The declarations module's events: each change of a declaration's status or facts (one payload: the
declaration as it stands after the change), and each change of who checks it. Facts in the past tense;
producers and consumers import these members (kit/catalogue.py)."""

from __future__ import annotations

from enum import StrEnum

from typing_extensions import TypedDict


class DeclarationEvent(StrEnum):
    LODGED = "declaration.lodged"
    AMENDED = "declaration.amended"
    REGISTERED = "declaration.registered"
    INSPECTION_ORDERED = "declaration.inspection_ordered"
    DOCUMENTS_SUBMITTED = "declaration.documents_submitted"
    DOCUMENTS_REQUESTED = "declaration.documents_requested"
    DOCUMENTS_ACCEPTED = "declaration.documents_accepted"
    INSPECTION_RECORDED = "declaration.inspection_recorded"
    HELD_FOR_AGENCY = "declaration.held_for_agency"
    REJECTED = "declaration.rejected"
    CLEARANCE_DECIDED = "declaration.clearance_decided"
    HELD_FOR_PAYMENT = "declaration.held_for_payment"
    DUTIES_PAID = "declaration.duties_paid"
    DUTIES_GUARANTEED = "declaration.duties_guaranteed"
    CLEARED = "declaration.cleared"
    AMENDED_AFTER_REGISTRATION = "declaration.amended_after_registration"
    CANCELLED = "declaration.cancelled"
    GOODS_EXITED = "declaration.goods_exited"
    CHECK_REASSIGNED = "check.reassigned"
    CHECK_ESCALATED = "check.escalated"
    PAPER_CAPTURED = "declaration.paper_captured"


class DeclarationChanged(TypedDict):
    """The declaration after the change: its status (`previous_status` before), lane, parties, goods and
    duties; `action` names the step as the declaration's history does (`lodge`, `register`, ...)."""

    number: str
    kind: str
    category: str
    office: str
    declarant_id: str
    declarant_tax_code: str
    importer_tax_code: str | None
    exporter_tax_code: str | None
    status: str
    previous_status: str | None
    channel: str | None
    transport_mode: str
    transport_document: str | None
    containers: list[str]
    package_count: int
    gross_mass_kg: str
    customs_value_vnd: str
    total_duties: str
    duties_settled: bool
    amendment_no: int
    lodged_at: str
    registered_at: str | None
    cleared_at: str | None
    action: str


_Move = TypedDict("_Move", {"from": str | None, "to": str | None})  # keywords: the functional form


class CheckReassigned(_Move):
    """A team lead (or a restructuring) gave a declaration's check to another officer (`to`, a username;
    `from` the one before; their ids beside), or to nobody, or an officer took it; `cause` says why
    (`team_lead`, `taken`, `left_roster`)."""

    number: str
    office: str
    status: str
    channel: str | None
    from_officer_id: str | None
    to_officer_id: str | None
    cause: str


class CheckEscalated(TypedDict):
    """A check passed its deadline undecided: it went to a team lead (`escalated_to`, `to` their username)."""

    number: str
    office: str
    status: str
    channel: str | None
    assigned_officer_id: str | None
    escalated_to: str
    to: str
    role: str
    deadline: str
    seconds_late: int


class PaperCaptured(TypedDict):
    """An officer captured a paper declaration (during an outage, or back-captured after it): the number
    it got in the paper range, the paper's own number, the reason and who captured it."""

    number: str
    kind: str
    office: str
    declarant_tax_code: str
    paper_number: str
    reason: str
    back_captured: bool
    paper_lodged_at: str
    incident: str | None
    captured_by: str


# Every event that changes a declaration (the declarant's notifications, the terminals' links)
CHANGES = frozenset(DeclarationEvent) - {
    DeclarationEvent.CHECK_REASSIGNED,
    DeclarationEvent.CHECK_ESCALATED,
    DeclarationEvent.PAPER_CAPTURED,
}

PAYLOADS: dict[DeclarationEvent, type] = {e: DeclarationChanged for e in CHANGES} | {
    DeclarationEvent.CHECK_REASSIGNED: CheckReassigned,
    DeclarationEvent.CHECK_ESCALATED: CheckEscalated,
    DeclarationEvent.PAPER_CAPTURED: PaperCaptured,
}

# Names used before the catalogue (commands, not facts), still accepted from nodes sending envelope 1
RENAMED: dict[str, DeclarationEvent] = {
    "declaration.lodge": DeclarationEvent.LODGED,
    "declaration.amend": DeclarationEvent.AMENDED,
    "declaration.register": DeclarationEvent.REGISTERED,
    "declaration.inspect": DeclarationEvent.INSPECTION_ORDERED,
    "declaration.await_payment": DeclarationEvent.HELD_FOR_PAYMENT,
    "declaration.duties_payment": DeclarationEvent.DUTIES_PAID,
    "declaration.duties_guarantee": DeclarationEvent.DUTIES_GUARANTEED,
    "declaration.clear": DeclarationEvent.CLEARED,
    "declaration.amend_registered": DeclarationEvent.AMENDED_AFTER_REGISTRATION,
    "declaration.cancel": DeclarationEvent.CANCELLED,
    "declaration.exit": DeclarationEvent.GOODS_EXITED,
}
