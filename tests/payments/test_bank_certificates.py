"""Banks' certificates for signed XML: customs registers (and replaces) them, each must name the bank's tax
code, and revokes them; a confirmation signed under a revoked, expired or mismatched certificate is refused
(403 problem+json). SQLite and PostgreSQL; certificates made here with `cryptography`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from typer.testing import CliRunner

from haiquan import cli
from haiquan.kit import clock
from haiquan.kit.db import Database
from haiquan.kit.tables import OutboxEvent
from haiquan.payments import xmlmsg
from haiquan.payments.catalogue import PaymentEvent
from haiquan.payments.schemas import PaymentIn
from tests.certificates import certificate
from tests.payments.helpers import BANK_TAX, TOTAL, add_bank, reference, registered
from tests.support import World

URL = "/api/v1/payments/banks/VCB/certificate"
NOW = datetime.now(UTC)


def signed(world: World, app: Any, key: bytes, cert: bytes, txn: str) -> bytes:
    number = registered(world, app)
    data = PaymentIn(bank="VCB", transaction_id=txn, references=[reference(world, number)], amount=Decimal(TOTAL),
                     payer_tax_code="0101248141", paid_at=datetime(2026, 3, 2, 2, tzinfo=UTC))  # fmt: skip
    return xmlmsg.sign(data, key_pem=key, cert_pem=cert)


def post_xml(world: World, body: bytes) -> Any:
    headers = world.ent(BANK_TAX) | {"Content-Type": "application/xml"}
    return world.client.post("/api/v1/payments/xml", content=body, headers=headers)


def refused(r: Any, code: str) -> None:
    assert r.status_code == 403, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == code


def test_customs_registers_the_certificate_and_it_must_name_the_bank(world: World, app: Any) -> None:
    add_bank(app)
    _, other = certificate("MST:0100109106")
    put = world.client.put
    bad = put(URL, json={"certificate_pem": other.decode()}, headers=world.off("admin"))
    assert bad.status_code == 422
    assert bad.json()["code"] == "certificate_mismatch"
    assert bad.json()["field"] == "certificate_pem"
    _, mine = certificate(f"MST:{BANK_TAX}")
    assert put(URL, json={"certificate_pem": mine.decode()}, headers=world.ent(BANK_TAX)).status_code == 403
    assert (
        put(URL, json={"certificate_pem": mine.decode()}, headers=world.off("hn_leader")).status_code == 403
    )
    ok = put(URL, json={"certificate_pem": mine.decode()}, headers=world.off("admin"))
    assert ok.status_code == 200, ok.text
    assert ok.json()["registered"], ok.text
    assert ok.json()["not_after"], ok.text
    own = world.client.get(URL, headers=world.ent(BANK_TAX))
    assert own.status_code == 200
    assert own.json()["revoked_at"] is None
    assert world.client.get(URL, headers=world.ent("0100109106")).status_code == 403
    with app.state.db.unit_of_work() as uow:
        kinds = list(
            uow.session.scalars(
                select(OutboxEvent.type)
                .where(OutboxEvent.type.like("payment.bank_cert%"))
                .order_by(OutboxEvent.seq)
            )
        )
    assert kinds == [PaymentEvent.BANK_CERTIFICATE_REGISTERED]


def test_a_revoked_certificate_signs_nothing_until_another_is_registered(world: World, app: Any) -> None:
    key, cert = certificate(f"MST:{BANK_TAX}")
    add_bank(app)
    admin = world.off("admin")
    assert world.client.put(URL, json={"certificate_pem": cert.decode()}, headers=admin).status_code == 200
    first = signed(world, app, key, cert, "XML-R1")
    assert post_xml(world, first).status_code == 201
    r = world.post(URL + "/revoke", admin, {"reason": "the bank reported the key lost"})
    assert r.status_code == 200, r.text
    assert r.json()["revoked_at"], r.text
    refused(post_xml(world, signed(world, app, key, cert, "XML-R2")), "certificate_revoked")
    new_key, new_cert = certificate(f"MST:{BANK_TAX}")
    assert (
        world.client.put(URL, json={"certificate_pem": new_cert.decode()}, headers=admin).status_code == 200
    )
    assert post_xml(world, signed(world, app, new_key, new_cert, "XML-R3")).status_code == 201
    with app.state.db.unit_of_work() as uow:
        kinds = list(
            uow.session.scalars(
                select(OutboxEvent.type)
                .where(OutboxEvent.type.like("payment.bank_cert%"))
                .order_by(OutboxEvent.seq)
            )
        )
    assert kinds.count(PaymentEvent.BANK_CERTIFICATE_REVOKED) == 1


def test_an_expired_certificate_signs_nothing(world: World, app: Any) -> None:
    key, cert = certificate(f"MST:{BANK_TAX}", valid_until=NOW + timedelta(hours=1))
    add_bank(app, cert=cert.decode())
    body = signed(world, app, key, cert, "XML-E1")
    clock.freeze(NOW + timedelta(hours=2))
    refused(post_xml(world, body), "certificate_expired")


def test_a_certificate_naming_someone_else_signs_nothing(world: World, app: Any) -> None:
    key, cert = certificate("Vietcombank payments")  # stored before customs checked the subject
    add_bank(app, cert=cert.decode())
    refused(post_xml(world, signed(world, app, key, cert, "XML-M1")), "certificate_mismatch")


def test_the_command_line_revokes(world: World, app: Any, cli_db: Database) -> None:
    _, cert = certificate(BANK_TAX)
    add_bank(app, cert=cert.decode())
    r = CliRunner().invoke(
        cli.app, ["payments", "bank", "revoke-certificate", "--code", "VCB", "--reason", "lost"]
    )
    assert r.exit_code == 0, r.output
    assert "revoked" in r.output, r.output
    assert world.client.get(URL, headers=world.off("admin")).json()["revoked_at"]
