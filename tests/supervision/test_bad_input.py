"""Bad input from a terminal's or a carrier's system is a 4xx (or a message answered `error`) naming the
field to fix, never a 500: dates the database cannot store, counts beyond an integer column, rules over
several fields, and goods another operator holds."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.supervision.helpers import (
    CARRIER,
    TERMINAL,
    also_terminal_operator,
    bill,
    connect_terminal,
    container,
    manifest,
    msg,
    send,
)
from tests.support import World

C1 = container(11)


def _errors(out: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for r in out["results"] for e in r["errors"]]


def test_each_bad_message_names_its_field_and_the_good_ones_apply(world: World) -> None:
    connect_terminal(world)
    r = world.post("/api/v1/manifests", world.ent(CARRIER), manifest([bill("HPE0001", [(C1, "S1")])]))
    assert r.status_code == 201, r.text
    out = send(
        world,
        [
            msg("E-1", "gate_in", C1, at="9999-12-31T23:59:59-05:00"),
            msg("E-2", "gate_in", C1, at="0001-01-01T00:00:00+07:00"),
            msg("E-3", "gate_in", C1, at="2026-05-01T08:00:00"),
            msg("E-4", "gate_in", C1, at="2090-05-01T08:00:00+07:00"),
            msg("E-5", "gate_in", C1, package_count=10**20),
            msg("E-6", "gate_out", C1),
            msg("E-7", "gate_in", None),
            msg("E-8", "gate_in", None, cargo_type="bulk"),
            msg("E-9", "stock", None, items=[{}]),
            msg("E-10", "gate_in", container(11)[:-1] + "0"),
            msg("OK-1", "gate_in", C1, seal="S1"),
        ],
    )
    assert (out["applied"], out["errors"]) == (1, 10), out
    assert _errors(out) == [
        ("at", "invalid"),
        ("at", "invalid"),
        ("at", "invalid"),
        ("at", "invalid"),
        ("package_count", "invalid"),
        ("destination", "invalid"),
        ("container", "invalid"),
        ("goods_id", "invalid"),
        ("items[0]", "invalid"),
        ("container", "invalid"),
    ]


def test_a_malformed_batch_is_a_422_naming_the_message(world: World, client: TestClient) -> None:
    connect_terminal(world)
    r = client.post(
        "/api/v1/terminal-messages",
        headers=world.ent(TERMINAL),
        json={"messages": [msg("A", "stock", None), 7]},
    )
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["field"] == "messages[1]", r.json()


def test_a_manifest_arrival_out_of_range_is_a_422_on_that_field(world: World) -> None:
    for when in ("9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+07:00", "2026-05-01T08:00:00"):
        body = manifest([bill("HPE0002", [(C1, "S1")])], expected_arrival=when)
        r = world.post("/api/v1/manifests", world.ent(CARRIER), body)
        assert r.status_code == 422, (when, r.text)
        assert r.json()["field"] == "expected_arrival", (when, r.text)


def test_goods_another_operator_holds_are_an_error_on_the_container(world: World) -> None:
    connect_terminal(world)
    world.post("/api/v1/manifests", world.ent(CARRIER), manifest([bill("HPE0003", [(C1, "S1")])]))
    send(world, [msg("GI-1", "gate_in", C1, seal="S1")])
    also_terminal_operator(world, "0101248141")
    connect_terminal(world, tax_code="0101248141", location="03CCS02")
    out = send(
        world,
        [msg("Y-1", "gate_out", C1, seal="S1", destination="inland", location="03CCS02")],
        who="0101248141",
    )
    assert _errors(out) == [("container", "held_by_another_operator")]


def test_nul_characters_are_refused_not_a_500(world: World, client: TestClient) -> None:
    connect_terminal(world)
    r = world.post("/api/v1/manifests", world.ent(CARRIER), manifest([bill("HPE0004", [(C1, "S1")])]))
    assert r.status_code == 201, r.text
    nul = "A\x00B"
    for path in ("/api/v1/consignments/A%00B/status", "/api/v1/containers/MSCU%00000012/status"):
        assert client.get(path, headers=world.ent(TERMINAL)).status_code in (404, 422), path
    out = send(
        world,
        [
            msg("N\x00UL", "gate_in", C1),
            msg("N-2", "gate_in", C1, seal=nul),
            msg("N-3", "gate_in", None, cargo_type="package", goods_id=nul),
            msg("N-4", "gate_in", C1, location=nul),
            msg("N-5", "gate_in", C1) | {nul: 1},  # a NUL in a field's name (the stateful fuzz found it)
        ],
    )
    assert out["errors"] == 5, out
    assert out["applied"] == 0, out
    body = manifest([bill("HPE0005", [(container(12), "S\x001")])], reference="MV-9")
    r = world.post("/api/v1/manifests", world.ent(CARRIER), body)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "bills[0].containers[0].seal", r.text
    r = world.post(
        "/api/v1/manifests",
        world.ent(CARRIER),
        manifest([bill("HPE0005", [(container(12), "S1")])], reference="M\x00"),
    )
    assert r.status_code == 422, r.text


def test_a_bill_number_in_lower_case_finds_its_consignment(world: World) -> None:
    connect_terminal(world)
    world.post("/api/v1/manifests", world.ent(CARRIER), manifest([bill("HPE0006", [(C1, "S1")])]))
    out = send(world, [msg("LC-1", "gate_in", C1, goods_id="hpe0006 ", seal="S1")])
    assert out["applied"] == 1, out
