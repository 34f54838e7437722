"""Background threads named for the operating system too (Linux: `top -H`, `ps -L`, /proc/<pid>/task/*/comm
show which of a node's threads takes the processor: the dispatcher, the federation link, its workers).
Python names its threads for itself only; the OS name is set with prctl(PR_SET_NAME), 15 bytes at most,
best effort (another system, or no libc: nothing happens)."""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

PR_SET_NAME = 15


def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _prctl()


def name_this_thread(name: str) -> None:
    """Give the calling thread `name` for the operating system (the first 15 bytes)."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_NAME, name.encode()[:15])


def start(target: Callable[[], object], name: str) -> threading.Thread:
    """A daemon thread running `target`, named `name` for Python and for the operating system, started."""

    def run() -> None:
        name_this_thread(name)
        target()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread


def executor(name: str, workers: int | None = None) -> ThreadPoolExecutor:
    """A thread pool whose threads carry `name` for the operating system (asyncio.to_thread's pool)."""
    return ThreadPoolExecutor(
        workers, thread_name_prefix=name, initializer=name_this_thread, initargs=(name,)
    )
