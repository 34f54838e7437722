"""Paper declarations through HTTP on SQLite and PostgreSQL: an officer captures one (back-captured after an
outage), it has its own number range, is evented and audited, refused outside the officer's units, and
counted by office and reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from haiquan.declarations.paper import PaperReason, check_paper
from haiquan.kit.errors import ValidationFailed
from haiquan.kit.tables import AuditEntry, OutboxEvent
from tests.support import World, import_declaration

URL = "/api/v1/paper-declarations"


def paper(**over: Any) -> dict[str, Any]:
    body = {
        "declaration": import_declaration(), "declarant_tax_code": "0101248141", "paper_number": "HQ01AB/0001",
        "reason": "system_outage", "back_captured": True, "paper_lodged_at": "2026-12-05T09:30:00+07:00",
        "incident": "SC-2026-12-05",
    }  # fmt: skip
    return body | over


def test_an_officer_back_captures_a_paper_declaration(app: Any, world: World) -> None:
    r = world.post(URL, world.off("nb_officer1"), paper())
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["number"].startswith("8")
    assert len(got["number"]) == 12
    assert (got["status"], got["back_captured"], got["captured_by"]) == (
        "accepted",
        True,
        "officer:nb_officer1",
    )
    second = world.post(URL, world.off("nb_officer1"), paper(paper_number="HQ01AB/0002")).json()
    assert int(second["number"][1:11]) == int(got["number"][1:11]) + 1
    d = world.client.get(f"/api/v1/declarations/{got['number']}", headers=world.ent("0101248141"))
    assert d.status_code == 200, d.text
    with app.state.db.unit_of_work() as uow:
        q = select(OutboxEvent.payload).where(OutboxEvent.type == "declaration.paper_captured")
        events = list(uow.session.scalars(q.order_by(OutboxEvent.seq)))
        q_audit = select(AuditEntry.actor).where(AuditEntry.action == "declaration.paper_captured")
        actors = set(uow.session.scalars(q_audit))
    assert [e["paper_number"] for e in events] == ["HQ01AB/0001", "HQ01AB/0002"]
    assert actors == {"officer:nb_officer1"}


def test_paper_captures_are_refused_with_the_field_named(world: World) -> None:
    off = world.off("nb_officer1")
    assert world.post(URL, off, paper()).status_code == 201
    again = world.post(URL, off, paper())
    assert (again.status_code, again.json()["field"]) == (409, "paper_number")
    cases = [
        (paper(paper_number="P2", reason="other"), 422, "reason"),
        (paper(paper_number="P3", paper_lodged_at="2030-01-01T00:00:00+07:00"), 422, "paper_lodged_at"),
        (paper(paper_number="P4", declarant_tax_code="0300588569"), 422, "declarant_tax_code"),
        (paper(paper_number="P5", declaration=import_declaration(office="ZZZZ")), 403, "declaration.office"),
        (paper(paper_number="P6", reason="outage"), 422, "reason"),
    ]
    for body, status, field in cases:
        r = world.post(URL, off, body)
        assert (r.status_code, r.json()["field"]) == (status, field), r.text
    other_office = world.post(URL, world.off("hp_officer"), paper(paper_number="P7"))
    assert (other_office.status_code, other_office.json()["field"]) == (403, "declaration.office")
    assert world.post(URL, world.ent("0101248141"), paper(paper_number="P8")).status_code == 403


def test_paper_declarations_are_reported_by_office_and_reason(world: World) -> None:
    off = world.off("nb_officer1")
    for n in range(3):
        assert world.post(URL, off, paper(paper_number=f"O-{n}")).status_code == 201
    r = world.post(URL, off, paper(paper_number="L-1", reason="paper_allowed", back_captured=False))
    assert r.status_code == 201, r.text
    report = world.client.get(
        f"{URL}/report", params={"from": "2026-12-01", "to": "2026-12-31"}, headers=world.off("hn_leader")
    )
    assert report.status_code == 200, report.text
    got = report.json()
    assert (got["total"], got["back_captured"]) == (4, 3)
    assert [(x["office"], x["reason"], x["count"]) for x in got["rows"]] == [
        ("01AB", "paper_allowed", 1), ("01AB", "system_outage", 3),
    ]  # fmt: skip
    assert world.client.get(f"{URL}/report", headers=world.off("hp_leader")).json()["total"] == 0
    assert world.client.get(f"{URL}/report", headers=world.ent("0101248141")).status_code == 403
    listed = world.client.get(URL, headers=off).json()
    assert len(listed) == 4
    assert {(x["kind"], x["status"]) for x in listed} == {("import", "accepted")}
    assert world.client.get(URL, headers=world.off("hp_officer")).json() == []


def test_the_paper_rules_without_a_database() -> None:
    now = datetime(2026, 12, 6, 10, tzinfo=UTC)
    check_paper(
        reason=PaperReason.SYSTEM_OUTAGE,
        back_captured=True,
        paper_lodged_at=now - timedelta(days=29),
        now=now,
    )
    check_paper(reason=PaperReason.PAPER_ALLOWED, back_captured=False, paper_lodged_at=now, now=now)
    for reason, back, at, field in [
        (PaperReason.OTHER, True, now, "reason"),
        (PaperReason.PAPER_ALLOWED, True, now, "reason"),
        (PaperReason.DECLARANT_OUTAGE, True, now - timedelta(days=31), "paper_lodged_at"),
        (PaperReason.SYSTEM_OUTAGE, False, now + timedelta(hours=1), "paper_lodged_at"),
    ]:
        with pytest.raises(ValidationFailed) as exc:
            check_paper(reason=reason, back_captured=back, paper_lodged_at=at, now=now)
        assert exc.value.field == field
