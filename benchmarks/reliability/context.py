"""What every phase shares: the configuration, the private cluster, the seeded credentials, the API under
test and the results being gathered."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from benchmarks.reliability.cluster import Cluster
from benchmarks.reliability.config import Config
from benchmarks.reliability.server import Api
from benchmarks.reliability.workload import BANK, TERMINAL

# one officer per role of the demo (haiquan.demo.world.OFFICERS); the demo's password
OFFICERS = {"officer": "noibai_1", "subdepartment_leader": "noibai_lead", "department_leader": "cuc_hanoi",
            "analyst": "analyst", "administrator": "admin"}  # fmt: skip
OTHER_UNIT_OFFICER = "hp_kv1_1"  # 03CC: sees nothing of 01AB


@dataclass
class Ctx:
    cfg: Config
    cluster: Cluster
    folder: Path
    keys: dict[str, str] = field(default_factory=dict)
    password: str = ""
    vessel: dict[str, Any] = field(default_factory=dict)  # the demo's vessel: manifest, bills, containers
    tokens: dict[str, str] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)
    api: Api | None = None
    run_id: str = field(default_factory=lambda: time.strftime("%H%M%S"))

    def auth(self, who: str) -> dict[str, str]:
        """Headers of an enterprise (tax code, or 'bank:VCB') or an officer (username)."""
        token = self.keys.get(who) or self.tokens.get(who)
        assert token, f"no credentials for {who}"
        return {"Authorization": f"Bearer {token}"}

    @property
    def base(self) -> str:
        assert self.api is not None
        return self.api.base

    def note(self, phase: str, figures: dict[str, Any]) -> None:
        self.results.setdefault("phases", {})[phase] = figures
        (self.folder / "results.json").write_text(json.dumps(self.results, indent=2, default=str))


def haiquan(ctx: Ctx, *args: str) -> None:
    env = Api(ctx.cluster.url, ctx.folder).env()
    subprocess.run([sys.executable, "-m", "haiquan.cli", *args], env=env, check=True,
                   stdout=subprocess.DEVNULL, timeout=900)  # fmt: skip


def seed(ctx: Ctx) -> None:
    """Migrations and the demo world (officers, enterprises, banks, a vessel at the terminal)."""
    haiquan(ctx, "db", "upgrade")
    haiquan(ctx, "demo", "seed", "--declarations", "30")
    creds = json.loads((ctx.folder / "demo-credentials.json").read_text())
    ctx.keys, ctx.password, ctx.vessel = creds["api_keys"], creds["password"], creds["vessel"]
    assert TERMINAL in ctx.keys, sorted(ctx.keys)
    assert BANK in ctx.keys, sorted(ctx.keys)


def log_in(ctx: Ctx) -> None:
    """A token for each officer the phases use (the server must be up); a token that still works is kept."""
    for username in [*OFFICERS.values(), OTHER_UNIT_OFFICER]:
        if username in ctx.tokens:
            me = httpx.get(ctx.base + "/api/v1/me", headers=ctx.auth(username), timeout=60)
            if me.status_code == 200:
                continue
        r = httpx.post(ctx.base + "/api/v1/auth/token", data={"username": username, "password": ctx.password},
                       timeout=60)  # fmt: skip
        r.raise_for_status()
        ctx.tokens[username] = r.json()["access_token"]


def say(line: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {line}", flush=True)
