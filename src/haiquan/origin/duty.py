"""The background duty of the e-C/O exchange: claims whose legal period passed without their certificate
go to MFN, and outgoing certificates not delivered yet are sent (one process per database)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from haiquan.kit import clock
from haiquan.kit.db import Database
from haiquan.kit.leader import Leadership, run_duty
from haiquan.kit.settings import Settings
from haiquan.origin import outgoing, repricing


@dataclass
class OriginDuty:
    db: Database
    settings: Settings
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def run_once(self) -> tuple[int, int]:
        """(claims sent to MFN, certificates delivered)."""
        with self.db.unit_of_work() as uow:
            expired = repricing.expire(uow.session, clock.today_vn())
            uow.commit()
        return expired, outgoing.send_pending(self.db, self.settings)

    def start(self, interval: float = 300.0, leadership: Leadership | None = None) -> None:
        if self._thread is None:
            self._thread = run_duty("origin", interval, self.run_once, self._stop, leadership)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
