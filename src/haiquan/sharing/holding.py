"""Who holds a federated node's link when several workers or hosts serve one node database (`haiquan serve
--workers N`, or `haiquan serve` on several hosts): exactly one process runs the link (sharing/node: the
relay, the reference consumer and, on a parent, the federation consumer), by the leadership the dispatcher
uses (kit/leader: a PostgreSQL advisory lock held by a session, a file lock beside a SQLite database).

Every process looks every second. The holder starts the link when it takes the leadership and stops it
when it loses it (its database session gone); the others stand by and one of them takes over once the
holder's lock is released: by the server when the holder's session ends (a process killed, a host gone
once PostgreSQL notices), by the operating system when a SQLite holder's process ends.

A process that takes over from another that may still be running (PostgreSQL: a holder whose connection
broke looks again only within a second) waits `grace` seconds before starting, so that the two links do
not overlap. Overlapping would lose nothing (the relay publishes with the event id as Nats-Msg-Id, the
consumers skip what was applied), but on a parent two pullers of one AckAll consumer could acknowledge each
other's batches. The holder writes its host and process id to `sharing_link_holders` when it takes the
link and every `beat` seconds (`haiquan sharing status`, GET /api/v1/sharing/status)."""

from __future__ import annotations

import os
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Protocol

import structlog

from haiquan.kit import threads
from haiquan.kit.db import Database
from haiquan.kit.leader import Leadership
from haiquan.sharing import metrics as m
from haiquan.sharing import repository

log = structlog.get_logger(__name__)
DUTY = "sharing-link"
HOST = socket.gethostname()[:255]


class Link(Protocol):
    def start(self) -> None: ...
    def stop(self) -> None: ...


@dataclass
class HeldLink:
    db: Database
    link: Link
    leadership: Leadership
    every: float = 1.0  # how often each process looks (the holder: is the lock still held?)
    beat: float = 5.0  # how often the holder writes that it still holds the link
    grace: float = 2.0  # PostgreSQL: wait before starting after another holder (see above)
    pid: int = field(default_factory=os.getpid)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _running: bool = False
    _since: float | None = None  # when this process took the leadership (monotonic)
    _wait: float = 0.0  # the grace this taking waits
    _beat_at: float = 0.0

    @property
    def holding(self) -> bool:
        """True while the link runs in this process."""
        return self._running

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threads.start(self._loop, "hq-link-lead")

    def stop(self) -> None:
        """Stop the link if this process holds it, give the leadership up (another takes it within a
        second) and stop looking."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=15)
            self._thread = None

    def _loop(self) -> None:
        try:
            while True:
                try:
                    self.tick()
                except Exception:
                    log.exception("link_leadership_failed")
                if self._stop.wait(self.every):
                    break
        finally:
            self._give_up()

    def tick(self) -> None:
        """One look: take the link, keep it, or stop it."""
        now = time.monotonic()
        if not self.leadership.held():
            if self._running:
                log.warning("link_lost", pid=self.pid)  # the database session, and the lock with it
                self._halt()
            self._since = None
            return
        if self._since is None:  # just taken: from whom?
            self._since = now
            self._wait = self._grace()
        if self._running:
            if now - self._beat_at >= self.beat:
                self._note(taken=False)
            return
        if now - self._since < self._wait:
            return
        self._note(taken=True)
        self.link.start()
        self._running = True
        m.LINK_HELD.set(1)
        m.LINK_TAKEN.inc()
        log.info("link_taken", pid=self.pid, host=HOST)

    def _grace(self) -> float:
        """The wait before starting: none on SQLite (a file lock is lost only with its process), none
        after a holder that gave the link up cleanly or after this process itself."""
        if self.db.dialect != "postgresql" or self.grace <= 0:
            return 0.0
        try:
            with self.db.reading() as uow:
                last = repository.unscoped_link_holder(uow.session, duty=DUTY)
        except Exception as exc:
            log.warning("link_holder_unknown", error=str(exc)[:200])
            return self.grace
        return 0.0 if last is None or (last.host, last.pid) == (HOST, self.pid) else self.grace

    def _note(self, *, taken: bool) -> None:
        self._beat_at = time.monotonic()
        try:
            with self.db.unit_of_work() as uow:
                repository.unscoped_note_link_holder(
                    uow.session, duty=DUTY, host=HOST, pid=self.pid, taken=taken
                )
                uow.commit()
        except Exception as exc:  # the status shows an older row; the link matters more
            log.warning("link_holder_not_written", error=str(exc)[:200])

    def _halt(self) -> None:
        self._running = False
        self.link.stop()
        m.LINK_HELD.set(0)

    def _give_up(self) -> None:
        if self._running:
            self._halt()
            try:
                with self.db.unit_of_work() as uow:
                    repository.unscoped_forget_link_holder(uow.session, duty=DUTY, host=HOST, pid=self.pid)
                    uow.commit()
            except Exception as exc:
                log.warning("link_holder_not_forgotten", error=str(exc)[:200])
            log.info("link_given_up", pid=self.pid)
        self.leadership.release()
