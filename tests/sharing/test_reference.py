"""Reference data applied by its owning domains (decision 0037), on SQLite and PostgreSQL, without NATS: each
kind replaces its domain's tables in the caller's transaction and records the domain's event; an older or
equal version is refused and counted; a bad document is refused naming the field, nothing applied and its
version not recorded; a version in parts is applied only once every part is there."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from haiquan import cli
from haiquan.kit import clock
from haiquan.kit.auth import hash_password
from haiquan.kit.db import Database
from haiquan.kit.outbox import Event
from haiquan.kit.tables import OutboxEvent
from haiquan.organization import service as org
from haiquan.organization.tables import OfficerRow
from haiquan.reference.service import load_tariff
from haiquan.risk.tables import LaneRateRow, ProfileRow
from haiquan.risk.watchlist_tables import WatchListEntry
from haiquan.sharing import downward, handlers, reference
from haiquan.sharing import metrics as m
from haiquan.sharing.tables import NodeReferenceVersion, ReferencePart, ReferenceVersion
from haiquan.tariff import service as tariff
from haiquan.tariff.reference_data import tariff_document
from tests.support import UNITS, World


@pytest.fixture
def node(db: Database) -> Database:
    with db.unit_of_work() as uow:
        org.replace_units(uow.session, units=UNITS, actor="test")
        uow.commit()
    org.TREES.invalidate()
    return db


def apply(db: Database, kind: str, version: int, document: dict[str, Any]) -> bool:
    with db.unit_of_work() as uow:
        ok = reference.apply_reference(
            uow.session,
            kind=kind,
            version=version,
            document=document,
            published_by="officer:gdvc",
            node="01TE",
        )
        uow.commit()
    return ok


def events(db: Database, type_: str) -> list[dict[str, Any]]:
    with db.unit_of_work() as uow:
        rows = uow.session.scalars(
            select(OutboxEvent).where(OutboxEvent.type == type_).order_by(OutboxEvent.seq)
        )
        return [dict(r.payload) | {"unit": r.unit} for r in rows]


def refused(kind: str, why: str) -> float:
    return m.REFERENCE_REFUSED.labels(kind, why)._value.get()


def test_a_tariff_version_replaces_the_lines_and_prices_with_the_new_rate(node: Database) -> None:
    doc = tariff_document()
    hs8 = doc["lines"][0]["hs8"]
    assert apply(node, "tariff", 1, doc)
    doc["lines"][0]["mfn_rate"] = "12.5"
    assert apply(node, "tariff", 2, doc)
    with node.unit_of_work() as uow:
        assert tariff.rates_for(uow.session, hs8, field="hs").mfn == Decimal("12.5")
    assert [e["total"] for e in events(node, "tariff.lines_replaced")] == [len(doc["lines"])] * 2
    assert {e["unit"] for e in events(node, "sharing.reference_applied")} == {"01TE"}

    before = refused("tariff", "older")
    doc["lines"][0]["mfn_rate"] = "0"
    assert not apply(node, "tariff", 2, doc)  # equal: refused, counted, changes nothing
    assert not apply(node, "tariff", 1, doc)
    assert refused("tariff", "older") == before + 2
    with node.unit_of_work() as uow:
        assert tariff.rates_for(uow.session, hs8, field="hs").mfn == Decimal("12.5")
    assert [e["why"] for e in events(node, "sharing.reference_refused")] == ["older", "older"]


def test_a_bad_document_is_refused_naming_the_field_and_its_version_not_recorded(node: Database) -> None:
    doc = tariff_document()
    assert apply(node, "tariff", 1, doc)
    bad = json.loads(json.dumps(doc))
    bad["lines"][3]["mfn_rate"] = "lots"
    with node.unit_of_work() as uow, pytest.raises(reference.BadDocument) as exc:
        reference.apply_reference(uow.session, kind="tariff", version=2, document=bad, published_by="x")
    assert exc.value.field == "lines.3.mfn_rate"
    # through the REF stream's handler: refused, recorded as such, acknowledged (no exception)
    body = json.dumps({"kind": "tariff", "version": 2, "document": bad, "published_by": "x"}).encode()
    downward.apply_reference(node, body, lambda: None, node="01TE")
    with node.unit_of_work() as uow:
        assert uow.session.get(ReferenceVersion, "tariff").version == 1  # type: ignore[union-attr]
    (ev,) = events(node, "sharing.reference_refused")
    assert (ev["why"], ev["field"], ev["version"]) == ("bad", "lines.3.mfn_rate", 2)


def test_a_version_in_parts_is_applied_once_every_part_is_there(node: Database) -> None:
    doc = tariff_document()
    doc["lines"] = [line | {"hs8": f"{i:08d}"} for i in range(40) for line in doc["lines"][:1]]  # ~40 lines
    reference_chunk = reference.CHUNK_CHARS
    reference.CHUNK_CHARS = 1_000
    try:
        msgs = reference.messages("tariff", 7, doc, "officer:gdvc")
    finally:
        reference.CHUNK_CHARS = reference_chunk
    assert len(msgs) > 3
    assert all(len(body) < 2_000 for _, body in msgs)
    order = list(msgs)
    random.Random(4).shuffle(order)
    applied = []
    for _, body in order + order[:2]:  # out of order, two redelivered
        downward.apply_reference(node, body, lambda: applied.append(1), node="01TE")
    assert applied == [1]
    with node.unit_of_work() as uow:
        assert uow.session.get(ReferenceVersion, "tariff").version == 7  # type: ignore[union-attr]
        assert uow.session.scalar(select(func.count()).select_from(ReferencePart)) == 0
        assert tariff.rates_for(uow.session, "00000039", field="hs") is not None


def test_exchange_rates_round_trip_from_the_tables(node: Database) -> None:
    doc = {"rates": [{"currency": "USD", "valid_from": "2026-12-01", "vnd_per_unit": "25410"}]}
    assert apply(node, "exchange_rates", 1, doc)
    with node.unit_of_work() as uow:
        assert tariff.exchange_rate(uow.session, "USD", clock.today_vn(), field="c") == Decimal("25410")
        assert reference.export(uow.session, "exchange_rates")["rates"][0]["vnd_per_unit"].startswith("25410")
    with pytest.raises(reference.BadDocument) as exc:
        apply(
            node,
            "exchange_rates",
            2,
            {"rates": [{"currency": "usd", "valid_from": "2026-12-01", "vnd_per_unit": 1}]},
        )
    assert exc.value.field == "rates.0.currency"


def test_risk_profiles_and_lane_rates_are_replaced_and_bad_criteria_named(node: Database) -> None:
    profiles = [
        {"id": f"P-{i}", "name": f"profile {i}", "criteria": "hs starts 8703 -> red", "units": []}
        for i in range(3)
    ]
    lanes = [{"office": "*", "green": "60", "yellow": "30", "red": "10", "random_share": "2"}]
    assert apply(node, "risk_profiles", 1, {"profiles": profiles, "lane_rates": lanes})
    assert apply(node, "risk_profiles", 2, {"profiles": profiles[:2], "lane_rates": lanes})
    with node.unit_of_work() as uow:
        assert sorted(uow.session.scalars(select(ProfileRow.id))) == ["P-0", "P-1"]
        assert uow.session.get(LaneRateRow, "*").green == Decimal("60")  # type: ignore[union-attr]
        exported = reference.export(uow.session, "risk_profiles")
    assert [p["id"] for p in exported["profiles"]] == ["P-0", "P-1"]
    assert events(node, "risk.profiles_replaced")[-1]["profiles"] == 2
    bad = {"profiles": [profiles[0] | {"criteria": "hs ??? red"}]}
    with pytest.raises(reference.BadDocument) as exc:
        apply(node, "risk_profiles", 3, bad)
    assert exc.value.field == "profiles.0.criteria"


def test_the_watch_list_that_came_down_is_replaced_and_the_nodes_own_entries_stay(node: Database) -> None:
    with node.unit_of_work() as uow:
        uow.session.add(WatchListEntry(id="own", kind="country", value="KP", reason="local", source="case",
                                       unit="01TE", added_by="officer:x", added_at=clock.now()))  # fmt: skip
        uow.commit()
    entry = {"id": "w1", "kind": "hs_code", "value": "8703", "reason": "r", "source": "GDVC", "unit": "00",
             "added_by": "officer:gdvc"}  # fmt: skip
    assert apply(node, "watch_list", 1, {"entries": [entry, entry | {"id": "w2", "value": "8704"}]})
    assert apply(node, "watch_list", 2, {"entries": [entry]})
    with node.unit_of_work() as uow:
        assert sorted(uow.session.scalars(select(WatchListEntry.id))) == ["own", "w1"]
    with pytest.raises(reference.BadDocument) as exc:
        apply(node, "watch_list", 3, {"entries": [entry | {"kind": "planet"}]})
    assert exc.value.field == "entries.0.kind"
    # the publishing node applies its own document too: its own entries are not doubled
    with node.unit_of_work() as uow:
        exported = reference.export(uow.session, "watch_list")
    assert apply(node, "watch_list", 3, exported)
    with node.unit_of_work() as uow:
        assert sorted(uow.session.scalars(select(WatchListEntry.id))) == ["own", "w1"]


def test_a_document_breaking_a_constraint_is_refused_not_redelivered(node: Database) -> None:
    officer = {
        "id": "o-x",
        "username": "x1",
        "unit": "99ZZ",
        "role": "officer",
        "password_hash": hash_password("s3cret-pass-word"),
    }  # fmt: skip  (an unknown unit)
    body = json.dumps({"kind": "organization", "version": 1, "document": {"officers": [officer]},
                       "published_by": "x"}).encode()  # fmt: skip
    downward.apply_reference(node, body, lambda: None, node="01TE")  # no exception: acknowledged
    (ev,) = events(node, "sharing.reference_refused")
    assert (ev["why"], ev["field"]) == ("bad", "document")
    with node.unit_of_work() as uow:
        assert uow.session.get(ReferenceVersion, "organization") is None


def test_officers_flow_down_as_hashes_and_a_plaintext_password_is_refused(node: Database) -> None:
    officer = {"id": "o-down", "username": "down1", "full_name": "Nguyễn Văn A", "unit": "01TE",
               "role": "officer", "password_hash": hash_password("s3cret-pass-word")}  # fmt: skip
    enterprise = {"id": "e-down", "tax_code": "0101248141", "name": "Công ty A", "roles": ["importer"]}
    assert apply(node, "organization", 1, {"officers": [officer], "enterprises": [enterprise]})
    assert apply(node, "organization", 2, {"officers": [officer | {"role": "leader"}]})
    with node.unit_of_work() as uow:
        row = uow.session.scalar(select(OfficerRow).where(OfficerRow.username == "down1"))
        assert row is not None
        assert row.role == "leader"
        assert row.password_hash.startswith("$argon2")
        assert all("password" not in o for o in reference.export(uow.session, "organization")["officers"])
    with pytest.raises(reference.BadDocument) as exc:
        apply(node, "organization", 3, {"officers": [officer | {"password": "plain"}]})
    assert exc.value.field == "officers.0.password"
    with pytest.raises(reference.BadDocument) as exc:
        apply(node, "organization", 3, {"officers": [officer | {"password_hash": "plain"}]})
    assert exc.value.field == "officers.0.password_hash"
    with node.unit_of_work() as uow:
        assert uow.session.get(ReferenceVersion, "organization").version == 2  # type: ignore[union-attr]


def test_each_nodes_versions_are_kept_from_its_events(node: Database) -> None:
    def ev(type_: str, **payload: Any) -> Event:
        return Event("e", 1, type_, 1, "01AB", "s", clock.now(), "a", payload)

    with node.unit_of_work() as uow:
        handlers._versions_many(uow, [
            ev("sharing.reference_applied", kind="tariff", version=3, node="01AB"),
            ev("sharing.reference_applied", kind="tariff", version=2, node="01AB"),  # late: the newest stays
            ev("sharing.reference_refused", kind="tariff", version=1, node="01AB", why="older", field="", reason="v3 is held"),
        ])  # fmt: skip
        uow.commit()
    assert apply(node, "tariff", 1, tariff_document())
    with node.unit_of_work() as uow:
        row = uow.session.get(NodeReferenceVersion, ("01AB", "tariff"))
        assert row is not None
        assert (row.version, row.refused, row.last_refused_version) == (3, 1, 1)
        got = {(v["node"], v["kind"]): v["version"] for v in reference.versions(uow.session, "01TE")}
    assert got == {("01AB", "tariff"): 3, ("01TE", "tariff"): 1}


def test_the_status_shows_each_nodes_versions_in_the_callers_scope(world: World, app: Any) -> None:
    db: Database = app.state.db
    app.state.settings.unit = "01"
    with db.unit_of_work() as uow:
        reference.apply_reference(
            uow.session, kind="notice", version=4, document={}, published_by="x", node="01"
        )
        reference.note_versions(uow.session, [{"node": "01AB", "kind": "tariff", "version": 2},
                                              {"node": "03CC", "kind": "tariff", "version": 2}], refused=False)  # fmt: skip
        reference.note_versions(uow.session, [{"node": "01AB", "kind": "tariff", "version": 1, "why": "older"}],
                                refused=True)  # fmt: skip
        uow.commit()
    status = world.client.get("/api/v1/sharing/status", headers=world.off("hn_leader")).json()
    got = {(v["node"], v["kind"]): (v["version"], v["refused"]) for v in status["references"]}
    assert got == {("01", "notice"): (4, 0), ("01AB", "tariff"): (2, 1)}  # 03CC: outside Hanoi's scope
    page = world.client.get("/sharing", headers=world.off("hn_leader")).text
    assert "<td>01AB</td><td>tariff</td>" in page
    assert "(v1: older:" in page


def test_publish_reference_from_the_database_or_a_file(cli_db: Database, tmp_path: Path) -> None:
    """Without NATS (one node) the command applies at once: from the node's own tables, the next version
    by default; an older one refused; a file that fails its kind's schema refused naming the field."""
    with cli_db.unit_of_work() as uow:
        load_tariff(uow.session)
        uow.commit()
    run = CliRunner().invoke
    for expected in ("tariff v1 applied", "tariff v2 applied"):
        result = run(cli.app, ["sharing", "publish-reference", "tariff", "--from-database"])
        assert result.exit_code == 0, result.output
        assert expected in result.output
    result = run(cli.app, ["sharing", "publish-reference", "tariff", "--from-database", "--version", "1"])
    assert "tariff v1 refused" in result.output, result.output
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"lines": [{"hs8": "123"}]}))
    result = run(cli.app, ["sharing", "publish-reference", "tariff", str(bad)])
    assert result.exit_code == 2
    assert "lines.0.hs8" in result.output
    status = json.loads(run(cli.app, ["sharing", "status", "--json"]).output)
    assert [(v["kind"], v["version"]) for v in status["references"]] == [("tariff", 2)]


def test_procedure_codes_come_into_force_at_commit_and_at_a_process_start(node: Database) -> None:
    from haiquan.reference import procedures, reference_data
    from haiquan.reference.catalogue import ReferenceEvent

    with node.unit_of_work() as uow:
        doc = reference.export(uow.session, "procedure_codes")
    assert "Z99" not in procedures.procedure_codes()
    doc["codes"].append({"code": "Z99", "kind": "import", "name_vi": "Nhập thử nghiệm",
                         "name_en": "Trial import", "source": "Quyết định thử nghiệm"})  # fmt: skip
    try:
        assert apply(node, "procedure_codes", 1, doc)
        assert procedures.check_procedure_code("Z99", "import") == "Z99"
        (replaced,) = events(node, ReferenceEvent.PROCEDURE_CODES_REPLACED)
        assert replaced["total"] == len(doc["codes"])
        procedures.use(None)  # a new process: the shipped list, until it reads what this node applied
        with pytest.raises(ValueError, match="not a VNACCS procedure code"):
            procedures.check_procedure_code("Z99", "import")
        reference_data.load_applied(node)
        assert "Z99" in procedures.procedure_codes()
        without_default = {"codes": [c for c in doc["codes"] if c["code"] != "A11"]}
        with pytest.raises(reference.BadDocument) as exc:
            apply(node, "procedure_codes", 2, without_default)
        assert exc.value.field == "codes"
        twice = {"codes": [*doc["codes"], doc["codes"][0]]}
        with pytest.raises(reference.BadDocument) as exc:
            apply(node, "procedure_codes", 2, twice)
        assert exc.value.field == f"codes.{len(doc['codes'])}.code"
        assert "Z99" in procedures.procedure_codes()  # a refused version leaves the list in force
    finally:
        procedures.use(None)
