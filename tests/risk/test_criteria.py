"""The criteria language: parsing, clear errors, printer/parser round trip, evaluation."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from haiquan.risk import criteria as c
from haiquan.risk import evaluation as ev

EXAMPLE = "hs starts 8703 and origin in (JP, KR) and unit_value < 2000 USD/unit -> red"


@dataclass
class Decl:
    head: dict[str, str | Decimal] = field(default_factory=dict)
    lines: list[dict[str, str | Decimal]] = field(default_factory=list)
    watch: set[str] = field(default_factory=set)

    def header(self, name: str) -> str | Decimal:
        return self.head.get(name, Decimal(0) if name in c.NUMBER_FIELDS else "")

    def line_count(self) -> int:
        return len(self.lines)

    def line(self, index: int, name: str) -> str | Decimal:
        return self.lines[index][name]

    def to_vnd(self, currency: str) -> Decimal:
        return {"USD": Decimal(25000)}[currency]

    def watched(self, kind: str) -> bool:
        return kind in self.watch


def car(hs: str, origin: str, uv: str) -> dict[str, str | Decimal]:
    return {"hs": hs, "origin": origin, "unit_value": Decimal(uv)}


def test_the_issue_example_parses_and_matches_one_line_with_every_condition() -> None:
    rule = c.parse(EXAMPLE)
    assert rule.action == c.Action(lane="red")
    cheap_jp = Decl(lines=[car("87032363", "JP", "40000000")])  # 1,600 USD
    assert ev.matches(rule, cheap_jp)
    dear_jp = Decl(lines=[car("87032363", "JP", "60000000")])
    assert not ev.matches(rule, dear_jp)
    # the conditions must hold on the same line, not spread over two
    split = Decl(lines=[car("87032363", "DE", "10"), car("85171300", "JP", "10")])
    assert not ev.matches(rule, split)


def test_header_fields_watch_lists_and_scores() -> None:
    rule = c.parse("(watched(enterprise) or compliance_class = low) and not office = 03CC -> score +30")
    assert rule.action == c.Action(score=30)
    d = Decl(head={"compliance_class": "LOW", "office": "01AB"})
    assert ev.matches(rule, d)
    d.head["office"] = "03CC"
    assert not ev.matches(rule, d)
    assert ev.matches(
        c.parse("value >= 1000000 and duties > 0 -> yellow"),
        Decl(head={"value": Decimal(10**6), "duties": Decimal(1)}),
    )


@pytest.mark.parametrize(
    ("text", "column", "expected"),
    [
        ("hs starts 8703 -> purple", 19, "red, yellow, blue, green or score"),
        ("colour = red -> red", 1, "one of"),
        ("hs starts 8703 and -> red", 20, "a field"),
        ("origin in (JP, KR -> red", 19, "',' or ')'"),
        ("unit_value < cheap -> red", 14, "a number for unit_value"),
        ("origin > JP -> red", 8, "=, !=, in or starts"),
        ("hs = 8703", 10, "'->'"),
        ("hs = 8703 -> score +500", 20, "-100..100"),
        ("hs = 8703 ; -> red", 11, "a field, value or operator"),
        ("watched(planet) -> red", 9, "one of enterprise"),
    ],
)
def test_errors_name_the_column_and_the_expected_token(text: str, column: int, expected: str) -> None:
    with pytest.raises(c.CriteriaError) as info:
        c.parse(text)
    assert info.value.column == column, str(info.value)
    assert expected in info.value.expected


def test_no_python_is_ever_evaluated() -> None:
    with pytest.raises(c.CriteriaError):
        c.parse("__import__('os').system('true') -> red")


# ---- round trip ---------------------------------------------------------------------------------
codes = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=1, max_size=6)
odd = st.text(alphabet="AB C-+/'", min_size=0, max_size=5)
numbers = st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False).map(str)


@st.composite
def compare(draw: st.DrawFn) -> c.Compare:
    if draw(st.booleans()):
        name = draw(st.sampled_from(sorted(c.NUMBER_FIELDS)))
        n = draw(numbers)
        if name == "unit_value" and draw(st.booleans()):
            cur = draw(st.sampled_from(["USD", "EUR"]))
            return c.Compare(
                name, draw(st.sampled_from(c.OPERATORS)), (c.Value(f"{n} {cur}/unit", Decimal(n), cur),)
            )
        if draw(st.booleans()):
            vals = draw(st.lists(numbers, min_size=1, max_size=3))
            return c.Compare(name, "in", tuple(c.Value(v, Decimal(v)) for v in vals))
        return c.Compare(name, draw(st.sampled_from(c.OPERATORS)), (c.Value(n, Decimal(n)),))
    name = draw(st.sampled_from(sorted(c.STRING_FIELDS)))
    texts = st.one_of(codes, odd).map(lambda s: s.upper())
    op = draw(st.sampled_from(["=", "!=", "starts", "in"]))
    vals = draw(st.lists(texts, min_size=1, max_size=3)) if op == "in" else [draw(texts)]
    return c.Compare(name, op, tuple(c.Value(v) for v in vals))


nodes = st.recursive(
    st.one_of(compare(), st.sampled_from(c.WATCH_KINDS).map(c.Watched)),
    lambda inner: st.one_of(
        inner.map(c.Not),
        st.tuples(st.sampled_from(["and", "or"]), st.lists(inner, min_size=2, max_size=3)).map(
            lambda t: c.BoolOp(t[0], tuple(t[1]))
        ),
    ),
    max_leaves=8,
)
actions = st.one_of(
    st.sampled_from(c.LANES).map(lambda lane: c.Action(lane=lane)),
    st.integers(-100, 100).map(lambda n: c.Action(score=n)),
)


@settings(max_examples=300, deadline=None)
@given(nodes, actions)
def test_printer_and_parser_round_trip(node: c.Node, action: c.Action) -> None:
    rule = c.Rule(node, action)
    text = c.show_rule(rule)
    assert c.parse(text) == rule, text
    assert c.show_rule(c.parse(text)) == text
