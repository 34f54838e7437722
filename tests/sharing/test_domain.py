"""Pure rules of federation: envelope, layout, agency projection, summary measures, generated configs."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from haiquan.kit.outbox import Event, default_subject
from haiquan.organization.domain import UnitTree
from haiquan.sharing import domain
from haiquan.sharing.domain import Agreement, EnvelopeError, NodeLayout
from haiquan.sharing.natsconf import NodeConfig, password_for
from tests.services import nats_server
from tests.support import UNITS

TREE = UnitTree.build(UNITS)


def ev(type_: str = "enforcement.seizure_recorded", unit: str = "01B1", **payload: object) -> Event:
    return Event(
        id="e" * 32,
        seq=7,
        type=type_,
        version=1,
        unit=unit,
        subject=default_subject(type_, unit),
        occurred_at=datetime(2026, 3, 1, 2, 0, tzinfo=UTC),
        actor="officer:nb_officer1",
        payload=dict(payload),
    )


def test_envelope_round_trip_keeps_every_field() -> None:
    e = ev(grams=12, persons=[{"name": "A"}])
    back = domain.decode(domain.encode(e), origin="01AB")
    assert back.id == e.id
    assert back.payload == e.payload
    assert back.occurred_at == e.occurred_at
    assert back.origin == "01AB"
    assert back.federated


def test_envelope_from_the_outbox_payload_text_is_the_same_envelope() -> None:
    e = ev(note='Hải quan "01" \\ \u2028', grams=12.5, persons=[{"name": "Nguyễn"}])
    text = json.dumps(e.payload, ensure_ascii=False, separators=(",", ":"))
    assert domain.encode_with_payload(e, text) == domain.encode(e)
    spaced = json.dumps(e.payload)  # as SQLite or PostgreSQL give the stored payload back
    assert domain.decode(domain.encode_with_payload(e, spaced)).payload == e.payload


def test_envelope_with_a_subject_that_lies_about_its_unit_is_refused() -> None:
    raw = domain.envelope(ev())
    raw["subject"] = "hq.ev.01.01TE.enforcement.seizure_recorded"
    with pytest.raises(EnvelopeError):
        domain.decode(__import__("json").dumps(raw).encode())
    with pytest.raises(EnvelopeError):
        domain.decode(b'{"id": "x"}')


def test_layout_of_a_department_with_two_child_nodes() -> None:
    layout = NodeLayout.build(TREE, "01", parent=None, children=["01AB", "01TE"])
    assert layout.own_units == {"01"}
    assert layout.child_units["01AB"] == {"01AB", "01B1", "01B3"}
    assert layout.child_of("01B3") == "01AB"
    assert layout.child_of("03CC") is None
    assert domain.unit_subjects(layout.own_units) == ["hq.ev.01.01.>"]
    with pytest.raises(ValueError, match="not below"):
        NodeLayout.build(TREE, "01", parent=None, children=["03CC"])


def test_agreement_covers_only_its_types_and_units_and_strips_personal_data() -> None:
    a = Agreement("BDBP", ("enforcement.*", "supervision.watch_hit"), frozenset(TREE.subtree("01AB")), ())
    assert a.covers(ev())
    assert a.covers(ev("supervision.watch_hit", "01AB"))
    assert not a.covers(ev(unit="01TE"))
    assert not a.covers(ev("declaration.registered"))
    out = a.project(ev(grams=12, persons=[{"name": "A"}], phone="0900"))
    assert out["payload"] == {"grams": 12}
    assert out["actor"] == ""
    named = Agreement("C03", ("enforcement.*",), frozenset({"01B1"}), ("grams", "persons"))
    assert named.project(ev(grams=1, persons=["p"], route="air"))["payload"] == {"grams": 1, "persons": ["p"]}


def test_measures_split_by_status_and_channel_and_sum_duties() -> None:
    rows = domain.measures(
        ev("declaration.registered", status="registered", channel="red", total_duties="1500.5")
    )
    assert rows == [
        ("", 1, Decimal("1500.5")),
        ("status:registered", 1, Decimal("1500.5")),
        ("channel:red", 1, Decimal("1500.5")),
    ]
    assert domain.measures(ev(amount=True)) == [("", 1, Decimal(0))]


def test_agreement_types_are_validated() -> None:
    assert domain.validate_agreement_types(["enforcement.*", "declaration.registered"]) == (
        "declaration.registered",
        "enforcement.*",
    )
    for bad in (["*"], ["a b"], [], ["declaration.nothing"], ["nothing.*"], ["declaration.register"]):
        with pytest.raises(ValueError, match=r"event type|named"):
            domain.validate_agreement_types(bad)
    with pytest.raises(ValueError, match=r"now named 'declaration\.registered'"):
        domain.validate_agreement_types(["declaration.register"])


@pytest.mark.parametrize(("unit", "parent", "children"), [("01", None, ["01AB", "01TE"]), ("01AB", "01", [])])
def test_generated_nats_config_is_accepted_by_nats_server(
    tmp_path: Path, unit: str, parent: str | None, children: list[str]
) -> None:
    layout = NodeLayout.build(TREE, unit, parent=parent, children=children)
    cfg = NodeConfig(
        layout=layout,
        secret="s" * 40,
        port=4333,
        leaf_port=7433 if children else None,
        parent_url="127.0.0.1:7433" if parent else None,
        store_dir=str(tmp_path / "js"),
        agencies=["BDBP"] if not parent else [],
    )
    text = cfg.render()
    assert password_for("s" * 40, "node_01AB") in text if parent else "leaf_01AB" in text
    if parent is None:
        assert '"hq.ref.>"' in text
        assert "agency_BDBP" in text
    else:
        assert '"hq.ref.>"' not in text
        assert '"hq.ev.01.01B1.>"' in text
        assert '"hq.ev.01.01TE.>"' not in text
    binary = nats_server()
    conf = tmp_path / "nats.conf"
    conf.write_text(text)
    res = subprocess.run([binary, "-t", "-c", str(conf)], capture_output=True, text=True, timeout=20)
    assert res.returncode == 0, res.stderr + res.stdout


def test_published_schema_describes_the_envelope() -> None:
    import json
    import re

    schema = json.loads((Path(__file__).parents[2] / "docs/schemas/event-envelope.schema.json").read_text())
    env = domain.envelope(ev(grams=1))
    env["id"] = "0123456789abcdef0123456789abcdef"
    assert set(schema["required"]) == set(env) == set(schema["properties"])
    for key, spec in schema["properties"].items():
        if "pattern" in spec:
            assert re.fullmatch(spec["pattern"].replace("^", "").replace("$", ""), str(env[key])), key
    assert env["envelope"] == schema["properties"]["envelope"]["const"]
