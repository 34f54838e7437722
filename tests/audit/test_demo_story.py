"""Issue #21's demonstration, end to end through HTTP: a green declaration audited three months later,
undervaluation found, the additional duty collected (its own payment reference, paid) with interest
assessed, the trader reclassified, the audit's label used by the next retraining, the challenger compared
with the champion and promoted by an analyst."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from haiquan.kit import clock
from haiquan.organization.tables import EnterpriseRow
from haiquan.payments.tables import BankRow
from haiquan.risk.channel import RuleSetEngine
from haiquan.risk.tables import LabelRow, ModelVersionRow
from tests.payments.helpers import add_bank, pay, reference, settle
from tests.support import World, import_declaration

D0 = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)


def declare(world: World, fraud: bool) -> str:
    origin, value = ("JP", "900") if fraud else ("CN", "6000")
    line = {**import_declaration()["lines"][0], "origin_country": origin, "value": value}
    r = world.lodge(
        import_declaration(lines=[line], invoice={**import_declaration()["invoice"], "amount": value})
    )
    assert r.status_code == 201, r.text
    number = str(r.json()["number"])
    assert (
        world.post(f"/api/v1/declarations/{number}/register", world.ent("0100109106"), None).status_code
        == 200
    )
    return number


def history(world: World, app: Any, days: range) -> None:
    """Declarations inspected the next day (their labels written as the label consumer would)."""
    made = []
    for i in days:
        clock.freeze(D0 + timedelta(days=i))
        made.append((declare(world, i % 3 == 0), i % 3 == 0, D0 + timedelta(days=i)))
    settle(app)
    numbers = [n for n, _, _ in made]
    for k in range(0, len(numbers), 10):  # no debt refuses later registrations (10 references a payment)
        paid(world, app, numbers[k : k + 10], f"TXN-H{days.start}-{k}")
    with app.state.db.unit_of_work() as uow:
        for number, fraud, at in made:
            uow.session.add(LabelRow(event_id=f"ev-{number}", number=number, declarant_tax_code="0100109106",
                                     source="inspection", outcome="fraud" if fraud else "no_fraud",
                                     duty_at_stake=Decimal(3_000_000 if fraud else 0), random_pick=False,
                                     known_at=at + timedelta(days=1), recorded_at=at))  # fmt: skip
        uow.commit()


def paid(world: World, app: Any, numbers: list[str], txn: str) -> None:
    """The bank confirms the duties of these declarations in one payment."""
    with app.state.db.unit_of_work() as uow:
        bank = uow.session.get(BankRow, "VCB")
    if bank is None:
        add_bank(app)
    refs, total = [], 0
    for number in numbers:
        decl = world.client.get(f"/api/v1/declarations/{number}", headers=world.ent("0100109106")).json()
        refs.append(reference(world, number))
        total += int(Decimal(decl["duties"]["total"]))
    r = pay(world, refs, total, txn, paid_at=clock.now().isoformat())
    assert r.status_code == 201, r.text
    settle(app)


def green_cleared(world: World, app: Any) -> str:
    clock.freeze(D0 + timedelta(days=10))
    serving = app.state.channel_engine
    app.state.channel_engine = RuleSetEngine(green=100, yellow=0, red=0)
    number = declare(world, fraud=True)
    app.state.channel_engine = serving
    settle(app)
    total = int(
        Decimal(
            world.client.get(f"/api/v1/declarations/{number}", headers=world.ent("0100109106")).json()[
                "duties"
            ]["total"]
        )
    )
    assert (
        pay(
            world, [reference(world, number)], total, "TXN-G", paid_at="2026-01-15T12:00:00+07:00"
        ).status_code
        == 201
    )
    settle(app)
    return number


def audit(world: World, app: Any, number: str) -> dict[str, Any]:
    clock.freeze(D0 + timedelta(days=100))
    world.tokens.clear()
    r = world.client.put(
        "/api/v1/officers/nb_officer1/expert-fields", json={"fields": ["audit"]}, headers=world.off("admin")
    )
    assert r.status_code == 200, r.text
    picked = world.post("/api/v1/audit/selections", world.off("analyst"),
                        {"source": "query", "channel": "green", "declarant": "0100109106"}).json()  # fmt: skip
    mine = next(c for c in picked if c["number"] == number)  # among the green declarations cleared
    me = world.off("nb_officer1")
    case = world.post("/api/v1/audit/cases", me, {"candidate_id": mine["id"], "kind": "on_site",
                                                  "scope": "trị giá hải quan"}).json()  # fmt: skip
    world.post(f"/api/v1/audit/cases/{case['id']}/findings", me, {
        "outcome": "fraud", "additional_duty": "4000000", "findings": ["Khai giá thấp: hợp đồng 6.000 USD, khai 900 USD"],
        "documents": ["Hợp đồng", "Chứng từ thanh toán"]})  # fmt: skip
    settle(app)
    closed = world.post(f"/api/v1/audit/cases/{case['id']}/close", me, None).json()
    settle(app)
    return dict(closed)


def test_green_audited_reclassified_relabelled_retrained_promoted(
    world: World, app: Any, tmp_path: Path
) -> None:
    history(world, app, range(0, 60))
    number = green_cleared(world, app)
    closed = audit(world, app, number)
    assert closed["amendment_no"] == 1
    assert Decimal(closed["late_interest"]) > 0
    extra = reference(world, number, amendment=1)
    assert pay(world, [extra], 4_000_000, "TXN-AUDIT", paid_at="2026-04-16T10:00:00+07:00").status_code == 201
    settle(app)
    with app.state.db.unit_of_work() as uow:
        ent = uow.session.scalar(select(EnterpriseRow).where(EnterpriseRow.tax_code == "0100109106"))
        assert ent is not None
        assert ent.compliance_class == "low"
    history(world, app, range(101, 131))
    clock.freeze(D0 + timedelta(days=140))
    world.tokens.clear()
    body = {"cutoff": (D0 + timedelta(days=101)).isoformat(), "test_to": (D0 + timedelta(days=132)).isoformat(),
            "model_dir": str(tmp_path)}  # fmt: skip
    r = world.post("/api/v1/risk/retraining", world.off("analyst"), body)
    assert r.status_code == 201, r.text
    cmp = r.json()
    assert cmp["metrics"]["train"]["audit"] == 1  # the green declaration's audit label trained it
    assert cmp["metrics"]["challenger"]["precision"] >= cmp["metrics"]["champion"]["precision"]
    r = world.post(f"/api/v1/risk/comparisons/{cmp['id']}/decision", world.off("analyst"),
                   {"promote": True, "why": "catches the Japanese undervaluation"})  # fmt: skip
    assert r.status_code == 200, r.text
    with app.state.db.unit_of_work() as uow:
        assert (
            uow.session.scalar(select(ModelVersionRow.version).where(ModelVersionRow.serving.is_(True)))
            == cmp["challenger"]
        )
