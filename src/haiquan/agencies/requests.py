"""At registration, in the declaration's transaction: each line that needs another agency's permit or
inspection gets one, requested from that agency, and the declaration is held until every one is granted
(declarations.clearance). The requirements table is read once per reference snapshot."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol, cast

from sqlalchemy import Engine, Table
from sqlalchemy.orm import Session

from haiquan.agencies import repository
from haiquan.agencies.catalogue import AgencyEvent
from haiquan.agencies.domain import AGENCIES, Status
from haiquan.agencies.requirements import LineFacts, Rule, required
from haiquan.agencies.tables import PermitHistoryRow, PermitRow
from haiquan.kit import audit, clock, outbox, pending
from haiquan.kit.sql import new_id
from haiquan.reference import service as reference

PERMITS = cast(Table, PermitRow.__table__)
HISTORY = cast(Table, PermitHistoryRow.__table__)
PERMIT_FIELDS = (
    "id", "number", "line_no", "hs_code", "origin_country", "office", "agency", "requirement",
    "requirement_id", "declarant_id", "status", "requested_at", "deadline",
)  # fmt: skip
_lock = threading.Lock()
_cache: weakref.WeakKeyDictionary[Engine, tuple[object, list[Rule]]] = weakref.WeakKeyDictionary()


class Declaration(Protocol):
    number: str
    kind: str
    office: str
    declarant_id: str
    procedure_code: str


class Line(Protocol):
    line_no: int
    hs_code: str
    origin_country: str


def rule_of_row(r: Any) -> Rule:
    return Rule(
        id=r.id, hs_prefix=r.hs_prefix, agency=r.agency, requirement=r.requirement,
        kinds=frozenset(r.kinds or ()), origins=frozenset(r.origins or ()),
        except_origins=frozenset(r.except_origins or ()), uses=frozenset(r.uses or ()),
        title_vi=r.title_vi, title_en=r.title_en, legal_source=r.legal_source,
    )  # fmt: skip


def rules(session: Session) -> list[Rule]:
    """The requirements in force, kept as long as the reference snapshot they were read with (a load
    here, or another process's within its time to live, replaces both)."""
    snapshot = reference.CACHE.get(session)
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    held = _cache.get(engine)
    if held is not None and held[0] is snapshot:
        return held[1]
    with _lock:
        loaded = [rule_of_row(r) for r in repository.unscoped_rules(session)]
        _cache[engine] = (snapshot, loaded)
    return loaded


def permit_payload(p: dict[str, Any] | PermitRow, previous: str | None) -> dict[str, Any]:
    values: dict[str, Any] = p if isinstance(p, dict) else {c: getattr(p, c) for c in PERMIT_FIELDS}
    get = values.__getitem__
    return {
        "permit_id": get("id"), "number": get("number"), "line_no": get("line_no"),
        "hs_code": get("hs_code"), "origin_country": get("origin_country"), "office": get("office"),
        "agency": get("agency"), "requirement": get("requirement"), "requirement_id": get("requirement_id"),
        "declarant_id": get("declarant_id"), "status": get("status"), "previous_status": previous,
        "requested_at": get("requested_at").isoformat(), "deadline": get("deadline").isoformat(),
    }  # fmt: skip


def _permit(d: Declaration, line: Line, rule: Rule, now: datetime) -> dict[str, Any]:
    deadline = clock.add_working_hours(now, AGENCIES[rule.agency].deadline_hours)
    return {
        "id": new_id(), "number": d.number, "line_no": line.line_no, "hs_code": line.hs_code,
        "origin_country": line.origin_country, "office": d.office, "declarant_id": d.declarant_id,
        "agency": rule.agency, "requirement": rule.requirement, "requirement_id": rule.id,
        "title_vi": rule.title_vi, "title_en": rule.title_en, "status": Status.REQUESTED.value,
        "requested_at": now, "deadline": deadline, "reference_no": "", "decided_at": None, "decided_by": "",
        "reason": "", "conditions": "", "lab_reference": "", "overdue_at": None, "case_number": None,
        "updated_at": now,
    }  # fmt: skip


def request_permits(session: Session, declaration: Declaration, lines: Sequence[Line], *, actor: str) -> int:
    """Request every permit the declaration's lines need (none when the table is empty): a row, a history
    row, an event and an audit entry each. The number requested: the declaration waits while it is > 0."""
    table = rules(session)
    if not table:
        return 0
    now, made = clock.now(), []
    for line in lines:
        facts = LineFacts(line.hs_code, line.origin_country, declaration.kind, declaration.procedure_code)
        made += [_permit(declaration, line, rule, now) for rule in required(facts, table)]
    for p in made:
        pending.add(session, PERMITS, p)
        pending.add(
            session,
            HISTORY,
            {"permit_id": p["id"], "at": now, "actor": actor, "status_from": None,
             "status_to": p["status"], "detail": {"requirement_id": p["requirement_id"]}},
        )  # fmt: skip
        outbox.record(
            session, type=AgencyEvent.PERMIT_REQUESTED, unit=p["office"], actor=actor,
            payload=permit_payload(p, None),
        )  # fmt: skip
        audit.append(
            session, actor=actor, action="agencies.permit_requested", target=f"permit:{p['id']}",
            unit=p["office"], detail={"number": p["number"], "line_no": p["line_no"], "agency": p["agency"]},
        )  # fmt: skip
    return len(made)
