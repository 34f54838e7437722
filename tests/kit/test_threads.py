"""Background threads carry their names for the operating system (Linux), so `top -H` and the benchmarks'
CPU accounting can tell the dispatcher from the federation link and its workers."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

from haiquan.kit import threads

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="thread names are read from /proc")


def os_names() -> set[str]:
    """The names of this process's threads; a thread that ends while they are read (another test's pool
    shutting down) is left out instead of failing the read."""
    names: set[str] = set()
    for task in Path("/proc/self/task").iterdir():
        try:
            names.add(task.joinpath("comm").read_text().strip())
        except FileNotFoundError:
            continue
    return names


@linux
def test_a_started_thread_is_named_for_the_system() -> None:
    release, seen = threading.Event(), threading.Event()

    def run() -> None:
        seen.set()
        release.wait(10)

    thread = threads.start(run, "hq-test-named")
    try:
        assert seen.wait(5)
        assert thread.name == "hq-test-named"
        assert thread.daemon
        assert "hq-test-named" in os_names()
    finally:
        release.set()
        thread.join(5)


@linux
def test_a_pool_names_its_workers_and_long_names_are_cut_to_fifteen_bytes() -> None:
    with threads.executor("hq-a-very-long-worker-name", 1) as pool:
        names = pool.submit(os_names).result(5)
    assert "hq-a-very-long-" in names
