"""The nightly duty of tax accounts: once a day (asked every hour, one process per database), every
enterprise's position is recomputed from the ledger (`haiquan taxes recompute` does the same now)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from haiquan.kit.db import Database
from haiquan.kit.leader import Leadership, run_duty
from haiquan.kit.settings import Settings
from haiquan.taxes import service


@dataclass
class TaxesDuty:
    db: Database
    settings: Settings
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def run_once(self) -> int:
        """The positions recomputed (0: today's already are)."""
        with self.db.unit_of_work() as uow:
            if not service.recompute_due(uow.session):
                return 0
            n = service.recompute(uow.session, rate_per_day=self.settings.tax_late_interest_per_day)
            uow.commit()
        return n

    def start(self, interval: float = 3600.0, leadership: Leadership | None = None) -> None:
        if self._thread is None:
            self._thread = run_duty("taxes", interval, self.run_once, self._stop, leadership)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
