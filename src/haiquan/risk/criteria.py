"""The criteria language of risk profiles: tokenizer, recursive-descent parser, AST, printer (the
evaluator is risk/evaluation.py).

    hs starts 8703 and origin in (JP, KR) and unit_value < 2000 USD/unit -> red
    watched(enterprise) or compliance_class = low -> score +30

Grammar (no `eval`, ever)::

    rule       := expr "->" action
    action     := "red" | "yellow" | "blue" | "green" | "score" ["+" | "-"] NUMBER
    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | primary
    primary    := "(" expr ")" | "watched" "(" KIND ")" | FIELD comparison
    comparison := OP value | "in" "(" value ("," value)* ")" | "starts" value
    value      := NUMBER [CURRENCY "/" "unit"] | WORD | STRING

Line fields (hs, origin, unit_value) are read per declaration line: a declaration matches when some line
makes the whole expression true, so `hs starts 8703 and origin = JP` means one line that is both."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

LANES = ("green", "blue", "yellow", "red")
STRING_FIELDS = frozenset(
    {
        "hs",
        "origin",
        "partner_country",
        "office",
        "declarant",
        "importer",
        "transport_mode",
        "procedure",
        "category",
        "compliance_class",
    }
)
# enterprise facts (risk.enterprise_facts) read for the declaration's importer, else exporter, else declarant
NUMBER_FIELDS = frozenset({"unit_value", "value", "duties", "finalisation_discrepancy_duty"})
FIELDS = STRING_FIELDS | NUMBER_FIELDS
LINE_FIELDS = frozenset({"hs", "origin", "unit_value"})
WATCH_KINDS = ("enterprise", "consignee", "route", "hs_code", "country")
OPERATORS = ("<=", ">=", "!=", "=", "<", ">")
KEYWORDS = frozenset({"and", "or", "not", "in", "starts", "watched"})


class CriteriaError(ValueError):
    """A criteria text that does not parse; carries the 1-based column and what was expected."""

    def __init__(self, message: str, column: int, expected: str) -> None:
        super().__init__(f"column {column}: {message} (expected {expected})")
        self.column = column
        self.expected = expected
        self.detail = message


# ---- tokens -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Token:
    kind: str  # word | number | string | op | punct | arrow | end
    text: str
    column: int


_TOKEN = re.compile(
    r"""(?P<ws>\s+)|(?P<arrow>->)|(?P<number>[+-]?\d+(?:\.\d+)?(?![\w.]))|(?P<op><=|>=|!=|=|<|>)"""
    r"""|(?P<punct>[(),/+-])|(?P<string>"[^"]*"|'[^']*')|(?P<word>[A-Za-z0-9_.]+)"""
)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise CriteriaError(f"unexpected character {text[pos]!r}", pos + 1, "a field, value or operator")
        kind = m.lastgroup or ""
        if kind != "ws":
            raw = m.group()
            tokens.append(Token(kind, raw[1:-1] if kind == "string" else raw, pos + 1))
        pos = m.end()
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


# ---- AST ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Value:
    text: str
    number: Decimal | None = None
    currency: str | None = None  # unit values given as "<n> USD/unit"


@dataclass(frozen=True)
class Compare:
    field: str
    op: str  # = != < <= > >= in starts
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Watched:
    kind: str


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class BoolOp:
    op: str  # and | or
    operands: tuple[Node, ...]


Node = Compare | Watched | Not | BoolOp


@dataclass(frozen=True)
class Action:
    lane: str | None = None
    score: int = 0


@dataclass(frozen=True)
class Rule:
    condition: Node
    action: Action


# ---- parser -------------------------------------------------------------------------------------
MAX_NESTING = 40  # parentheses and `not`s inside one another; deeper is refused, never a RecursionError


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    def nested(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise CriteriaError(
                f"nested deeper than {MAX_NESTING} levels", self.tok.column, "a flatter expression"
            )

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def fail(self, expected: str) -> CriteriaError:
        got = "end of text" if self.tok.kind == "end" else repr(self.tok.text)
        return CriteriaError(f"unexpected {got}", self.tok.column, expected)

    def take(self, kind: str, text: str | None = None, expected: str = "") -> Token:
        t = self.tok
        if t.kind != kind or (text is not None and t.text.lower() != text):
            raise self.fail(expected or repr(text or kind))
        self.i += 1
        return t

    def word(self, text: str) -> bool:
        if self.tok.kind == "word" and self.tok.text.lower() == text:
            self.i += 1
            return True
        return False

    def rule(self) -> Rule:
        cond = self.expr()
        self.take("arrow", expected="'->' and an action, or 'and'/'or'")
        action = self.action()
        self.take("end", expected="end of the rule")
        return Rule(cond, action)

    def action(self) -> Action:
        t = self.take("word", expected="red, yellow, blue, green or score")
        name = t.text.lower()
        if name in LANES:
            return Action(lane=name)
        if name != "score":
            self.i -= 1
            raise self.fail("red, yellow, blue, green or score")
        sign = 1
        if self.tok.kind == "punct" and self.tok.text in "+-":
            sign = -1 if self.take("punct").text == "-" else 1
        n = self.take("number", expected="the score points, e.g. score +20")
        if "." in n.text:
            raise CriteriaError("score points are whole numbers", n.column, "an integer")
        points = sign * int(n.text)
        if not -100 <= points <= 100:
            raise CriteriaError("score points must be between -100 and 100", n.column, "-100..100")
        return Action(score=points)

    def expr(self) -> Node:
        parts = [self.and_expr()]
        while self.word("or"):
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else BoolOp("or", tuple(parts))

    def and_expr(self) -> Node:
        parts = [self.not_expr()]
        while self.word("and"):
            parts.append(self.not_expr())
        return parts[0] if len(parts) == 1 else BoolOp("and", tuple(parts))

    def not_expr(self) -> Node:
        if self.word("not"):
            self.nested()
            node = Not(self.not_expr())
            self.depth -= 1
            return node
        return self.primary()

    def primary(self) -> Node:
        if self.tok.kind == "punct" and self.tok.text == "(":
            self.i += 1
            self.nested()
            node = self.expr()
            self.take("punct", ")", expected="')'")
            self.depth -= 1
            return node
        if self.word("watched"):
            self.take("punct", "(", expected="'(' after watched")
            kind = self.take("word", expected="a watch-list kind").text.lower()
            if kind not in WATCH_KINDS:
                self.i -= 1
                raise self.fail("one of " + ", ".join(WATCH_KINDS))
            self.take("punct", ")", expected="')'")
            return Watched(kind)
        t = self.tok
        if t.kind != "word" or t.text.lower() not in FIELDS:
            what = "unknown field " + repr(t.text) if t.kind == "word" else "a field"
            if t.kind == "word" and t.text.lower() not in KEYWORDS:
                raise CriteriaError(
                    what, t.column, "one of " + ", ".join(sorted(FIELDS)) + " or watched(...)"
                )
            raise self.fail("a field or watched(...)")
        self.i += 1
        return self.comparison(t.text.lower())

    def comparison(self, field: str) -> Compare:
        if self.word("in"):
            self.take("punct", "(", expected="'(' after in")
            values = [self.value(field)]
            while self.tok.kind == "punct" and self.tok.text == ",":
                self.i += 1
                values.append(self.value(field))
            self.take("punct", ")", expected="',' or ')'")
            return Compare(field, "in", tuple(values))
        if self.word("starts"):
            if field in NUMBER_FIELDS:
                self.i -= 1
                raise self.fail(f"a comparison operator: {field} is a number")
            return Compare(field, "starts", (self.value(field),))
        if self.tok.kind != "op":
            raise self.fail("=, !=, <, <=, >, >=, in or starts")
        op = self.take("op").text
        if op in ("<", "<=", ">", ">=") and field in STRING_FIELDS:
            self.i -= 1
            raise self.fail(f"=, !=, in or starts: {field} is a code")
        return Compare(field, op, (self.value(field),))

    def value(self, field: str) -> Value:
        t = self.tok
        if field in NUMBER_FIELDS:
            n = self.take("number", expected=f"a number for {field}")
            number = Decimal(n.text)
            after = self.tokens[min(self.i + 1, len(self.tokens) - 1)]
            if field == "unit_value" and self.tok.kind == "word" and after.text == "/":
                cur = self.take("word").text.upper()
                if not re.fullmatch(r"[A-Z]{3}", cur):
                    self.i -= 1
                    raise self.fail("a currency code such as USD")
                self.take("punct", "/", expected="'/unit' after the currency")
                self.take("word", "unit", expected="'unit'")
                return Value(f"{n.text} {cur}/unit", number, cur)
            return Value(n.text, number)
        if t.kind in ("word", "number") and t.text.lower() not in KEYWORDS:
            self.i += 1
            return Value(t.text.upper())
        if t.kind == "string":
            self.i += 1
            return Value(t.text.upper())
        raise self.fail(f"a value for {field}")


def parse(text: str) -> Rule:
    """Parse one rule; CriteriaError gives the column and the expected token."""
    if len(text) > 4000:
        raise CriteriaError("criteria longer than 4000 characters", 4001, "a shorter rule")
    return _Parser(text).rule()


# ---- printer ------------------------------------------------------------------------------------
def _fmt_value(v: Value) -> str:
    if v.number is not None:
        return v.text
    return (
        v.text
        if re.fullmatch(r"[A-Za-z0-9_.]+", v.text) and v.text.lower() not in KEYWORDS
        else f'"{v.text}"'
    )


def show(node: Node) -> str:
    if isinstance(node, Compare):
        if node.op == "in":
            return f"{node.field} in ({', '.join(_fmt_value(v) for v in node.values)})"
        return f"{node.field} {node.op} {_fmt_value(node.values[0])}"
    if isinstance(node, Watched):
        return f"watched({node.kind})"
    if isinstance(node, Not):
        return f"not {_wrap(node.operand)}"
    return f" {node.op} ".join(_wrap(p) for p in node.operands)


def _wrap(node: Node) -> str:
    return f"({show(node)})" if isinstance(node, BoolOp) else show(node)


def show_rule(rule: Rule) -> str:
    a = rule.action
    action = a.lane if a.lane else f"score {'+' if a.score >= 0 else '-'}{abs(a.score)}"
    return f"{show(rule.condition)} -> {action}"
