"""CPU time spent by the processes of a benchmark, read from /proc (Linux): which process the machine's
cores went to during a phase. Processes are grouped by a label; PostgreSQL backends by their database."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

Labeller = Callable[[int, str], str | None]
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _seconds(after_name: str) -> float:
    """utime + stime, in seconds, from what follows the name in a /proc stat line."""
    fields = after_name.split()
    return (int(fields[11]) + int(fields[12])) / TICK


def _cpu(pid: int) -> float:
    """utime + stime of a process and its threads, in seconds (0 if it is gone)."""
    try:
        return _seconds(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1])
    except (OSError, IndexError):
        return 0.0


def _threads(pid: int) -> dict[str, float]:
    """CPU seconds so far of a process's threads, by thread name (threads of one name summed)."""
    out: dict[str, float] = {}
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return out
    for task in tasks:
        try:
            head, tail = (task / "stat").read_text().rsplit(")", 1)
        except OSError:
            continue
        name = head.split("(", 1)[1]
        out[name] = out.get(name, 0.0) + _seconds(tail)
    return out


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def snapshot(label: Labeller, by_thread: frozenset[str] = frozenset()) -> dict[object, tuple[str, float]]:
    """CPU seconds so far of every process `label` names (pid -> (label, seconds)); for the labels in
    `by_thread`, of each thread name instead ((pid, name) -> ("label: name", seconds))."""
    out: dict[object, tuple[str, float]] = {}
    if not Path("/proc/self/stat").exists():
        return out
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            pid = int(entry.name)
            name = label(pid, _cmdline(pid))
            if name in by_thread:
                for thread, secs in _threads(pid).items():
                    out[(pid, thread)] = (f"{name}: {thread}", secs)
            elif name is not None:
                out[pid] = (name, _cpu(pid))
    return out


def spent(
    before: dict[object, tuple[str, float]], after: dict[object, tuple[str, float]]
) -> dict[str, float]:
    """CPU seconds per label between two snapshots (a process started in between counts from zero)."""
    totals: dict[str, float] = {}
    for key, (name, secs) in after.items():
        totals[name] = totals.get(name, 0.0) + secs - before.get(key, (name, 0.0))[1]
    return totals


def postgres_database(cmdline: str) -> str | None:
    """The database a PostgreSQL backend serves ("postgres: [15/main: ]user db host(port) state"), else
    None (a background process: checkpointer, walwriter...)."""
    if not cmdline.startswith("postgres: "):
        return None
    parts = cmdline.split()
    for i in range(2, len(parts)):
        if "(" in parts[i] and parts[i].endswith(")"):
            return parts[i - 1]
    return None
