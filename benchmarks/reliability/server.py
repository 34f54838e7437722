"""The API under test: `haiquan serve --workers 2` on the private cluster, its processes found in /proc (the
uvicorn supervisor and its workers), killed with SIGKILL one worker at a time or all at once."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from benchmarks._support import free_port

# Load phases measure the server, not the per-caller limits (as benchmarks/_support does); the floods run
# as served, with every limit at its default.
UNLIMITED = {"HAIQUAN_RATE_LIMITS_ENABLED": "false"}


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            out.append(int(entry.name))
    return out


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Api:
    def __init__(self, url: str, data_dir: Path, env: dict[str, str] | None = None, workers: int = 2) -> None:
        self.url, self.data_dir, self.workers = url, data_dir, workers
        self.extra = env or {}
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data_dir / "server.log"

    def env(self) -> dict[str, str]:
        return dict(os.environ, HAIQUAN_DATABASE_URL=self.url, HAIQUAN_DATA_DIR=str(self.data_dir),
                    HAIQUAN_SECRET_KEY="r" * 40, HAIQUAN_LOG_LEVEL="WARNING", **self.extra)  # fmt: skip

    def start(self, wait: float = 600.0) -> float:
        """Start and wait until /healthz answers 200; seconds taken."""
        t0 = time.monotonic()
        cmd = [
            sys.executable,
            "-m",
            "haiquan.cli",
            "serve",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
        ]
        self.proc = subprocess.Popen(cmd, env=self.env(), start_new_session=True,
                                     stdout=self.log.open("ab"), stderr=subprocess.STDOUT)  # fmt: skip
        self.wait_healthy(wait)
        return time.monotonic() - t0

    def wait_healthy(self, wait: float) -> float:
        t0 = time.monotonic()
        while time.monotonic() - t0 < wait:
            try:
                if httpx.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return time.monotonic() - t0
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the server did not answer /healthz within {wait:.0f}s (log: {self.log})")

    def worker_pids(self) -> list[int]:
        if self.proc is None:
            return []
        return [p for p in _children(self.proc.pid) if b"resource_tracker" not in _cmdline(p)]

    def pids(self) -> list[int]:
        return ([self.proc.pid] if self.proc else []) + self.worker_pids()

    def rss_mib(self) -> float:
        return sum(rss_mib(p) for p in self.pids())

    def kill_worker(self) -> int:
        """SIGKILL one worker (the supervisor starts another); its pid."""
        victim = self.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        return victim

    def kill_all(self) -> None:
        """SIGKILL the supervisor and every worker at once (a crash of the whole host's service)."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.proc = None

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
        except ProcessLookupError:
            pass
        self.proc = None


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""
