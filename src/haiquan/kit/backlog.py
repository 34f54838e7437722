"""Who goes first while a node works through a backlog. A link sending or applying a burst (the relay
reading full batches from the outbox, a parent fetching full batches from its hub stream) marks the node
`Busy`; the outbox dispatcher (read models, notifications, links: work that may come a moment later) then
paces itself with a `Pacer`: it keeps to a share of the time (a fifth: after a round of d seconds it
waits 4d), so that the link has the processor, the interpreter and the database first. It is never
stopped: a round (up to a thousand events) starts at least every `longest` seconds after the one before
ended, so local consumers keep up with a live flow while a backlog drains, and run back to back again as
soon as the link has caught up. Decision 0004."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Busy:
    """Marked by a link each time it takes a full batch; busy until `hold` seconds after the last mark."""

    hold: float = 0.5
    _until: float = 0.0

    def mark(self) -> None:
        self._until = time.monotonic() + self.hold

    def __call__(self) -> bool:
        return time.monotonic() < self._until


@dataclass
class Pacer:
    """Called before each round of background work. Returns at once unless `busy`; while busy, the work
    keeps to `share` of the time: after a round that took d seconds it waits d * (1 - share) / share
    (at most `longest`), or until nothing is busy any more, or `stop` is set."""

    busy: Callable[[], bool]
    share: float = 0.2
    longest: float = 2.0
    _took: float = 0.0  # the last round's duration
    _ended: float = 0.0
    _began: float = 0.0

    def round(self, stop: threading.Event) -> None:
        if self.busy():
            resume = self._ended + min(self.longest, self._took * (1 - self.share) / self.share)
            while self.busy() and not stop.is_set() and time.monotonic() < resume:
                stop.wait(min(resume - time.monotonic(), 0.05))
        self._began = time.monotonic()

    def ended(self) -> None:
        self._ended = time.monotonic()
        self._took = self._ended - self._began
