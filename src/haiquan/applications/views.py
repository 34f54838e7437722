"""Applications as the API and the pages show them; a document as it is served (an attachment, never
an active type)."""

from __future__ import annotations

from fastapi.responses import Response

from haiquan.applications.documents import SERVED_AS
from haiquan.applications.domain import DEADLINES, DECIDED, OPEN, Status
from haiquan.applications.schemas import (
    ApplicationDetailOut,
    ApplicationOut,
    DeadlineOut,
    DocumentOut,
    ExtensionOut,
    HistoryOut,
    RulingOut,
)
from haiquan.applications.tables import (
    ApplicationDocumentRow,
    ApplicationHistoryRow,
    ApplicationRow,
    PaymentExtensionRow,
    RulingRow,
)
from haiquan.kit import clock

FIELDS = (
    "id", "kind", "status", "office", "tax_code", "subject", "details", "reason_code", "refund_mode",
    "declaration_number", "amount_requested", "requested_due_date", "goods_code", "goods_description", "hs_code",
    "origin_country", "filed_at", "deadline", "deadline_source", "info_request", "decided_at", "decided_by",
    "reasons", "amount_granted", "decided_hs_code", "valid_from", "valid_to", "new_due_date", "amount_paid_back",
)  # fmt: skip


def application_out(r: ApplicationRow) -> ApplicationOut:
    status = Status(r.status)
    overdue = status in OPEN and r.deadline < clock.now()
    on_time = None if status not in DECIDED or r.decided_at is None else r.decided_at <= r.deadline
    return ApplicationOut(**{f: getattr(r, f) for f in FIELDS}, overdue=overdue, on_time=on_time)


def document_out(d: ApplicationDocumentRow) -> DocumentOut:
    return DocumentOut(
        id=d.id, filename=d.filename, content_type=d.content_type, size_bytes=d.size_bytes, sha256=d.sha256,
        uploaded_at=d.uploaded_at, uploaded_by=d.uploaded_by,
    )  # fmt: skip


def detail_out(
    r: ApplicationRow, history: list[ApplicationHistoryRow], docs: list[ApplicationDocumentRow]
) -> ApplicationDetailOut:
    steps = [
        HistoryOut(
            at=h.at, actor=h.actor, status_from=h.status_from, status_to=h.status_to, detail=dict(h.detail)
        )
        for h in history
    ]
    return ApplicationDetailOut(
        **application_out(r).model_dump(), history=steps, documents=[document_out(d) for d in docs]
    )


def ruling_out(r: RulingRow) -> RulingOut:
    return RulingOut(
        id=r.id, kind=r.kind, holder_tax_code=r.holder_tax_code, goods_code=r.goods_code,
        goods_description=r.goods_description, hs_code=r.hs_code, origin_country=r.origin_country,
        value_note=r.value_note, office=r.office, valid_from=r.valid_from, valid_to=r.valid_to,
    )  # fmt: skip


def extension_out(e: PaymentExtensionRow) -> ExtensionOut:
    return ExtensionOut(
        application_id=e.application_id, declaration_number=e.declaration_number, tax_code=e.tax_code,
        office=e.office, amount=e.amount, new_due_date=e.new_due_date, granted_at=e.granted_at,
    )  # fmt: skip


def deadlines_out() -> list[DeadlineOut]:
    return [
        DeadlineOut(kind=k, refund_mode=m, amount=d.amount, unit=d.unit.value, source=d.source)
        for (k, m), d in DEADLINES.items()
    ]


def download(doc: ApplicationDocumentRow, data: bytes) -> Response:
    """The stored bytes as an attachment: an inert type, nosniff, and a sandbox should a browser open it."""
    ascii_name = doc.filename.encode("ascii", "replace").decode().replace('"', "").replace("?", "_")
    return Response(
        data,
        media_type=SERVED_AS.get(doc.content_type, "application/octet-stream"),
        headers={
            "Content-Disposition": f'attachment; filename="{ascii_name}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
            "ETag": f'"{doc.sha256}"',
        },
    )
