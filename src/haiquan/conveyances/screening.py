"""Pre-arrival screening of people: each person of a report against the persons watch list and the
suspects of enforcement cases (conveyances.matching). Candidates are blocked first (a shared phonetic
name token, the document number, or the date of birth), so a list of 500 is not compared with every
entry. Hits are stored for targeting officers; the event and the audit carry counts, never names."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from haiquan.conveyances import matching, repository
from haiquan.conveyances.catalogue import ConveyanceEvent
from haiquan.conveyances.schemas import country3
from haiquan.conveyances.tables import ConveyanceRow, PersonWatchRow, ScreeningHitRow
from haiquan.kit import audit, clock, outbox
from haiquan.kit.auth import Scope
from haiquan.kit.db import new_id

HITS = cast(Table, ScreeningHitRow.__table__)


class WatchIndex:
    """The watched persons, indexed by phonetic name token, document number and date of birth."""

    def __init__(self, watched: Sequence[matching.WatchedPerson]) -> None:
        self.by_token: dict[str, list[matching.WatchedPerson]] = defaultdict(list)
        self.by_doc: dict[str, list[matching.WatchedPerson]] = defaultdict(list)
        self.by_dob: dict[date, list[matching.WatchedPerson]] = defaultdict(list)
        for w in watched:
            for token in set(matching.phonetic(w.name).split()):
                self.by_token[token].append(w)
            if w.document_number:
                self.by_doc[_doc(w.document_number)].append(w)
            if w.date_of_birth:
                self.by_dob[w.date_of_birth].append(w)

    def candidates(self, p: matching.Person) -> list[matching.WatchedPerson]:
        found: dict[str, matching.WatchedPerson] = {}
        for token in set(matching.phonetic(p.name).split()):
            found.update((w.id, w) for w in self.by_token.get(token, ()))
        found.update((w.id, w) for w in self.by_doc.get(_doc(p.document_number), ()))
        if p.date_of_birth:
            found.update((w.id, w) for w in self.by_dob.get(p.date_of_birth, ()))
        return list(found.values())


def _doc(value: str | None) -> str:
    return "".join(c for c in (value or "").upper() if c.isalnum())


def _nationality(value: str | None) -> str | None:
    try:
        return country3(value) if value else None
    except ValueError:
        return None


def load_watch(session: Session) -> WatchIndex:
    """The persons watch list and enforcement's suspects (their year of birth alone is no date)."""
    watched = [
        matching.WatchedPerson(
            name=w.name,
            date_of_birth=w.date_of_birth,
            nationality=w.nationality,
            document_number=w.document_number,
            id=w.id,
            reason=w.reason,
            source=w.source,
        )
        for w in repository.unscoped_watched_persons(session)
    ]
    watched += [
        matching.WatchedPerson(
            name=c.full_name,
            date_of_birth=None,
            nationality=_nationality(c.nationality),
            document_number=c.id_number,
            id=c.id,
            reason=f"{c.role} in an enforcement case",
            source=f"enforcement case {c.case_id}",
        )
        for c in repository.unscoped_case_suspects(session)
    ]
    return WatchIndex(watched)


def person_of(p: dict[str, Any]) -> matching.Person:
    name = f"{p['family_name']} {p['given_names']}".strip()
    return matching.Person(name, p["date_of_birth"], p["nationality"] or None, p["document_number"] or None)


def screen_report(session: Session, row: ConveyanceRow, people: list[dict[str, Any]], *, actor: str) -> int:
    """Screen the people of the report's current version; store each match. Returns how many flagged."""
    index = load_watch(session)
    now = clock.now()
    hits: list[dict[str, Any]] = []
    for p in people:
        person = person_of(p)
        for m in matching.screen(person, index.candidates(person)):
            hits.append({
                "id": new_id(), "conveyance_id": row.id, "person_id": p["id"], "watch_id": m.entry.id,
                "watch_source": m.entry.source, "watch_reason": m.entry.reason, "score": m.score,
                "kind": m.kind, "reasons": list(m.reasons), "unit": row.unit, "screened_at": now,
            })  # fmt: skip
    if hits:
        session.execute(insert(HITS), hits)
    flagged = len({h["person_id"] for h in hits})
    exact = len({h["person_id"] for h in hits if h["kind"] == "exact"})
    payload = {"conveyance_id": row.id, "version": row.version, "screened": len(people), "flagged": flagged,
               "exact": exact}  # fmt: skip
    outbox.record(session, type=ConveyanceEvent.PERSONS_SCREENED, unit=row.unit, actor=actor, payload=payload)
    if flagged:
        audit.append(
            session, actor=actor, action=ConveyanceEvent.PERSONS_SCREENED, target=f"conveyance:{row.reference}",
            unit=row.unit, detail={"flagged": flagged, "exact": exact},
        )  # fmt: skip
    return flagged


def watched_of(row: PersonWatchRow) -> matching.WatchedPerson:
    return matching.WatchedPerson(
        name=row.name, date_of_birth=row.date_of_birth, nationality=row.nationality,
        document_number=row.document_number, id=row.id, reason=row.reason, source=row.source,
    )  # fmt: skip


def screen_upcoming(session: Session, entry: PersonWatchRow, *, scope: Scope) -> int:
    """A person just put on the watch list, matched against the people of the reports still to arrive or
    depart in `scope` (the officer's units): the hits are stored as at arrival. Returns how many matched."""
    watched = [watched_of(entry)]
    now, hits = clock.now(), []
    for p, c in repository.upcoming_persons(session, scope=scope, after=now - timedelta(hours=12)):
        person = matching.Person(f"{p.family_name} {p.given_names}".strip(), p.date_of_birth,
                                 p.nationality or None, p.document_number or None)  # fmt: skip
        for m in matching.screen(person, watched):
            hits.append({
                "id": new_id(), "conveyance_id": c.id, "person_id": p.id, "watch_id": entry.id,
                "watch_source": entry.source, "watch_reason": entry.reason, "score": m.score, "kind": m.kind,
                "reasons": list(m.reasons), "unit": c.unit, "screened_at": now,
            })  # fmt: skip
    if hits:
        session.execute(insert(HITS), hits)
    return len(hits)
