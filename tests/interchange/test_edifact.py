"""The EDIFACT core: reading, positions, envelope checks, escapes, writing, CONTRL."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from haiquan.interchange import contrl, edifact
from haiquan.interchange.edifact import DEFAULT_UNA, Segment
from haiquan.interchange.errors import EdifactError, Syntax
from haiquan.interchange.writer import Outgoing, Writer, number
from haiquan.kit import clock

GOOD = (
    "UNA:+.? '"
    "UNB+UNOC:3+SENDER+HAIQUAN+261206:1200+REF1'"
    "UNH+1+CUSDEC:D:96B:UN'"
    "BGM+929+DOC?+1?:X+9'"
    "DTM+137:20261206:102'"
    "UNT+4+1'"
    "UNZ+1+REF1'"
)


def _err(text: str) -> EdifactError:
    with pytest.raises(EdifactError) as caught:
        edifact.parse(text)
    return caught.value


def test_reads_positions_and_release_characters() -> None:
    ic = edifact.parse(GOOD)
    assert (ic.syntax_id, ic.syntax_version, ic.sender, ic.control_ref) == ("UNOC", "3", "SENDER", "REF1")
    (m,) = ic.messages
    assert (m.type, m.version, m.release, m.reference) == ("CUSDEC", "D", "96B", "1")
    assert [(s.tag, s.position) for s in m.segments] == [("UNH", 1), ("BGM", 2), ("DTM", 3), ("UNT", 4)]
    assert m.segments[1].value(2) == "DOC+1:X"
    assert m.segments[2].value(1, 2) == "20261206"
    assert m.segments[2].value(4, 4) == ""


def test_without_una_and_with_line_breaks() -> None:
    ic = edifact.parse(GOOD.removeprefix("UNA:+.? '").replace("'", "'\r\n"))
    assert [s.tag for s in ic.messages[0].body] == ["BGM", "DTM"]


@pytest.mark.parametrize(
    ("text", "field", "code"),
    [
        (GOOD.replace("UNT+4", "UNT+5"), "message 1: segment 4 (UNT), element 1, component 1", 29),
        (GOOD.replace("UNT+4+1", "UNT+4+2"), "message 1: segment 4 (UNT), element 2, component 1", 28),
        (GOOD.replace("UNZ+1+REF1", "UNZ+2+REF1"), "segment 6 (UNZ), element 1, component 1", 29),
        (GOOD.replace("UNZ+1+REF1", "UNZ+1+REF9"), "segment 6 (UNZ), element 2, component 1", 28),
        (GOOD.replace("UNOC:3", "UNOC:9"), "segment 1 (UNB), element 1, component 2", 2),
        (GOOD.replace("UNOC:3", "XXXX:3"), "segment 1 (UNB), element 1, component 1", 2),
        (GOOD.replace("D:96B", "D:99Z"), "message 1: segment 1 (UNH), element 2, component 3", 2),
        (GOOD.replace("UNZ+1+REF1'", ""), "segment 6 (UNZ)", 13),
        (GOOD.replace("'DTM", "'BAD+1'DTM").replace("UNT+4", "UNT+5").replace("'UNH", "'XYZ'UNH"),
         "segment 2 (XYZ)", 15),
        (GOOD + "UNH+2+CUSDEC:D:96B:UN'", "segment 7 (UNH)", 15),
        (GOOD[:-5], "segment 6", 21),
        (GOOD[:-1] + "?'", "segment 6", 21),
        (GOOD.replace("'BGM", "'b?GM"), "segment 3", 21),
    ],
)  # fmt: skip
def test_envelope_errors_name_the_place(text: str, field: str, code: int) -> None:
    err = _err(text)
    assert err.field == field
    assert int(err.syntax) == code
    assert err.status == 422


def test_a_number_error_names_element_and_component() -> None:
    ic = edifact.parse(GOOD.replace("20261206", "2026x"))
    with pytest.raises(EdifactError) as caught:
        ic.messages[0].segments[2].decimal(1, 2, "date")
    assert caught.value.field == "message 1: segment 3 (DTM), element 1, component 2"
    assert caught.value.syntax is Syntax.INVALID_DECIMAL


def test_writer_round_trips_a_written_interchange() -> None:
    body = [
        Segment.of("BGM", "929", "A+B:C'D?E", "9"),
        Segment.of("FTX", "AAA", None, None, ("x", "", "y", "")),
    ]
    text = Writer().interchange(
        sender="HAIQUAN", recipient="BROKER", control_ref="77",
        messages=[Outgoing("M1", "CUSRES", body)], prepared=clock.now(),
    )  # fmt: skip
    ic = edifact.parse(text)
    got = ic.messages[0].body
    assert got[0].value(2) == "A+B:C'D?E"
    assert got[1].elements == (("AAA",), ("",), ("",), ("x", "", "y"))
    assert "FTX+AAA+++x::y'" in text


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FF), min_size=1, max_size=40))
def test_any_text_survives_write_and_read(value: str) -> None:
    text = Writer().interchange(
        sender="A", recipient="B", control_ref="1",
        messages=[Outgoing("1", "CUSRES", [Segment.of("FTX", "AAA", None, None, value.strip() or "x")])],
        prepared=clock.now(),
    )  # fmt: skip
    assert edifact.parse(text).messages[0].body[0].value(4) == (value.strip() or "x")


def test_number_is_plain() -> None:
    assert [number(x) for x in ("100", "1.2300", "0.0001", "1E+3", "-0")] == [
        "100",
        "1.23",
        "0.0001",
        "1000",
        "0",
    ]


def test_contrl_accepts_and_rejects_with_the_place() -> None:
    ic = edifact.parse(GOOD)
    ok = edifact.parse(contrl.acknowledge(ic, reference="R1"))
    body = ok.messages[0].body
    assert ok.messages[0].type == "CONTRL"
    assert [s.tag for s in body] == ["UCI", "UCM"]
    assert (body[0].value(4), body[1].value(3)) == ("7", "7")
    bad = edifact.parse(GOOD.replace("20261206", "2026x"))
    with pytest.raises(EdifactError) as caught:
        bad.messages[0].segments[2].decimal(1, 2, "date")
    no = edifact.parse(contrl.reject(caught.value, contrl.Received.of(bad), reference="R2")).messages[0].body
    assert [s.tag for s in no] == ["UCI", "UCM", "UCS", "UCD"]
    assert (no[0].value(4), no[2].value(1), no[3].value(2, 1)) == ("4", "3", "1")
    env = edifact.parse(contrl.reject(_err(GOOD.replace("UNZ+1+REF1", "UNZ+1+REF9")), contrl.Received(
        "REF1", "SENDER"), reference="R3")).messages[0].body  # fmt: skip
    assert [s.tag for s in env] == ["UCI"]
    assert (env[0].value(5), env[0].value(6), env[0].value(7, 1)) == ("28", "UNZ", "2")


SAFE = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x1FF, exclude_characters="+:'? \r\n"),
               max_size=8)  # fmt: skip
ELEMENTS = st.lists(st.lists(SAFE, min_size=1, max_size=4), max_size=5)


@given(
    st.lists(
        st.tuples(st.from_regex(r"\A[A-Z]{3}\Z").filter(lambda t: t != "UNA"), ELEMENTS),
        min_size=1,
        max_size=8,
    ),
    st.booleans(),
)
def test_plain_split_reads_what_pydifact_reads(
    segments: list[tuple[str, list[list[str]]]], breaks: bool
) -> None:
    """Without a release character the body is split by hand (edifact._split): the same segments as
    pydifact's tokenizer, empty and trailing empty components included."""
    sep = "'\r\n" if breaks else "'"
    body = sep.join(tag + "".join("+" + ":".join(comps) for comps in els) for tag, els in segments) + "'"
    text = "UNA:+.? '" + body
    assert list(edifact._split(body, DEFAULT_UNA)) == list(edifact._tokenized(text))
