"""Banks connected by an administrator (`haiquan payments bank ...` and /api/v1/payments/banks) take
payments with the key they are given; a disabled bank's confirmations are refused; every input is checked."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from haiquan import cli
from haiquan.kit.db import Database
from haiquan.kit.tables import AuditEntry, OutboxEvent
from haiquan.payments.schemas import PaymentIn
from tests.payments.helpers import TOTAL, registered, settle, status
from tests.payments.test_xml import keypair
from tests.support import World

runner = CliRunner()
CTG = ("CTG", "Ngân hàng TMCP Công thương Việt Nam", "0100111948")


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(cli.app, list(args))
    return result.exit_code, result.output


def pay(world: World, key: str, bank: str, number: str, txn: str) -> Any:
    ref = world.client.get(f"/api/v1/payments/references?declaration_number={number}",
                           headers=world.ent("0100109106")).json()[0]["reference"]  # fmt: skip
    body = {"bank": bank, "transaction_id": txn, "references": [ref], "amount": str(TOTAL),
            "payer_tax_code": "0101248141", "paid_at": "2026-03-02T02:00:00+07:00"}  # fmt: skip
    return world.client.post("/api/v1/payments", json=body, headers={"Authorization": f"Bearer {key}"})


def test_a_bank_added_on_the_command_line_clears_a_declaration(
    world: World, app: Any, cli_db: Database
) -> None:
    code, out = run("payments", "bank", "add", "--code", "CTG", "--name", CTG[1], "--tax-code", CTG[2],
                    "--office-hours")  # fmt: skip
    assert code == 0, out
    key = out.strip().splitlines()[-1]
    assert key.startswith("hq_")
    number = registered(world, app)
    r = pay(world, key, "CTG", number, "CTG-0001")
    assert r.status_code == 201, r.text
    settle(app)
    assert status(world, number) == "cleared"
    code, out = run("payments", "bank", "list")
    assert code == 0
    assert "CTG" in out
    assert "office hours" not in out
    listed = world.client.get("/api/v1/payments/banks", headers=world.ent("0100109106")).json()
    assert listed == [{"code": "CTG", "name": CTG[1], "tax_code": CTG[2], "round_the_clock": False,
                       "xml": False, "active": True}]  # fmt: skip


def test_a_disabled_bank_is_refused_with_a_clear_problem(world: World, app: Any, cli_db: Database) -> None:
    key = run("payments", "bank", "add", "--code", "CTG", "--name", CTG[1], "--tax-code", CTG[2])[1].split()[
        -1
    ]
    number = registered(world, app)
    code, out = run("payments", "bank", "disable", "--code", "CTG", "--reason", "contract ended")
    assert code == 0
    assert "disabled" in out
    r = pay(world, key, "CTG", number, "CTG-0002")
    assert r.status_code == 403
    assert r.json()["code"] == "bank_disabled"
    assert r.json()["field"] == "bank"
    item = PaymentIn.model_validate_json(r.request.content).model_dump(mode="json")
    batch = world.client.post("/api/v1/payments/batch", json={"items": [item]},
                              headers={"Authorization": f"Bearer {key}"})  # fmt: skip
    assert batch.json()["results"][0]["problem"]["code"] == "bank_disabled"
    assert world.client.get("/api/v1/payments/banks", headers=world.ent("0100109106")).json() == []
    assert run("payments", "bank", "list", "--all")[1].count("CTG") == 1
    assert run("payments", "bank", "enable", "--code", "CTG", "--reason", "renewed")[0] == 0
    assert pay(world, key, "CTG", number, "CTG-0002").status_code == 201
    with app.state.db.unit_of_work() as uow:
        actions = uow.session.scalars(
            select(AuditEntry.action).where(AuditEntry.target == "bank:CTG").order_by(AuditEntry.seq)
        ).all()
        events = uow.session.scalars(
            select(OutboxEvent.type).where(OutboxEvent.type.like("payment.bank_%")).order_by(OutboxEvent.seq)
        ).all()
    assert actions == ["payment.bank_add", "payment.bank_disable", "payment.bank_enable"]
    assert events == ["payment.bank_added", "payment.bank_disabled", "payment.bank_enabled"]


def test_the_administrators_api_adds_lists_and_disables(world: World, app: Any) -> None:
    _, cert = keypair("0100150619")
    body = {"code": "BIDV", "name": "BIDV", "tax_code": "0100150619", "certificate_pem": cert.decode()}
    assert world.post("/api/v1/payments/banks", world.off("hn_leader"), body).status_code == 403
    r = world.post("/api/v1/payments/banks", world.off("admin"), body, key="add-bidv")
    assert r.status_code == 201, r.text
    assert r.json()["bank"]["xml"] is True
    assert r.json()["bank"]["round_the_clock"] is True
    replay = world.post("/api/v1/payments/banks", world.off("admin"), body, key="add-bidv")
    assert replay.status_code == 201
    assert replay.json()["api_key"] is None
    number = registered(world, app)
    assert pay(world, r.json()["api_key"], "BIDV", number, "B-1").status_code == 201
    again = world.post("/api/v1/payments/banks", world.off("admin"), body)
    assert again.status_code == 409
    assert again.json()["field"] == "code"
    off = world.post("/api/v1/payments/banks/BIDV/disable", world.off("admin"), {"reason": "audit finding"})
    assert off.status_code == 200
    assert off.json()["active"] is False
    every = world.client.get("/api/v1/payments/banks?include_disabled=true", headers=world.off("admin"))
    assert [b["code"] for b in every.json()] == ["BIDV"]
    assert world.client.get("/api/v1/payments/banks?include_disabled=true",
                            headers=world.ent("0100109106")).status_code == 403  # fmt: skip


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": "vc b"}, "code"),
        ({"tax_code": "0100150618"}, "tax_code"),
        (
            {"certificate_pem": "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----"},
            "certificate_pem",
        ),
        ({"name": "   "}, "name"),
        ({"open": True}, "open"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    world: World, change: dict[str, Any], field: str
) -> None:
    body = {"code": "BIDV", "name": "BIDV", "tax_code": "0100150619"} | change
    r = world.post("/api/v1/payments/banks", world.off("admin"), body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json", r.text
    assert field in (r.json().get("field") or str(r.json()))
    assert (
        world.client.get("/api/v1/payments/banks?include_disabled=true", headers=world.off("admin")).json()
        == []
    )


def test_an_enterprise_customs_knows_becomes_the_bank_with_a_new_key(world: World, app: Any) -> None:
    body = {"code": "VCB", "name": "Vietcombank", "tax_code": "0100112437"}
    r = world.post("/api/v1/payments/banks", world.off("admin"), body)
    assert r.status_code == 201, r.text
    number = registered(world, app)
    assert pay(world, r.json()["api_key"], "VCB", number, "V-1").status_code == 201
    assert pay(world, world.keys["0100112437"], "VCB", registered(world, app), "V-2").status_code == 201
