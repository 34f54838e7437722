"""Terminal operators' signing certificates: customs registers them (never the operator), each must name the
operator's tax code and carry its validity; customs revokes them; a batch with a message signed by a
revoked, expired, not yet valid or mismatched certificate is refused whole (403 problem+json naming the
key). SQLite and PostgreSQL; certificates made here with `cryptography`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from haiquan import cli
from haiquan.kit import clock
from haiquan.kit.db import Database, new_id
from haiquan.kit.tables import OutboxEvent
from haiquan.supervision.catalogue import SupervisionEvent
from haiquan.supervision.tables import OperatorKeyRow
from haiquan.supervision.xmlmessages import sign_batch
from tests.certificates import certificate
from tests.supervision.helpers import CARRIER, TERMINAL, bill, connect_terminal, container, manifest
from tests.supervision.test_xml_transit_alerts import xml_batch, xml_msg
from tests.support import World

C1, C2 = container(31), container(32)
NOW = dt.datetime.now(dt.UTC)


def keys_url(op: str) -> str:
    return f"/api/v1/terminal-operators/{op}/keys"


def register(world: World, op: str, name: str, cert: bytes, who: str = "hp_leader") -> Any:
    body = {"key_name": name, "certificate_pem": cert.decode()}
    return world.post(keys_url(op), world.off(who), body)


def send_signed(
    client: TestClient, world: World, key: bytes, name: str, mid: str, cont: str, seal: str
) -> Any:
    signed = sign_batch(
        xml_batch(xml_msg(mid, "gate_in", cont, seal)), key_pem=key, cert_pem=None, key_name=name
    )
    headers = {**world.ent(TERMINAL), "Content-Type": "application/xml"}
    return client.post("/api/v1/terminal-messages", content=signed, headers=headers)


def setup(world: World) -> str:
    op = connect_terminal(world)
    world.post(
        "/api/v1/manifests",
        world.ent(CARRIER),
        manifest([bill("HPK1", [(C1, "S1")]), bill("HPK2", [(C2, "S2")])]),
    )
    return op


def refused(r: Any, code: str) -> None:
    assert r.status_code == 403, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == code, r.text
    assert r.json()["field"] == "KeyName", r.text


def test_the_operator_cannot_register_its_own_certificate(world: World) -> None:
    op = setup(world)
    _, cert = certificate(TERMINAL)
    body = {"key_name": "gate-1", "certificate_pem": cert.decode()}
    r = world.post(keys_url(op), world.ent(TERMINAL), body)
    assert r.status_code == 403
    assert r.json()["code"] == "officers_only"
    assert (
        world.post(keys_url(op), world.off("hp_officer"), body).status_code == 403
    )  # not an administrative role
    assert (
        world.post(keys_url(op), world.off("nb_leader"), body).status_code == 404
    )  # another unit's operator


def test_registration_checks_the_subject_and_the_validity(world: World, client: TestClient) -> None:
    op = setup(world)
    _, other = certificate("MST:0100109106")  # someone else's tax code
    r = register(world, op, "gate-x", other)
    assert r.status_code == 422
    assert r.json()["code"] == "certificate_mismatch"
    assert r.json()["field"] == "certificate_pem"
    _, expired = certificate(
        TERMINAL, valid_from=NOW - dt.timedelta(days=400), valid_until=NOW - dt.timedelta(days=1)
    )
    assert register(world, op, "gate-x", expired).json()["code"] == "certificate_expired"
    _, by_serial = certificate("Cảng Hải Phòng", serial_number=f"MST:{TERMINAL}")
    ok = register(world, op, "gate-1", by_serial)
    assert ok.status_code == 201, ok.text
    assert ok.json()["not_after"]
    assert ok.json()["not_before"]
    assert ok.json()["revoked_at"] is None
    listed = client.get(keys_url(op), headers=world.ent(TERMINAL))  # the operator reads its own
    assert [k["key_name"] for k in listed.json()] == ["gate-1"]
    assert client.get(keys_url(op), headers=world.ent("0100109106")).status_code == 404  # not its operator


def test_a_revoked_certificate_signs_nothing(world: World, app: Any, client: TestClient) -> None:
    op = setup(world)
    key, cert = certificate(f"MST:{TERMINAL}")
    assert register(world, op, "gate-1", cert).status_code == 201
    first = send_signed(client, world, key, "gate-1", "K1", C1, "S1")
    assert first.status_code == 200, first.text
    assert first.json()["results"][0]["status"] == "applied", first.text
    body = {"reason": "the gate PC was stolen"}
    assert world.post(f"{keys_url(op)}/gate-1/revoke", world.off("hp_officer"), body).status_code == 403
    r = world.post(f"{keys_url(op)}/gate-1/revoke", world.off("hp_leader"), body)
    assert r.status_code == 200, r.text
    assert r.json()["revoked_at"], r.text
    refused(send_signed(client, world, key, "gate-1", "K2", C2, "S2"), "certificate_revoked")
    rejected = client.get("/api/v1/terminal-messages/rejected", headers=world.ent(TERMINAL)).json()
    assert not any(x["message_id"] == "K2" for x in rejected)  # nothing of the batch was applied or kept
    with app.state.db.unit_of_work() as uow:
        kinds = uow.session.scalars(
            select(OutboxEvent.type)
            .where(OutboxEvent.type.like("supervision.operator_key%"))
            .order_by(OutboxEvent.seq)
        )
        assert list(kinds) == [SupervisionEvent.OPERATOR_KEY_ADDED, SupervisionEvent.OPERATOR_KEY_REVOKED]


def test_an_expired_or_not_yet_valid_certificate_signs_nothing(world: World, client: TestClient) -> None:
    op = setup(world)
    key, cert = certificate(TERMINAL, valid_until=NOW + dt.timedelta(hours=1))
    assert register(world, op, "gate-1", cert).status_code == 201
    later_key, later = certificate(TERMINAL, valid_from=NOW + dt.timedelta(days=1))  # a planned rotation
    assert register(world, op, "gate-2", later).status_code == 201
    refused(send_signed(client, world, later_key, "gate-2", "K1", C1, "S1"), "certificate_not_yet_valid")
    clock.freeze(NOW + dt.timedelta(hours=2))
    refused(send_signed(client, world, key, "gate-1", "K1", C1, "S1"), "certificate_expired")


def test_a_certificate_naming_someone_else_registered_before_the_check_signs_nothing(
    world: World, app: Any, client: TestClient
) -> None:
    op = setup(world)
    key, cert = certificate("terminal")  # what `supervision keygen` made by default before
    with app.state.db.unit_of_work() as uow:
        uow.session.add(OperatorKeyRow(id=new_id(), operator_id=op, key_name="old", certificate_pem=cert.decode(),
                                       fingerprint="0" * 64, created_at=clock.now()))  # fmt: skip
        uow.commit()
    refused(send_signed(client, world, key, "old", "K1", C1, "S1"), "certificate_mismatch")


def test_the_command_line_registers_and_revokes(world: World, tmp_path: Any, cli_db: Database) -> None:
    setup(world)
    _, cert = certificate(TERMINAL)
    (tmp_path / "cert.pem").write_bytes(cert)
    run = CliRunner()
    args = [
        "supervision",
        "add-key",
        "--operator",
        TERMINAL,
        "--key-name",
        "gate-9",
        "--cert",
        str(tmp_path / "cert.pem"),
    ]
    r = run.invoke(cli.app, args)
    assert r.exit_code == 0, r.output
    assert "valid until" in r.output, r.output
    revoke = [
        "supervision",
        "revoke-key",
        "--operator",
        TERMINAL,
        "--key-name",
        "gate-9",
        "--reason",
        "retired",
    ]
    r = run.invoke(cli.app, revoke)
    assert r.exit_code == 0, r.output
    assert "revoked" in r.output, r.output
    _, other = certificate("0100109106")
    (tmp_path / "other.pem").write_bytes(other)
    r = run.invoke(cli.app, [*args[:-3], "gate-8", "--cert", str(tmp_path / "other.pem")])
    assert r.exit_code != 0, r.output
    assert "does not name tax code" in r.output, r.output
