"""Certificates delivered by the ASEAN Single Window gateway: one EFormD, or a batch. Each is validated
against the XSD, its signature verified with its issuing country's registered key, its number checked
against those stored; the first that fails refuses the whole delivery (problem+json naming the element as
an XPath) and nothing is stored. Then the certificates are stored in one statement, one event records the
delivery, and the claims that waited for these certificates are decided (origin.repricing)."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from haiquan.kit import clock, outbox, pending
from haiquan.kit.auth import Principal
from haiquan.kit.errors import Conflict
from haiquan.origin import eformd, keys, repository, repricing
from haiquan.origin.catalogue import OriginEvent
from haiquan.origin.eformd import Parsed
from haiquan.origin.keys import CENTRAL_UNIT
from haiquan.origin.matching import certificate_from
from haiquan.origin.tables import CertificateRow

TABLE = cast(Table, CertificateRow.__table__)


def check_duplicates(session: Session, parsed: list[Parsed]) -> None:
    batch = len(parsed) > 1
    seen: set[str] = set()
    stored = repository.unscoped_existing_numbers(session, [p.fields["number"] for p in parsed])
    for i, p in enumerate(parsed):
        number = p.fields["number"]
        if number in stored or number in seen:
            raise Conflict(f"certificate {number} was received already", code="duplicate_certificate",
                           field=f"{eformd.where(i, batch)}/CertificateNo")  # fmt: skip
        seen.add(number)


def _row(p: Parsed, key_name: str, now: Any) -> dict[str, Any]:
    return p.fields | {"direction": "in", "status": "valid", "key_name": key_name, "declaration_number": None,
                       "delivery": None, "xml": p.xml, "received_at": now}  # fmt: skip


def store(session: Session, parsed: list[Parsed], *, actor: str) -> int:
    """Store verified certificates (one statement, at commit) and decide the claims waiting for them."""
    check_duplicates(session, parsed)
    now = clock.now()
    pending.add_many(session, TABLE, [_row(p, p.key_name, now) for p in parsed])
    outbox.record(session, type=OriginEvent.CERTIFICATES_RECEIVED, unit=CENTRAL_UNIT, actor=actor, payload={
        "gateway": actor, "certificates": [p.fields["number"] for p in parsed],
        "countries": [p.fields["issuing_country"] for p in parsed],
    })  # fmt: skip
    return repricing.decide_arrived(session, {p.fields["number"]: certificate_from(p.fields) for p in parsed})


def receive(session: Session, *, principal: Principal, body: bytes) -> tuple[list[str], int]:
    """The ASW gateway delivers a message or a batch: (the numbers stored, the claims decided)."""
    principal.require_enterprise("asw_gateway")
    parsed = eformd.parse(body, keys.verifying(session))
    decided = store(session, parsed, actor=principal.label)
    return [p.fields["number"] for p in parsed], decided
