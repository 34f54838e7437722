"""Post-clearance audit through HTTP: a blue declaration is released at once and queued; three months later
an auditor (an officer of the audit field) opens a case, records undervaluation, and closes it with the
assessment: the additional duty booked as an amendment after audit, late interest, penalty, the label
written once, the trader's class lowered. Selection by score and by query; access."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from haiquan.audit.tables import AuditCandidateRow
from haiquan.kit import clock
from haiquan.kit.outbox import quick_event
from haiquan.kit.tables import OutboxEvent
from haiquan.organization.tables import EnterpriseRow
from haiquan.risk import labels
from haiquan.risk.tables import LabelRow
from haiquan.taxes.tables import TaxChargeRow
from tests.payments.helpers import add_bank, pay, reference, settle
from tests.support import World, import_declaration

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
PHONES = import_declaration()["lines"][:1]
BLUE = {"id": "P-BLUE-PHONES", "name": "Phones: release, audit later", "criteria": "hs starts 8517 -> blue",
        "units": [], "reason_vi": "Điện thoại", "reason_en": "Phones", "why": "valuation campaign"}  # fmt: skip


def blue_cleared(world: World, app: Any) -> str:
    assert world.post("/api/v1/risk/profiles", world.off("analyst"), BLUE).status_code == 201
    invoice = {**import_declaration()["invoice"], "amount": "6000"}
    lodged = world.lodge(import_declaration(lines=PHONES, invoice=invoice))
    assert lodged.status_code == 201, lodged.text
    number = lodged.json()["number"]
    r = world.post(f"/api/v1/declarations/{number}/register", world.ent("0100109106"), None)
    assert r.status_code == 200, r.text
    assert r.json()["channel"] == "blue"
    settle(app)
    add_bank(app)
    decl = world.client.get(f"/api/v1/declarations/{number}", headers=world.off("nb_leader")).json()
    total = int(Decimal(decl["duties"]["total"]))
    assert (
        pay(
            world, [reference(world, number)], total, "TXN-1", paid_at="2026-03-02T10:00:00+07:00"
        ).status_code
        == 201
    )
    settle(app)
    assert (
        world.client.get(f"/api/v1/declarations/{number}", headers=world.off("nb_leader")).json()["status"]
        == "cleared"
    )
    return number


def test_a_blue_declaration_audited_three_months_later(world: World, app: Any) -> None:
    clock.freeze(T0)
    number = blue_cleared(world, app)
    # the trader reads a green-like reason: the later audit is not announced
    trader = world.client.get(f"/api/v1/declarations/{number}", headers=world.ent("0100109106")).json()
    assert "audit" not in str(trader["channel_reasons"]).lower()
    clock.freeze(T0 + timedelta(days=92))
    world.tokens.clear()  # three months later: log in again
    r = world.client.put("/api/v1/officers/nb_officer1/expert-fields", json={"fields": ["audit", "risk"]},
                         headers=world.off("admin"))  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["fields"] == ["audit", "risk"]
    me = world.off("nb_officer1")
    queue = world.client.get("/api/v1/audit/queue", headers=me).json()
    assert [(c["number"], c["source"]) for c in queue] == [(number, "blue_lane")]
    assert world.client.get("/api/v1/audit/queue", headers=world.off("nb_officer2")).status_code == 403
    case = world.post("/api/v1/audit/cases", me, {"candidate_id": queue[0]["id"], "kind": "desk",
                                                  "scope": "customs value of the phones"}).json()  # fmt: skip
    assert case["officer"] == "nb_officer1"
    assert case["status"] == "opened"
    r = world.post(f"/api/v1/audit/cases/{case['id']}/findings", me, {
        "outcome": "fraud", "additional_duty": "5000000", "findings": ["Giá khai thấp hơn giá thanh toán thực tế"],
        "documents": ["Hợp đồng số 12/2026", "Chứng từ thanh toán qua ngân hàng"]})  # fmt: skip
    assert r.status_code == 200, r.text
    settle(app)
    with app.state.db.unit_of_work() as uow:
        (label,) = uow.session.scalars(select(LabelRow).where(LabelRow.number == number)).all()
        assert (label.source, label.outcome, label.duty_at_stake) == ("audit", "fraud", Decimal(5_000_000))
        assert label.known_at == T0 + timedelta(days=92)
        ent = uow.session.scalar(select(EnterpriseRow).where(EnterpriseRow.tax_code == "0100109106"))
        assert ent is not None
        assert ent.compliance_class == "low"
    closed = world.post(f"/api/v1/audit/cases/{case['id']}/close", me, None).json()
    assert closed["status"] == "closed"
    assert closed["amendment_no"] == 1
    assert Decimal(closed["late_interest"]) == Decimal(5_000_000) * Decimal("0.0003") * 92
    assert Decimal(closed["penalty"]) == Decimal(1_000_000)
    assert closed["penalty_basis"].startswith("proposed")  # an officer proposes; a leader decides
    settle(app)
    assert reference(world, number, amendment=1)  # the additional duty is due on its own reference
    (interest,) = world.client.get("/api/v1/taxes/charges", params={"kind": "interest"}, headers=me).json()
    assert (interest["declaration_number"], Decimal(interest["amount"])) == (
        number,
        Decimal(closed["late_interest"]),
    )
    assert interest["reference"]  # the late interest is a debt of its own, collected through the bank gateway
    again = world.post(f"/api/v1/audit/cases/{case['id']}/close", me, None)
    assert again.status_code == 409


def test_a_label_is_written_once_per_event(world: World, app: Any) -> None:
    clock.freeze(T0)
    number = blue_cleared(world, app)
    case = world.post(
        "/api/v1/audit/cases", world.off("analyst"), {"number": number, "scope": "origin"}
    ).json()
    world.post(f"/api/v1/audit/cases/{case['id']}/findings", world.off("analyst"),
               {"outcome": "no_fraud", "findings": ["Xuất xứ đúng"]})  # fmt: skip
    settle(app)
    with app.state.db.unit_of_work() as uow:
        ev = uow.session.scalars(
            select(OutboxEvent).where(OutboxEvent.type == "audit.findings_recorded")
        ).one()
        before = uow.session.scalars(select(LabelRow).where(LabelRow.number == number)).all()
        assert [x.outcome for x in before] == ["no_fraud"]
        again = quick_event(ev.id, ev.seq, ev.type, ev.version, ev.unit, ev.subject, ev.occurred_at, ev.actor,
                            ev.payload)  # fmt: skip
        labels.on_labelled(uow, again)  # delivered again
        uow.session.flush()
        assert len(uow.session.scalars(select(LabelRow).where(LabelRow.number == number)).all()) == 1


def test_selection_by_score_and_by_query_over_cleared_declarations(world: World, app: Any) -> None:
    clock.freeze(T0)
    number = blue_cleared(world, app)
    clock.freeze(T0 + timedelta(days=30))
    world.tokens.clear()  # a month later: log in again
    who = world.off("analyst")
    r = world.post("/api/v1/audit/selections", who, {"source": "query", "declarant": "0100109106"})
    assert r.status_code == 200, r.text
    picked = r.json()
    assert [(c["number"], c["source"]) for c in picked] == [(number, "query")]
    again = world.post("/api/v1/audit/selections", who, {"source": "query", "declarant": "0100109106"}).json()
    assert again == []  # once per declaration and source
    by_score = world.post("/api/v1/audit/selections", who, {"source": "score", "min_score": 0}).json()
    assert [c["number"] for c in by_score] == [number]
    bad = world.post("/api/v1/audit/selections", who, {"source": "rumour"})
    assert bad.status_code == 422
    hp = world.client.get("/api/v1/audit/queue", headers=world.off("hp_leader")).json()
    assert hp == []  # Hai Phong does not see Noi Bai's queue
    with app.state.db.unit_of_work() as uow:
        assert uow.session.scalar(select(AuditCandidateRow).where(AuditCandidateRow.source == "blue_lane"))
    plan = world.post("/api/v1/audit/plans", who, {"unit": "01AB", "period": "2026-Q2", "title": "Trị giá điện thoại",
                                                  "planned_cases": 12})  # fmt: skip
    assert plan.status_code == 201, plan.text
    assert world.client.get("/api/v1/audit/plans", headers=who).json()[0]["period"] == "2026-Q2"


def test_a_leader_closing_decides_the_penalty_through_the_taxes_module(world: World, app: Any) -> None:
    clock.freeze(T0)
    number = blue_cleared(world, app)
    lead = world.off("nb_leader")
    case = world.post("/api/v1/audit/cases", lead, {"number": number, "scope": "customs value"}).json()
    world.post(f"/api/v1/audit/cases/{case['id']}/findings", lead,
               {"outcome": "fraud", "additional_duty": "2000000", "findings": ["Khai giá thấp"]})  # fmt: skip
    closed = world.post(f"/api/v1/audit/cases/{case['id']}/close", lead, None)
    assert closed.status_code == 200, closed.text
    assert closed.json()["penalty_basis"].startswith("decided")
    with app.state.db.unit_of_work() as uow:
        charge = uow.session.scalars(
            select(TaxChargeRow).where(TaxChargeRow.declaration_number == number)
        ).one()
        assert charge.amount == Decimal(400_000)
        assert charge.kind == "penalty"
