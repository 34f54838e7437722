"""Applications through HTTP on SQLite and PostgreSQL: filed by a trader and seen only by it and by the
officers of the office addressed (and the units above); reviewed, questioned, decided with reasons and
audited; the applicant notified; a refund booked and paid back through the ledger; an extension recorded
for the tax accounts; the deadline flagged when it passes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from haiquan.applications import service
from haiquan.kit import clock
from haiquan.kit.tables import AuditEntry, OutboxEvent
from haiquan.payments.tables import LedgerLineRow
from tests.applications.helpers import OTHER, TRADER, decide, file, filed, paid_declaration, settle
from tests.support import World


def _events(app: Any, prefix: str = "applications.") -> list[str]:
    with app.state.db.unit_of_work() as uow:
        q = select(OutboxEvent.type).where(OutboxEvent.type.startswith(prefix)).order_by(OutboxEvent.seq)
        return list(uow.session.scalars(q))


def test_a_refund_is_filed_decided_and_paid_back_through_the_ledger(world: World, app: Any) -> None:
    number = paid_declaration(world, app)
    a = filed(world, {"kind": "refund", "subject": "Hoàn thuế nhập khẩu hàng tái xuất", "reason_code": "re_export",
                      "declaration_number": number, "amount": "5000000"})  # fmt: skip
    assert (a["status"], a["office"], a["refund_mode"]) == ("filed", "01AB", "check_then_refund")
    assert "Điều 75" in a["deadline_source"]
    assert (
        world.post(f"/api/v1/applications/{a['id']}/review", world.off("nb_officer1"), None).status_code
        == 200
    )
    r = decide(
        world, a["id"], {"outcome": "partly_approved", "amount": "4000000", "reasons": "Tái xuất 80% số hàng"}
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["amount_granted"], r.json()["on_time"]) == (
        "partly_approved",
        "4000000",
        True,
    )
    r = world.post(f"/api/v1/applications/{a['id']}/refund-payments", world.off("nb_leader"), {})
    assert r.status_code == 200, r.text
    assert r.json()["amount_paid_back"] == "4000000"
    with app.state.db.unit_of_work() as uow:
        kinds = uow.session.execute(
            select(LedgerLineRow.kind, LedgerLineRow.account, LedgerLineRow.debit, LedgerLineRow.credit)
            .where(
                LedgerLineRow.declaration_number == number, LedgerLineRow.kind.in_(["refund_due", "refund"])
            )
            .order_by(LedgerLineRow.kind, LedgerLineRow.account)
        ).all()
        audit = uow.session.scalars(
            select(AuditEntry.action).where(AuditEntry.target == f"application:{a['id']}")
        )
        assert "applications.application_decided" in list(audit)
    assert [(k, acc, int(d), int(c)) for k, acc, d, c in kinds] == [
        ("refund", "refunds_payable", 4_000_000, 0),
        ("refund", "treasury", 0, 4_000_000),
        ("refund_due", "refunds_payable", 0, 4_000_000),
        ("refund_due", "revenue", 4_000_000, 0),
    ]
    again = world.post(f"/api/v1/applications/{a['id']}/refund-payments", world.off("nb_leader"), {})
    assert again.status_code == 422
    assert again.json()["field"] == "amount"


def test_an_over_payment_is_paid_back_from_what_the_bank_paid_too_much(world: World, app: Any) -> None:
    number = paid_declaration(world, app, excess=1_000_000)
    a = filed(world, {"kind": "refund", "subject": "Nộp thừa", "reason_code": "over_payment",
                      "refund_mode": "refund_then_check", "declaration_number": number, "amount": "1000000"})  # fmt: skip
    assert "6" in a["deadline"] or a["deadline"]  # six working days, see test_domain
    too_much = decide(world, a["id"], {"outcome": "approved", "amount": "1000001", "reasons": "Nộp thừa"})
    assert too_much.status_code == 422
    assert too_much.json()["field"] == "amount"
    assert (
        decide(world, a["id"], {"outcome": "approved", "reasons": "Nộp thừa theo chứng từ"}).status_code
        == 200
    )
    r = world.post(
        f"/api/v1/applications/{a['id']}/refund-payments", world.off("nb_leader"), {"amount": "1000000"}
    )
    assert r.status_code == 200, r.text
    settle(app)
    feed = world.client.get("/api/v1/notifications", headers=world.ent(TRADER)).json()["items"]
    notes = [(n["status"], n["payload"]["action"]) for n in feed if n["status"].startswith("application_")]
    assert notes == [("application_filed", "filed"), ("application_approved", "decided"),
                     ("application_approved", "refund_paid")]  # fmt: skip


def test_a_trader_sees_only_its_own_and_officers_only_their_units(world: World, app: Any) -> None:
    a = filed(world, {"kind": "ruling_value", "office": "01AB", "subject": "Trị giá phí bản quyền",
                      "goods_code": "ROY-1", "goods_description": "Phần mềm", "details": "Phương pháp trị giá giao dịch"})  # fmt: skip
    url = f"/api/v1/applications/{a['id']}"
    assert world.client.get(url, headers=world.ent(TRADER)).status_code == 200
    assert world.client.get(url, headers=world.ent(OTHER)).status_code == 404
    assert world.client.get("/api/v1/applications", headers=world.ent(OTHER)).json() == []
    for officer, seen in (("nb_officer1", 200), ("hn_leader", 200), ("gd_leader", 200), ("hp_officer", 404),
                          ("tn_officer", 404)):  # fmt: skip
        assert world.client.get(url, headers=world.off(officer)).status_code == seen, officer
    r = decide(world, a["id"], {"outcome": "approved", "reasons": "Đúng phương pháp"}, officer="hp_officer")
    assert r.status_code == 404
    r = world.post(f"{url}/decision", world.ent(TRADER), {"outcome": "approved", "reasons": "tự duyệt"})
    assert r.status_code == 403
    assert _events(app) == ["applications.application_filed"]


def test_information_requested_restarts_the_clock_and_a_withdrawal_ends_it(world: World, app: Any) -> None:
    clock.freeze(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    a = filed(world, {"kind": "ruling_origin", "office": "01AB", "subject": "Xuất xứ linh kiện",
                      "goods_code": "PCB-9", "goods_description": "Bo mạch", "origin_country": "KR"})  # fmt: skip
    first = datetime.fromisoformat(a["deadline"])
    assert first == datetime(2026, 4, 1, 2, 0, tzinfo=UTC)  # 30 days
    url = f"/api/v1/applications/{a['id']}"
    r = world.post(f"{url}/information-request", world.off("nb_officer1"), {"request": "Bổ sung C/O mẫu AK"})
    assert r.status_code == 409  # not under review yet
    assert world.post(f"{url}/review", world.off("nb_officer1"), None).status_code == 200
    r = world.post(f"{url}/information-request", world.off("nb_officer1"), {"request": "Bổ sung C/O mẫu AK"})
    assert (r.status_code, r.json()["status"]) == (200, "info_requested")
    clock.freeze(datetime(2026, 3, 12, 2, 0, tzinfo=UTC))
    r = world.post(f"{url}/information", world.ent(TRADER), {"note": "Đã nộp C/O"})
    assert r.status_code == 200, r.text
    assert datetime.fromisoformat(r.json()["deadline"]) == first + timedelta(days=10)
    r = world.post(f"{url}/withdrawal", world.ent(TRADER), None)
    assert (r.status_code, r.json()["status"]) == (200, "withdrawn")
    r = decide(world, a["id"], {"outcome": "approved", "reasons": "Đúng xuất xứ"})
    assert r.status_code == 409
    assert r.json()["field"] == "status"


def test_an_extension_moves_the_due_date_where_the_tax_accounts_read_it(world: World, app: Any) -> None:
    number = paid_declaration(world, app)
    body = {"kind": "extension", "subject": "Gia hạn nộp thuế do thiên tai", "declaration_number": number,
            "amount": "21320000", "requested_due_date": "2027-03-01"}  # fmt: skip
    a = filed(world, body)
    r = decide(world, a["id"], {"outcome": "approved", "reasons": "Thiên tai, Điều 62 Luật QLT"})
    assert r.status_code == 422
    assert r.json()["field"] == "new_due_date"
    r = decide(
        world, a["id"], {"outcome": "approved", "reasons": "Thiên tai, Điều 62", "new_due_date": "2027-03-01"}
    )
    assert r.status_code == 200, r.text
    ext = world.client.get(
        f"/api/v1/applications/extensions?declaration_number={number}", headers=world.off("nb_leader")
    )
    assert [(e["declaration_number"], e["new_due_date"]) for e in ext.json()] == [(number, "2027-03-01")]
    assert world.client.get("/api/v1/applications/extensions", headers=world.ent(OTHER)).json() == []
    assert "applications.payment_deadline_extended" in _events(app)


def test_filing_names_the_missing_field_and_refuses_another_traders_declaration(
    world: World, app: Any
) -> None:
    r = file(world, {"kind": "refund", "subject": "Hoàn thuế", "amount": "1000"})
    assert (r.status_code, r.json()["field"]) == (422, "declaration_number")
    r = file(
        world, {"kind": "ruling_classification", "subject": "Mã số", "office": "01AB", "goods_code": "X"}
    )
    assert (r.status_code, r.json()["field"]) == (422, "goods_description")
    r = file(world, {"kind": "ruling_value", "subject": "Trị giá", "office": "99ZZ", "goods_code": "X",
                     "goods_description": "x", "details": "y"})  # fmt: skip
    assert (r.status_code, r.json()["field"]) == (422, "office")
    number = paid_declaration(world, app)
    r = file(
        world,
        {"kind": "refund", "subject": "Hoàn", "declaration_number": number, "amount": "1"},
        who="0300588569",
    )
    assert r.status_code == 403  # a carrier is not a declarant
    assert _events(app) == []


def test_the_periodic_job_flags_an_application_past_its_deadline_once(world: World, app: Any) -> None:
    clock.freeze(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    filed(world, {"kind": "ruling_value", "office": "01AB", "subject": "Trị giá", "goods_code": "G",
                  "goods_description": "g", "details": "d"})  # fmt: skip
    clock.freeze(datetime(2026, 4, 2, 2, 0, tzinfo=UTC))
    with app.state.db.unit_of_work() as uow:
        assert service.flag_overdue(uow.session) == 1
        uow.commit()
    with app.state.db.unit_of_work() as uow:
        assert service.flag_overdue(uow.session) == 0
        uow.commit()
    rows = world.client.get("/api/v1/applications", headers=world.off("nb_leader")).json()
    assert [r["overdue"] for r in rows] == [True]
    assert _events(app)[-1] == "applications.deadline_passed"


def test_filing_again_with_the_same_key_answers_the_first_application(world: World, app: Any) -> None:
    body = {"kind": "ruling_value", "office": "01AB", "subject": "Trị giá", "goods_code": "G",
            "goods_description": "g", "details": "d"}  # fmt: skip
    first = world.post("/api/v1/applications", world.ent(TRADER), body, key="apl-1")
    again = world.post("/api/v1/applications", world.ent(TRADER), body, key="apl-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replay"] == "true"
    assert again.json()["id"] == first.json()["id"]
    other = world.post("/api/v1/applications", world.ent(TRADER), body | {"subject": "Khác"}, key="apl-1")
    assert other.status_code == 422
    assert _events(app) == ["applications.application_filed"]


def test_no_collection_on_duties_paid_is_owed_back_and_paid_through_the_ledger(
    world: World, app: Any
) -> None:
    from tests.payments.helpers import registered

    number = paid_declaration(world, app)  # adds the bank
    unpaid = registered(world, app)
    body = {"kind": "no_collection", "subject": "Không thu thuế hàng trả lại", "amount": "1320000"}
    a = filed(world, body | {"declaration_number": unpaid})
    r = decide(world, a["id"], {"outcome": "approved", "reasons": "Hàng nhập khẩu trả lại, Điều 37 NĐ 134"})
    assert (r.status_code, r.json()["field"], r.json()["code"]) == (
        422,
        "declaration_number",
        "duties_outstanding",
    )
    b = filed(world, body | {"declaration_number": number})
    assert (
        decide(world, b["id"], {"outcome": "approved", "reasons": "Hàng trả lại, Điều 37"}).status_code == 200
    )
    r = world.post(f"/api/v1/applications/{b['id']}/refund-payments", world.off("nb_leader"), {})
    assert r.status_code == 200, r.text
    assert (r.status_code, r.json()["amount_paid_back"]) == (200, "1320000")
    with app.state.db.unit_of_work() as uow:
        lines = uow.session.execute(
            select(LedgerLineRow.kind, LedgerLineRow.account, LedgerLineRow.debit, LedgerLineRow.credit)
            .where(LedgerLineRow.declaration_number == number, LedgerLineRow.kind.in_(["relief", "refund"]))
            .order_by(LedgerLineRow.kind, LedgerLineRow.account)
        ).all()
    assert [(k, acc, int(d), int(c)) for k, acc, d, c in lines] == [
        ("refund", "refunds_payable", 1_320_000, 0),
        ("refund", "treasury", 0, 1_320_000),
        ("relief", "refunds_payable", 0, 1_320_000),
        ("relief", "revenue", 1_320_000, 0),
    ]
