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
    successor: str | None = None  # set: the unit is dissolved and its records and officers follow this one


class HierarchyError(ValueError):
    def __init__(self, message: str, *, row: int | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.row = row
        self.field = field


@dataclass
class UnitTree:
    """The active units (`units`, `children`) and the dissolved ones, each held by its heir: its successor,
    else its last parent (`heirs`; `absorbed` the other way round). A unit's subtree holds the dissolved units
    whose heirs lead into it, so their records stay in the scope of whoever took them over."""

    units: dict[str, Unit]
    children: dict[str, list[str]] = field(default_factory=dict)
    heirs: dict[str, str] = field(default_factory=dict)
    absorbed: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, units: Iterable[Unit], dissolved: Iterable[Unit] = ()) -> UnitTree:
        by_code = {u.code: u for u in units}
        children: dict[str, list[str]] = {}
        for u in by_code.values():
            if u.parent:
                children.setdefault(u.parent, []).append(u.code)
        heirs = {
            u.code: heir for u in dissolved if u.code not in by_code and (heir := u.successor or u.parent)
        }
        absorbed: dict[str, list[str]] = {}
        for code, heir in heirs.items():
            absorbed.setdefault(heir, []).append(code)
        for kids in (*children.values(), *absorbed.values()):
            kids.sort()
        return cls(by_code, children, heirs, absorbed)

    def get(self, code: str) -> Unit | None:
        """An active unit (None for a dissolved or unknown code)."""
        return self.units.get(code)

    def heir(self, code: str) -> str | None:
        """The active unit now holding a unit's records: the unit itself while active, else the end of its
        chain of heirs (None for an unknown code)."""
        seen: set[str] = set()
        cur: str | None = code
        while cur is not None and cur not in self.units and cur not in seen:
            seen.add(cur)
            cur = self.heirs.get(cur)
        return cur if cur in self.units else None

    def subtree(self, code: str) -> frozenset[str]:
        """The unit, the active units under it and the dissolved units whose records it holds."""
        out: set[str] = set()
        stack = [code]
        while stack:
            c = stack.pop()
            if c in out:
                continue
            out.add(c)
            stack.extend(self.children.get(c, ()))
            stack.extend(self.absorbed.get(c, ()))
        return frozenset(out)

    def ancestors(self, code: str) -> list[str]:
        """From the unit up to the root, the unit itself first; a dissolved unit goes up through its heirs
        (what is recorded at it now counts for the units that hold it)."""
        out = []
        seen = set()
        cur: str | None = code
        while cur and cur not in seen and (cur in self.units or cur in self.heirs):
            out.append(cur)
            seen.add(cur)
            cur = self.units[cur].parent if cur in self.units else self.heirs[cur]
        return out

    def department_of(self, code: str) -> str | None:
        for c in self.ancestors(code):
            if c in self.units and self.units[c].level == "department":
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
        successor = (r.get("successor") or "").strip() or None
        units.append(Unit(code, name, (r.get("name_en") or "").strip(), level, parent, successor))
    _check_links(units)
    check_successors(units)
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
# agent) lodge declarations naming it as the party.
REPRESENTATION_KINDS = ("direct", "indirect")  # in the principal's name / in the representative's own name


def representation_in_force(
    *, valid_from: datetime, valid_until: datetime | None, revoked_at: datetime | None, at: datetime
) -> bool:
    """A representation covers `at` from `valid_from` (inclusive) until `valid_until` (exclusive) or its
    revocation, whichever comes first."""
    if at < valid_from or (valid_until is not None and at >= valid_until):
        return False
    return revoked_at is None or at < revoked_at


def check_successors(units: list[Unit]) -> None:
    """A unit with a successor is dissolved into it: the successor is another unit of the file, the chain of
    successors ends at an active unit (no cycle), and no active unit stays under a dissolved one."""
    by_code = {u.code: u for u in units}
    for u in units:
        if u.successor is None:
            continue
        if u.successor not in by_code:
            raise HierarchyError(
                f"unit {u.code}: successor {u.successor} is not in the file", field="successor"
            )
        if u.parent is None:
            raise HierarchyError(f"unit {u.code}: the root cannot be dissolved", field="successor")
        chain = [u.code]
        cur = by_code[u.successor]
        while cur.successor is not None and cur.code not in chain:
            chain.append(cur.code)
            cur = by_code[cur.successor]
        if cur.code in chain:
            cycle = " -> ".join([*chain[chain.index(cur.code) :], cur.code])
            raise HierarchyError(f"unit {u.code}: successors form a cycle ({cycle})", field="successor")
    for u in units:
        parent = by_code.get(u.parent or "")
        if u.successor is None and parent is not None and parent.successor is not None:
            raise HierarchyError(
                f"unit {u.code}: parent {parent.code} is dissolved (into {parent.successor})", field="parent"
            )
