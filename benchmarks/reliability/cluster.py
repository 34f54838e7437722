"""A private PostgreSQL cluster for the campaign: initdb into a temporary folder as the postgres OS user, a
free port on loopback, trust authentication; restarted mid-way by the partition phase, removed at the end."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks._support import free_port


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise SystemExit(f"no PostgreSQL server binaries found (/usr/lib/postgresql/*/bin/{name})")
    return found[-1]


def _as_postgres(args: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return args  # already an ordinary user: run the cluster as that user
    return ["runuser", "-u", "postgres", "--", *args]


class Cluster:
    def __init__(self, folder: Path, port: int) -> None:
        self.folder, self.port = folder, port
        self.data = folder / "data"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/haiquan"

    def _ctl(self, *args: str) -> None:
        cmd = _as_postgres(
            [_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "server.log"), *args]
        )
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, timeout=120)

    def init(self) -> None:
        cmd = [_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
               "--locale=C.UTF-8"]  # fmt: skip
        subprocess.run(_as_postgres(cmd), check=True, stdout=subprocess.DEVNULL, timeout=300)
        opts = (f"port = {self.port}\nlisten_addresses = '127.0.0.1'\nmax_connections = 300\n"
                f"unix_socket_directories = '{self.folder}'\nfsync = on\nshared_buffers = 128MB\n")  # fmt: skip
        with (self.data / "postgresql.conf").open("a") as f:
            f.write(opts)

    def start(self) -> None:
        self._ctl("-w", "-t", "120", "start")

    def stop(self, mode: str = "fast") -> None:
        self._ctl("-w", "-t", "120", "-m", mode, "stop")

    def restart(self) -> float:
        """Stop (fast: sessions cut, as a crash of the connections would) and start again; seconds taken."""
        t0 = time.monotonic()
        self.stop("fast")
        self.start()
        return time.monotonic() - t0

    def create_database(self) -> None:
        cmd = [_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "haiquan"]
        subprocess.run(cmd, check=True, timeout=120)


@contextmanager
def private_cluster() -> Iterator[Cluster]:
    folder = Path(tempfile.mkdtemp(prefix="haiquan-reliability-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")  # the postgres user writes the cluster and its socket here
    cluster = Cluster(folder, free_port())
    try:
        cluster.init()
        cluster.start()
        cluster.create_database()
        yield cluster
    finally:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            cluster.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)
