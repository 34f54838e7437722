"""Pure rules of the post-clearance audit: which cleared declarations are selected and why, the audit
case's life (a status × command table), and the fallback penalty rule. No database here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Protocol

from haiquan.kit.errors import Conflict

# Customs may audit a declaration within 5 years of its registration (Luật Hải quan 2014, Article 77)
LOOKBACK = timedelta(days=5 * 365 + 1)
SOURCES = ("blue_lane", "score", "watchlist", "finalisation", "query")
OUTCOMES = ("no_fraud", "fraud", "critical")
KINDS = ("desk", "on_site")


@dataclass(frozen=True)
class ClearedFacts:
    """What selection reads of a cleared declaration."""

    number: str
    unit: str
    declarant_tax_code: str
    registered_at: datetime
    channel: str | None
    score: float | None
    watched: tuple[str, ...] = ()  # the watch lists it hits (enterprise, hs_code, ...)


@dataclass(frozen=True)
class Selection:
    number: str
    source: str
    reason: str


def in_lookback(registered_at: datetime, now: datetime) -> bool:
    """Still auditable: registered within the last 5 years."""
    return now - registered_at <= LOOKBACK


def select(facts: Iterable[ClearedFacts], *, now: datetime, min_score: float) -> list[Selection]:
    """The declarations the risk score or the watch lists put forward for audit, each once per source
    (the blue lane is queued at registration by the consumer, finalisation by its hook)."""
    out: list[Selection] = []
    for f in facts:
        if not in_lookback(f.registered_at, now):
            continue
        if f.score is not None and f.score >= min_score:
            out.append(Selection(f.number, "score", f"risk score {f.score:.3f} ≥ {min_score:.3f}"))
        if f.watched:
            out.append(
                Selection(f.number, "watchlist", "on the watch lists: " + ", ".join(sorted(f.watched)))
            )
    return out


class SelectionSource(Protocol):
    """A source of audit candidates beside the built-in ones. The finalisation of declarations (built
    elsewhere) plugs in here: `haiquan.audit.service.register_source("finalisation", fn)`, where fn
    returns the discrepancies it found as Selections with source "finalisation"."""

    def __call__(self, session: object, *, since: datetime, now: datetime) -> list[Selection]: ...


# ---- the case's life ----------------------------------------------------------------------------
class CaseStatus(StrEnum):
    OPENED = "opened"
    FINDINGS_RECORDED = "findings_recorded"
    CLOSED = "closed"


class CaseCommand(StrEnum):
    RECORD_FINDINGS = "record_findings"
    CLOSE = "close"


CASE_MOVES: dict[tuple[CaseStatus, CaseCommand], CaseStatus] = {
    (CaseStatus.OPENED, CaseCommand.RECORD_FINDINGS): CaseStatus.FINDINGS_RECORDED,
    (CaseStatus.FINDINGS_RECORDED, CaseCommand.RECORD_FINDINGS): CaseStatus.FINDINGS_RECORDED,
    (CaseStatus.FINDINGS_RECORDED, CaseCommand.CLOSE): CaseStatus.CLOSED,
}


def case_move(status: CaseStatus, command: CaseCommand) -> CaseStatus:
    found = CASE_MOVES.get((status, command))
    if found is None:
        raise Conflict(
            f"an audit case in status {status} cannot {command.replace('_', ' ')}", code="invalid_transition"
        )
    return found


# ---- penalty (fallback when the taxes module's decide_penalty is not installed) -----------------
PENALTY_SHARE = Decimal(
    "0.20"
)  # 20 % of the duty short-paid: incorrect declaration (Nghị định 128/2020, Điều 14)


def fallback_penalty(additional_duty: Decimal, outcome: str) -> tuple[Decimal, str]:
    """20 % of the duty short-paid for a finding of fraud (critical cases go to enforcement for more)."""
    if outcome == "no_fraud" or additional_duty <= 0:
        return Decimal(0), "no penalty: nothing short-paid"
    amount = (additional_duty * PENALTY_SHARE).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return amount, "20 % of the duty short-paid (incorrect declaration, Decree 128/2020 Art. 14)"
