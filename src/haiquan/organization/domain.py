"""The organisation as data: General Department → departments → sub-departments → teams."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

LEVELS = ("general", "department", "division", "subdepartment", "team")


@dataclass(frozen=True)
class Unit:
    code: str
    name_vi: str
    name_en: str
    level: str
    parent: str | None


class HierarchyError(ValueError):
    def __init__(self, message: str, *, row: int | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.row = row
        self.field = field


@dataclass
class UnitTree:
    units: dict[str, Unit]
    children: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, units: Iterable[Unit]) -> UnitTree:
        by_code = {u.code: u for u in units}
        children: dict[str, list[str]] = {}
        for u in by_code.values():
            if u.parent:
                children.setdefault(u.parent, []).append(u.code)
        for kids in children.values():
            kids.sort()
        return cls(by_code, children)

    def get(self, code: str) -> Unit | None:
        return self.units.get(code)

    def subtree(self, code: str) -> frozenset[str]:
        out: set[str] = set()
        stack = [code]
        while stack:
            c = stack.pop()
            if c in out:
                continue
            out.add(c)
            stack.extend(self.children.get(c, ()))
        return frozenset(out)

    def ancestors(self, code: str) -> list[str]:
        """From the unit up to the root, the unit itself first."""
        out = []
        seen = set()
        cur: str | None = code
        while cur and cur not in seen and cur in self.units:
            out.append(cur)
            seen.add(cur)
            cur = self.units[cur].parent
        return out

    def department_of(self, code: str) -> str | None:
        for c in self.ancestors(code):
            if self.units[c].level == "department":
                return c
        return None

    def roots(self) -> list[str]:
        return sorted(c for c, u in self.units.items() if not u.parent)


def validate_rows(rows: list[dict[str, str]]) -> list[Unit]:
    """Check a hierarchy file: unique codes, known levels, parents present, no cycles, one root."""
    units: list[Unit] = []
    seen: set[str] = set()
    for i, r in enumerate(rows, start=2):
        code = (r.get("code") or "").strip()
        if not code or len(code) > 16 or not code.isalnum():
            raise HierarchyError(f"row {i}: code must be 1 to 16 letters or digits", row=i, field="code")
        if code in seen:
            raise HierarchyError(f"row {i}: code {code} appears twice", row=i, field="code")
        seen.add(code)
        level = (r.get("level") or "").strip()
        if level not in LEVELS:
            raise HierarchyError(f"row {i}: level must be one of {', '.join(LEVELS)}", row=i, field="level")
        name = (r.get("name_vi") or "").strip()
        if not name:
            raise HierarchyError(f"row {i}: name_vi is empty", row=i, field="name_vi")
        parent = (r.get("parent") or "").strip() or None
        units.append(Unit(code, name, (r.get("name_en") or "").strip(), level, parent))
    _check_links(units)
    return units


def _check_links(units: list[Unit]) -> None:
    codes = {u.code for u in units}
    roots = [u for u in units if u.parent is None]
    if len(roots) != 1:
        raise HierarchyError(f"the hierarchy needs exactly one root, found {len(roots)}", field="parent")
    for u in units:
        if u.parent is not None and u.parent not in codes:
            raise HierarchyError(f"unit {u.code}: parent {u.parent} is not in the file", field="parent")
    tree = UnitTree.build(units)
    reachable = tree.subtree(roots[0].code)
    if len(reachable) != len(units):
        stray = sorted(codes - reachable)[:5]
        raise HierarchyError(f"units not under the root (a cycle?): {', '.join(stray)}", field="parent")


# Representation: an importer or exporter (the principal) lets a declarant (its representative, e.g. a customs
# agent) lodge declarations naming it as the party. Events of the organisation's catalogue:
REPRESENTATION_GRANTED = "organization.representation_granted"
REPRESENTATION_REVOKED = "organization.representation_revoked"
REPRESENTATION_KINDS = ("direct", "indirect")  # in the principal's name / in the representative's own name


def representation_in_force(
    *, valid_from: datetime, valid_until: datetime | None, revoked_at: datetime | None, at: datetime
) -> bool:
    """A representation covers `at` from `valid_from` (inclusive) until `valid_until` (exclusive) or its
    revocation, whichever comes first."""
    if at < valid_from or (valid_until is not None and at >= valid_until):
        return False
    return revoked_at is None or at < revoked_at
