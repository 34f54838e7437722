"""Refusals of callers who have not shown who they are (a missing or wrong credential, a rate limit, a
throttled login), audited per source and minute: the first one of each (actor, action, source) in a
minute in full, the others of that minute as one entry with their count when the minute is over.

An audit entry per anonymous refusal let anyone fill the audit chain (and hold its lock) as fast as they
could send requests; now a flood from one address costs at most two entries a minute. The counts are kept
in the worker's memory until written (every few seconds, and when the worker stops): a worker killed
with -9 loses at most the counts of the minute it was in, never the first entry. Memory is bounded: beyond
`cap` tracked (actor, action, source), new sources are counted together under source `(many)`."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import structlog

from haiquan.kit import audit, threads
from haiquan.kit.db import Database

log = structlog.get_logger(__name__)

MANY = "(many)"
SAMPLES = 5  # distinct targets and reasons kept per minute


@dataclass
class Minute:
    minute: int
    first_written: bool = False
    count: int = 0
    targets: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def add(self, target: str, reason: str) -> None:
        self.count += 1
        if target not in self.targets and len(self.targets) < SAMPLES:
            self.targets.append(target)
        if reason not in self.reasons and len(self.reasons) < SAMPLES:
            self.reasons.append(reason)


Key = tuple[str, str, str]  # actor, action, source


class Refusals:
    def __init__(self, db: Database, *, cap: int = 10_000, now: Callable[[], float] = time.time) -> None:
        self.db, self.cap, self.now = db, cap, now
        self._lock = threading.Lock()
        self._open: dict[Key, Minute] = {}
        self._closed: list[tuple[Key, Minute]] = []
        self._firsts: list[dict[str, Any]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def count(self, *, actor: str, action: str, source: str, target: str, reason: str) -> bool:
        """Count a refusal; True when it is the first of its (actor, action, source) this minute: the
        caller writes it in full (`write`) now, or hands it to `later`."""
        minute = math.floor(self.now() / 60)
        with self._lock:
            key = (actor, action, source)
            if key not in self._open and len(self._open) >= self.cap:
                key = (actor, action, MANY)
            entry = self._open.get(key)
            if entry is not None and entry.minute != minute:
                self._closed.append((key, entry))
                entry = None
            if entry is None:
                entry = self._open[key] = Minute(minute)
            entry.add(target, reason)
            first = not entry.first_written
            entry.first_written = True
            return first

    def later(self, *, actor: str, action: str, source: str, target: str, reason: str) -> None:
        """Count a refusal from the event loop: no database work here, the first of the minute is
        written by the background flush within a second."""
        if self.count(actor=actor, action=action, source=source, target=target, reason=reason):
            with self._lock:
                self._firsts.append(
                    {"actor": actor, "action": action, "source": source, "target": target, "reason": reason}
                )

    def write(self, *, actor: str, action: str, source: str, target: str, reason: str) -> None:
        """One refusal in full, now (the caller's thread)."""
        with self.db.unit_of_work() as uow:
            _append_one(uow.session, actor, action, source, target, reason)
            uow.commit()

    def flush(self, *, everything: bool = False) -> int:
        """Write the firsts waiting and the counts of the minutes that are over (all of them with
        `everything`); how many entries were written."""
        minute = math.floor(self.now() / 60)
        with self._lock:
            firsts, self._firsts = self._firsts, []
            closed, self._closed = self._closed, []
            for key, entry in list(self._open.items()):
                if everything or entry.minute < minute:
                    closed.append((key, entry))
                    del self._open[key]
        summaries = [(k, m) for k, m in closed if m.count > 1]
        if not firsts and not summaries:
            return 0
        with self.db.unit_of_work() as uow:
            for f in firsts:
                _append_one(uow.session, f["actor"], f["action"], f["source"], f["target"], f["reason"])
            for (actor, action, source), m in summaries:
                _append_summary(uow.session, actor, action, source, m)
            uow.commit()
        return len(firsts) + len(summaries)

    def start(self, interval: float = 1.0) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threads.start(lambda: self._loop(interval), "hq-refusals")

    def _loop(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                self.flush()
            except Exception:
                log.exception("refusals_flush_failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        try:
            self.flush(everything=True)
        except Exception:
            log.exception("refusals_flush_failed")


def _append_one(session: Any, actor: str, action: str, source: str, target: str, reason: str) -> None:
    audit.append(
        session,
        actor=actor,
        action=action,
        target=target,
        outcome="refused",
        detail={"reason": reason, "client": source},
    )


def _append_summary(session: Any, actor: str, action: str, source: str, m: Minute) -> None:
    """The refusals of one minute after its first (written in full before)."""
    audit.append(
        session,
        actor=actor,
        action=action,
        target=m.targets[0] if len(m.targets) == 1 else "(several)",
        outcome="refused",
        detail={
            "client": source,
            "minute": datetime.fromtimestamp(m.minute * 60, UTC).isoformat(),
            "more": m.count - 1,  # besides the first, audited on its own
            "targets": m.targets,
            "reasons": m.reasons,
        },
    )
