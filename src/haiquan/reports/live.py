"""In-process notice board for live refresh: the rollup consumer bumps a version after each commit;
server-sent-event streams wait on it and tell the page which units changed."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class Board:
    version: int = 0
    units: dict[int, frozenset[str]] = field(default_factory=dict)
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def bump(self, units: frozenset[str]) -> None:
        with self._cond:
            self.version += 1
            self.units[self.version] = units
            self.units.pop(self.version - 1000, None)
            self._cond.notify_all()

    def wait(self, seen: int, timeout: float) -> tuple[int, frozenset[str]]:
        """Block until a version newer than `seen` (or the timeout); return it and the units changed since."""
        with self._cond:
            self._cond.wait_for(lambda: self.version > seen, timeout=timeout)
            changed: set[str] = set()
            for v in range(max(seen + 1, self.version - 999), self.version + 1):
                changed |= self.units.get(v, frozenset())
            return self.version, frozenset(changed)


BOARD = Board()
