"""A declaration whose ATIGA claim does not match its e-Form D goes at least yellow at registration, with
the mismatch as a reason: officers read it in the lane's reasons; traders read only the lane's neutral
reason (declarations.disclosure), never which field failed."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy.orm import Session

from haiquan.origin import repository
from haiquan.origin.matching import MISMATCH
from haiquan.origin.tables import ClaimRow
from haiquan.risk.channel import SEVERITY, ChannelDecision


class Line(Protocol):
    line_no: int
    certificate_no: str | None
    preference_refused: str | None


def reason(line: Line, claim: ClaimRow | None) -> dict[str, Any]:
    fields = ", ".join(m["field"] for m in claim.mismatches) if claim else "?"
    detail = (
        "; ".join(f"{m['field']}: {m['declared']} ≠ {m['certificate']}" for m in claim.mismatches)
        if claim
        else ""
    )
    return {
        "kind": "origin",
        "line_no": line.line_no,
        "certificate_no": line.certificate_no,
        "mismatches": list(claim.mismatches) if claim else [],
        "vi": f"C/O mẫu D điện tử {line.certificate_no} không khớp dòng hàng {line.line_no} ({fields}): {detail}",
        "en": f"e-Form D {line.certificate_no} does not match line {line.line_no} ({fields}): {detail}",
    }


def with_origin(
    session: Session, decision: ChannelDecision, number: str, lines: list[Any]
) -> ChannelDecision:
    """The lane's decision, raised to yellow (a red stays red) with a reason per mismatching line."""
    refused = [ln for ln in lines if ln.preference_refused == MISMATCH]
    if not refused:
        return decision
    claims = {c.line_no: c for c in repository.unscoped_claims_of_declaration(session, number)}
    reasons = [reason(ln, claims.get(ln.line_no)) for ln in refused]
    channel = decision.channel if SEVERITY[decision.channel] >= SEVERITY["yellow"] else "yellow"
    return ChannelDecision(channel, [*decision.reasons, *reasons], decision.score)
