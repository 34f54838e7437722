"""The signed XML variant: verified with the bank's registered certificate, symmetric with JSON."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from haiquan.payments import xmlmsg
from haiquan.payments.schemas import PaymentIn
from tests.certificates import certificate
from tests.payments.helpers import BANK_TAX, TOTAL, add_bank, reference, registered, settle, status
from tests.support import World


def keypair(tax_code: str = BANK_TAX) -> tuple[bytes, bytes]:
    """A bank's key and certificate naming its tax code (as Vietnamese CAs write it: MST:<tax code>)."""
    return certificate(f"MST:{tax_code}")


def test_signed_xml_confirmation_clears_and_a_forged_one_is_refused(world: World, app: Any) -> None:
    key, cert = keypair()
    add_bank(app, cert=cert.decode())
    number = registered(world, app)
    data = PaymentIn(bank="VCB", transaction_id="XML-1", references=[reference(world, number)], amount=Decimal(TOTAL),
                     payer_tax_code="0101248141", paid_at=datetime(2026, 3, 2, 2, tzinfo=UTC))  # fmt: skip
    signed = xmlmsg.sign(data, key_pem=key, cert_pem=cert)
    tampered = signed.replace(str(TOTAL).encode(), b"1")
    headers = world.ent(BANK_TAX) | {"Content-Type": "application/xml"}
    bad = world.client.post("/api/v1/payments/xml", content=tampered, headers=headers)
    assert bad.status_code == 401
    assert bad.json()["code"] == "bad_signature"
    other_key, other_cert = keypair()
    forged = xmlmsg.sign(data, key_pem=other_key, cert_pem=other_cert)
    assert world.client.post("/api/v1/payments/xml", content=forged, headers=headers).status_code == 401
    ok = world.client.post("/api/v1/payments/xml", content=signed, headers=headers)
    assert ok.status_code == 201, ok.text
    again = world.client.post("/api/v1/payments/xml", content=signed, headers=headers)
    assert again.status_code == 200
    assert again.json()["id"] == ok.json()["id"]
    settle(app)
    assert status(world, number) == "cleared"
