"""The applications module's events: an application filed, taken up for review, information requested and
provided, a document attached, the decision, a withdrawal, a deadline passed; the ledger's consequences (a
refund paid back) and an extension that moved a payment deadline. Past tense; producers and consumers
import these members (kit/catalogue.py)."""

from __future__ import annotations

from enum import StrEnum

from typing_extensions import TypedDict


class ApplicationEvent(StrEnum):
    FILED = "applications.application_filed"
    REVIEW_STARTED = "applications.review_started"
    INFO_REQUESTED = "applications.information_requested"
    INFO_PROVIDED = "applications.information_provided"
    DOCUMENT_ATTACHED = "applications.document_attached"
    DECIDED = "applications.application_decided"
    WITHDRAWN = "applications.application_withdrawn"
    OVERDUE = "applications.deadline_passed"
    REFUND_PAID = "applications.refund_paid"
    DEADLINE_EXTENDED = "applications.payment_deadline_extended"


class ApplicationFacts(TypedDict):
    """What every application event carries: the application, its kind, the applicant (its enterprise id
    as `declarant_id`, for its notifications), the office, the declaration it concerns ('' if none), the
    status before and after, the deadline and its legal source."""

    application_id: str
    kind: str
    office: str
    declarant_id: str
    tax_code: str
    number: str
    status: str
    previous_status: str | None
    filed_at: str
    deadline: str
    deadline_source: str


class ApplicationFiled(ApplicationFacts):
    """A trader filed an application online."""

    subject: str


class ReviewStarted(ApplicationFacts):
    """An officer took the application up."""


class InformationRequested(ApplicationFacts):
    """The officer asked the trader for more: what is asked."""

    info_request: str


class InformationProvided(ApplicationFacts):
    """The trader answered; the legal clock restarted from the complete dossier (the new deadline)."""

    note: str


class DocumentAttached(ApplicationFacts):
    """A checked document was stored: its name, type, size and SHA-256."""

    document_id: str
    filename: str
    content_type: str
    size_bytes: int
    sha256: str


class ApplicationDecided(ApplicationFacts):
    """The officer's decision and its reasons: the amount granted (refunds, exemptions, extensions), the
    ruling's code and validity, the new due date; whether it came within the legal deadline."""

    outcome: str
    reasons: str
    amount_granted: str | None
    decided_hs_code: str
    valid_from: str | None
    valid_to: str | None
    new_due_date: str | None
    on_time: bool
    ledger_entry: str | None


class ApplicationWithdrawn(ApplicationFacts):
    """The trader withdrew it before a decision."""


class DeadlinePassed(ApplicationFacts):
    """The legal deadline passed with the application still undecided (the periodic job)."""

    hours_late: float


class RefundPaid(ApplicationFacts):
    """Money paid back through the ledger on an approved refund: this payment and the total so far."""

    amount: str
    paid_back: str
    ledger_entry: str | None


class PaymentDeadlineExtended(ApplicationFacts):
    """An approved extension moved the declaration's payment deadline (the tax accounts' due date)."""

    declaration_number: str
    amount: str
    new_due_date: str


PAYLOADS: dict[ApplicationEvent, type] = {
    ApplicationEvent.FILED: ApplicationFiled,
    ApplicationEvent.REVIEW_STARTED: ReviewStarted,
    ApplicationEvent.INFO_REQUESTED: InformationRequested,
    ApplicationEvent.INFO_PROVIDED: InformationProvided,
    ApplicationEvent.DOCUMENT_ATTACHED: DocumentAttached,
    ApplicationEvent.DECIDED: ApplicationDecided,
    ApplicationEvent.WITHDRAWN: ApplicationWithdrawn,
    ApplicationEvent.OVERDUE: DeadlinePassed,
    ApplicationEvent.REFUND_PAID: RefundPaid,
    ApplicationEvent.DEADLINE_EXTENDED: PaymentDeadlineExtended,
}
# the changes the applicant is told about (notifications and webhook)
NOTIFIED = frozenset(
    {
        ApplicationEvent.FILED,
        ApplicationEvent.REVIEW_STARTED,
        ApplicationEvent.INFO_REQUESTED,
        ApplicationEvent.DECIDED,
        ApplicationEvent.OVERDUE,
        ApplicationEvent.REFUND_PAID,
        ApplicationEvent.DEADLINE_EXTENDED,
    }
)
