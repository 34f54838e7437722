"""Round trips: a generated declaration survives JSON -> EDIFACT -> JSON and JSON -> WCO XML -> JSON
unchanged (hypothesis), and the hand-written sample messages read, write and read again the same."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from haiquan.declarations.schemas import DeclarationIn
from haiquan.interchange import cusdec, cusdec_writer, edifact, wco
from haiquan.interchange.writer import Writer
from haiquan.kit import clock
from haiquan.reference.domain import PREFERENCE_SCHEMES

SAMPLES = Path(__file__).parent / "samples"
TAX = ["0101248141", "0100109106", "0300588569", "0200519875", "0100112437"]
COUNTRIES = ["CN", "VN", "US", "JP", "KR", "TH", "DE", "SG"]
CONTAINERS = ["MSCU1234566", "TGHU3344558", "CSQU3054383"]
# printable text: letters (Vietnamese too), digits, punctuation including EDIFACT's + : ' ? and XML's < & "
TEXT = (
    st.text(
        alphabet=st.characters(categories=["L", "N", "P", "S", "Zs"], exclude_characters="\x85\xa0"),
        min_size=1,
        max_size=60,
    )
    .map(str.strip)
    .filter(bool)
)


def _amount(lo: str = "0.0001") -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=Decimal(lo), max_value=Decimal("99999999"), places=4, allow_nan=False)


def _party(tax: bool) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"tax_code": st.sampled_from(TAX) if tax else st.none(), "country": st.sampled_from(COUNTRIES)},
        optional={"name": TEXT},
    )


LINE = st.fixed_dictionaries(
    {
        "hs_code": st.from_regex(r"\A[0-9]{8}\Z"),
        "description": TEXT,
        "origin_country": st.sampled_from(COUNTRIES),
        "quantity": _amount(),
        "quantity_unit": st.sampled_from(["PCE", "KGM", "LTR", "SET"]),
        "net_mass_kg": _amount("0"),
        "value": _amount(),
    },
    optional={
        "preference": st.fixed_dictionaries(
            {"scheme": st.sampled_from(PREFERENCE_SCHEMES)},
            optional={
                "certificate": st.from_regex(r"\A[A-Z0-9][A-Z0-9/\-]{2,20}\Z"),
                "criterion": st.sampled_from(["WO", "PE", "RVC", "CTH"]),
            },
        )
    },
)


@st.composite
def declarations(draw: st.DrawFn) -> DeclarationIn:
    kind = draw(st.sampled_from(["import", "export"]))
    data = {
        "kind": kind,
        "category": draw(st.sampled_from(["commercial", "low_value"])),
        "office": draw(st.from_regex(r"\A[0-9]{2}[A-Z0-9]{2,6}\Z")),
        "importer": draw(_party(kind == "import")) if kind == "import" or draw(st.booleans()) else None,
        "exporter": draw(_party(kind == "export")) if kind == "export" or draw(st.booleans()) else None,
        "transport_mode": draw(st.sampled_from(sorted(cusdec.MODE_CODE))),
        "transport_document": draw(st.none() | TEXT),
        "containers": draw(st.lists(st.sampled_from(CONTAINERS), max_size=3)),
        "package_count": draw(st.integers(0, 2_000_000)),
        "gross_mass_kg": draw(_amount("0")),
        "invoice": {
            "currency": draw(st.sampled_from(["USD", "EUR", "VND", "JPY"])),
            "amount": draw(_amount()),
            "incoterm": draw(st.sampled_from(["FOB", "CIF", "EXW", "DAP"])),
            "freight": draw(_amount("0")),
            "insurance": draw(_amount("0")),
        },
        "lines": draw(st.lists(LINE, min_size=1, max_size=4)),
    }
    return DeclarationIn.model_validate(data)


def _via_edifact(d: DeclarationIn) -> DeclarationIn:
    text = Writer().interchange(sender="A", recipient="HAIQUAN", control_ref="1", prepared=clock.now(),
                                messages=[cusdec_writer.message(d, reference="1", functional_reference="L")])  # fmt: skip
    back, _ = cusdec.read(edifact.parse(text).messages[0])
    return back


QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@QUICK
@given(declarations())
def test_json_edifact_json_is_unchanged(d: DeclarationIn) -> None:
    assert _via_edifact(d) == d
    assert _via_edifact(d).model_dump(mode="json") == d.model_dump(mode="json")


@QUICK
@given(declarations())
def test_json_wco_xml_json_is_unchanged(d: DeclarationIn) -> None:
    back, lrn, _ = wco.read(wco.write(d, functional_reference="LRN-9"))
    assert lrn == "LRN-9"
    assert back.model_dump(mode="json") == d.model_dump(mode="json")


def test_the_edifact_samples_read_and_round_trip() -> None:
    for path in sorted(SAMPLES.glob("cusdec-*.edi")):
        ic = edifact.parse(path.read_text(encoding="utf-8"))
        (msg,) = ic.messages
        d, reading = cusdec.read(msg)
        again = Writer(ic.una).interchange(
            sender=ic.sender, recipient=ic.recipient, control_ref=ic.control_ref, prepared=clock.now(),
            messages=[cusdec_writer.message(d, reference=msg.reference, functional_reference=reading.functional_reference,
                                            release=msg.release)],
        )  # fmt: skip
        back, _ = cusdec.read(edifact.parse(again).messages[0])
        assert back == d, path.name


def test_the_samples_say_what_they_declare() -> None:
    d, reading = cusdec.read(edifact.parse((SAMPLES / "cusdec-import-d96b.edi").read_text()).messages[0])
    assert reading.functional_reference == "BRK-2026-000123"
    assert (d.kind, d.office, d.transport_mode, d.transport_document) == (
        "import",
        "34CE",
        "sea",
        "HLCUDAD261200417",
    )
    assert d.invoice.amount == Decimal("18250.50")
    assert d.lines[1].description == "Apples, fresh: Fuji + Gala (20'kg cartons)"
    assert d.lines[1].preference is not None
    assert d.lines[1].preference.certificate == "E2612345678"
    exp, _ = cusdec.read(edifact.parse((SAMPLES / "cusdec-export-d01b.edi").read_text()).messages[0])
    assert (exp.kind, exp.procedure_code, exp.exporter and exp.exporter.tax_code) == (
        "export",
        "B11",
        "0101248141",
    )
    x, lrn, _ = wco.read((SAMPLES / "wco-declaration-import.xml").read_bytes())
    assert (lrn, x.office, len(x.lines), x.lines[0].hs_code) == ("BRK-2026-000124", "34CE", 2, "85171300")
    assert wco.read(wco.write(x, functional_reference=lrn))[0] == x
