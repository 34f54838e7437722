"""One process per database holds a background duty; another takes it over once the holder lets go (or
dies: the advisory lock goes with its connection, the file lock with its process)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from typing import Any

from haiquan.kit.db import Database
from haiquan.kit.leader import Leadership, run_duty

HOLD = """
import sys, time
from haiquan.kit.db import Database
from haiquan.kit.leader import Leadership
lead = Leadership(Database(sys.argv[1]), "duty")
print("held" if lead.held() else "refused", flush=True)
time.sleep(60)
"""


def test_one_holder_at_a_time_and_a_takeover(db: Database) -> None:
    first, second = Leadership(db, "duty"), Leadership(Database(db.url), "duty")
    assert first.held() is True
    assert first.held() is True  # still
    assert second.held() is False
    first.release()
    assert second.held() is True
    assert Leadership(db, "another duty").held() is True  # duties are independent
    second.release()


def _answer(out: Any) -> str:
    for line in out:  # log lines first
        if line.strip() in ("held", "refused"):
            return str(line.strip())
    return "nothing"


def test_a_killed_holder_lets_another_process_take_over(db: Database) -> None:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, db.url], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        said = _answer(proc.stdout)
        assert said == "held"
        here = Leadership(db, "duty")
        assert here.held() is False
        proc.kill()
        proc.wait(timeout=10)
        assert here.held() is True
        here.release()
    finally:
        proc.kill()


def test_a_duty_ticks_only_while_its_process_holds_it(db: Database) -> None:
    holder = Leadership(db, "ticking")
    assert holder.held()
    ticks: list[int] = []
    stop = threading.Event()
    thread = run_duty("ticking", 0.02, lambda: ticks.append(1), stop, Leadership(Database(db.url), "ticking"))
    time.sleep(0.3)
    assert ticks == []  # another process holds it
    holder.release()
    deadline = time.monotonic() + 5
    while not ticks and time.monotonic() < deadline:
        time.sleep(0.02)
    assert ticks  # taken over
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert Leadership(db, "ticking").held()  # released when the thread ended
