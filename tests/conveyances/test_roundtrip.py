"""JSON → EDIFACT → JSON: a generated report survives PAXLST and a generated manifest survives CUSCAR,
special characters (the separators and the release character) included. Times travel to the minute."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import iso6346

from haiquan.cargo.schemas import ManifestIn
from haiquan.conveyances import cuscar, paxlst
from haiquan.conveyances.schemas import ConveyanceIn
from haiquan.interchange import edifact

SAMPLES = Path(__file__).parent / "samples"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZĐĂÂÊÔƠƯÁÀẢÃẠÉÈÓÒỐỒỚỜÚÙỨỪÍÌÝ"
word = st.text(alphabet=LETTERS + "'-?:+", min_size=1, max_size=12).filter(lambda w: w.strip("'-") != "")
names = st.lists(word, min_size=0, max_size=3).map(" ".join)
minute = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
).map(lambda d: d.replace(second=0, microsecond=0))
dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))
doc = st.text(alphabet="ABCDEFGHJKLMNPRSTUVWXYZ0123456789", min_size=5, max_size=12)


@st.composite
def people(draw: Any, n: int) -> list[dict[str, Any]]:
    out = []
    for _ in range(n):
        out.append({
            "family_name": draw(word),
            "given_names": draw(names),
            "date_of_birth": draw(st.none() | dates),
            "sex": draw(st.sampled_from("MFX")),
            "nationality": draw(st.sampled_from(["VNM", "KOR", "GBR", "USA"])),
            "document_type": draw(st.sampled_from(["P", "I", "AC", "S"])),
            "document_number": draw(doc),
            "document_country": draw(st.sampled_from(["VNM", "JPN"])),
            "document_expiry": draw(st.none() | dates),
            "seat": draw(st.sampled_from(["", "12A", "B4"])),
            "embarkation_port": draw(st.sampled_from([None, "CNSHA", "KRSEL"])),
            "disembarkation_port": draw(st.sampled_from([None, "VNHPH", "VNHAN"])),
        })  # fmt: skip
    return out


@st.composite
def reports(draw: Any) -> ConveyanceIn:
    sea = draw(st.booleans())
    arrival = draw(st.booleans())
    far, home = draw(st.sampled_from(["CNSHA", "KRSEL", "SGSIN"])), draw(st.sampled_from(["VNHPH", "VNHAN"]))
    passengers, crew = draw(people(draw(st.integers(0, 4)))), draw(people(draw(st.integers(0, 3))))
    body = {
        "reference": draw(st.text(alphabet="ABC123-/", min_size=1, max_size=20)),
        "direction": "arrival" if arrival else "departure", "mode": "sea" if sea else "air",
        "craft_id": "9074729" if sea else draw(st.sampled_from(["VN-A867", "HL7781"])),
        "craft_name": draw(names), "voyage": "0426N" if sea else draw(st.sampled_from(["VN311", "HVN1234"])),
        "departure_port": far if arrival else home, "arrival_port": home if arrival else far,
        "scheduled_at": draw(minute), "crew_count": len(crew), "passenger_count": len(passengers),
        "crew": crew, "passengers": passengers,
    }  # fmt: skip
    return ConveyanceIn.model_validate(body)


@settings(max_examples=60, deadline=None)
@given(reports())
def test_a_report_survives_paxlst(report: ConveyanceIn) -> None:
    text = paxlst.write(
        report, sender="CARRIER", control_ref="42", prepared=datetime(2026, 12, 6, tzinfo=UTC)
    )
    back, _ = paxlst.read(edifact.parse(text))
    assert back == report


def _container(n: int) -> str:
    body = f"MSCU{n:06d}"
    return body + str(iso6346.calc_check_digit(body))


@st.composite
def bills(draw: Any, i: int) -> dict[str, Any]:
    kind = draw(st.sampled_from(["container", "package", "bulk", "liquid"]))
    containers = [{"number": _container(i * 10 + k), "seal": draw(doc), "iso_type": draw(st.sampled_from(["", "22G1"]))}
                  for k in range(draw(st.integers(1, 3)))] if kind == "container" else []  # fmt: skip
    return {
        "number": f"BL{i:04d}{draw(doc)}", "master_bill": draw(st.none() | doc), "cargo_type": kind,
        "purpose": draw(st.sampled_from(["import", "export", "transit", "transshipment"])),
        "consignee_tax_code": draw(st.sampled_from([None, "0101248141"])), "consignee_name": draw(names),
        "description": draw(st.text(alphabet=LETTERS + " '+:?.,", min_size=1, max_size=1200)).strip() or "X",
        "hs_codes": draw(st.lists(st.sampled_from(["8517", "630900", "85171300"]), max_size=3)),
        "package_count": draw(st.integers(0, 10_000)),
        "gross_mass_kg": draw(st.decimals(min_value=Decimal("0.001"), max_value=Decimal("99999999"), places=3)),
        "containers": containers,
    }  # fmt: skip


@st.composite
def manifests(draw: Any) -> ManifestIn:
    n = draw(st.integers(1, 4))
    body = {
        "reference": draw(st.text(alphabet="ABC123-", min_size=1, max_size=20)), "mode": draw(st.sampled_from(["sea", "air"])),
        "vessel": draw(word), "voyage": "0426N", "loading_port": "CNSHA", "discharge_port": "VNHPH",
        "location_code": "03CCS01", "short_voyage": draw(st.booleans()), "expected_arrival": draw(minute),
        "bills": [draw(bills(i)) for i in range(n)],
    }  # fmt: skip
    return ManifestIn.model_validate(body)


@settings(max_examples=60, deadline=None)
@given(manifests(), st.booleans())
def test_a_manifest_survives_cuscar(manifest: ManifestIn, replace: bool) -> None:
    text = cuscar.write(manifest, sender="CARRIER", control_ref="7", prepared=datetime(2026, 12, 6, tzinfo=UTC),
                        replace=replace)  # fmt: skip
    [(back, _, replaced)] = cuscar.read(edifact.parse(text))
    assert back == manifest
    assert replaced is replace


def test_the_samples_read_write_and_read_the_same() -> None:
    for name in ("paxlst_air_passengers.edi", "paxlst_sea_crew.edi"):
        first, _ = paxlst.read(edifact.parse((SAMPLES / name).read_text(encoding="utf-8")))
        again = paxlst.write(first, sender="X", control_ref="1", prepared=datetime(2026, 12, 6, tzinfo=UTC))
        assert paxlst.read(edifact.parse(again))[0].model_dump(
            exclude={"crew", "crew_count"} if "air" in name else set()
        ) == first.model_dump(exclude={"crew", "crew_count"} if "air" in name else set())
    [(m, _, _)] = cuscar.read(edifact.parse((SAMPLES / "cuscar_sea.edi").read_text(encoding="utf-8")))
    again = cuscar.write(m, sender="X", control_ref="1", prepared=datetime(2026, 12, 6, tzinfo=UTC))
    assert cuscar.read(edifact.parse(again))[0][0] == m
