"""Evaluating a parsed risk rule (risk/criteria.py) against a declaration: line fields are read per line,
and a declaration matches when some line makes the whole expression true."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Protocol

from haiquan.risk.criteria import LINE_FIELDS, BoolOp, Compare, Node, Not, Rule, Watched


class Subject(Protocol):
    """What a rule reads: header fields, the lines, currency conversion and watch lists."""

    def header(self, field: str) -> str | Decimal: ...

    def line_count(self) -> int: ...

    def line(self, index: int, field: str) -> str | Decimal: ...

    def to_vnd(self, currency: str) -> Decimal: ...

    def watched(self, kind: str) -> bool: ...


def uses_line_fields(node: Node) -> bool:
    if isinstance(node, Compare):
        return node.field in LINE_FIELDS
    if isinstance(node, Not):
        return uses_line_fields(node.operand)
    if isinstance(node, BoolOp):
        return any(uses_line_fields(p) for p in node.operands)
    return False


def matches(rule: Rule | Node, subject: Subject) -> bool:
    node = rule.condition if isinstance(rule, Rule) else rule
    if not uses_line_fields(node):
        return _eval(node, subject, None)
    return any(_eval(node, subject, i) for i in range(subject.line_count()))


def _eval(node: Node, s: Subject, line: int | None) -> bool:
    if isinstance(node, BoolOp):
        if node.op == "and":
            return all(_eval(p, s, line) for p in node.operands)
        return any(_eval(p, s, line) for p in node.operands)
    if isinstance(node, Not):
        return not _eval(node.operand, s, line)
    if isinstance(node, Watched):
        return s.watched(node.kind)
    actual = (
        s.line(line, node.field) if node.field in LINE_FIELDS and line is not None else s.header(node.field)
    )
    return _compare(node, actual, s)


def _compare(node: Compare, actual: str | Decimal, s: Subject) -> bool:
    if isinstance(actual, Decimal):
        nums = [
            v.number * s.to_vnd(v.currency) if v.currency else v.number
            for v in node.values
            if v.number is not None
        ]
        if node.op == "in":
            return actual in nums
        return _order(node.op, actual, nums[0])
    text = str(actual).upper()
    if node.op == "in":
        return text in {v.text for v in node.values}
    if node.op == "starts":
        return text.startswith(node.values[0].text)
    return (text == node.values[0].text) == (node.op == "=")


def _order(op: str, a: Decimal, b: Decimal) -> bool:
    try:
        return {
            "=": a == b,
            "!=": a != b,
            "<": a < b,
            "<=": a <= b,
            ">": a > b,
            ">=": a >= b,
        }[op]
    except InvalidOperation:
        return False


def currencies(node: Node) -> set[str]:
    if isinstance(node, Compare):
        return {v.currency for v in node.values if v.currency}
    if isinstance(node, Not):
        return currencies(node.operand)
    if isinstance(node, BoolOp):
        return set().union(*(currencies(p) for p in node.operands))
    return set()
