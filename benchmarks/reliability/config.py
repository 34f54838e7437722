"""Every duration and count of the campaign, from environment variables (docs/reliability.md lists them).

HAIQUAN_RELIABILITY_SCALE multiplies every duration and count at once (0.2 for a quick run); a phase's own
variable, when set, wins over the scaled default. The defaults keep the whole campaign under 30 minutes."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

PREFIX = "HAIQUAN_RELIABILITY_"


@dataclass(frozen=True)
class Config:
    capacity_s: float = 15.0  # each of the two capacity measures (lodgings, reads)
    kill_cycles: int = 4  # kill -9 cycles: one worker, then the whole server, alternately
    kill_interval_s: float = 12.0  # load between two kills
    storm_width: int = 50  # concurrent requests with one Idempotency-Key
    storm_rounds: int = 5  # storms per kind (lodging, payments)
    partition_s: float = 60.0  # the 10 minutes: HAIQUAN_RELIABILITY_PARTITION_S=600
    partition_rate: float = 3.0  # lodgings per second at the cut-off sub-department
    fuzz_examples: int = 6  # schemathesis examples per operation and role
    flood_reads: int = 500  # concurrent reads of the flood
    rapid_gets: int = 2000  # authenticated GETs as fast as they go: twice the burst of two workers (429)
    slow_clients: int = 20  # slowloris bodies
    soak_s: float = 300.0  # the 30 minutes: HAIQUAN_RELIABILITY_SOAK_S=1800
    sample_s: float = 10.0  # soak sampling period
    answer_timeout_s: float = 60.0  # no answer within this: unanswered
    recovery_limit_s: float = 10.0  # after a burst, /healthz and a read answer 200 again within this


SCALED = {"capacity_s", "kill_cycles", "kill_interval_s", "storm_rounds", "partition_s", "fuzz_examples",
          "flood_reads", "rapid_gets", "slow_clients", "soak_s"}  # fmt: skip
MINIMUM = {"kill_cycles": 2, "storm_rounds": 1, "fuzz_examples": 1, "flood_reads": 50, "rapid_gets": 100,
           "slow_clients": 2, "capacity_s": 3.0, "kill_interval_s": 4.0, "partition_s": 10.0, "soak_s": 30.0}  # fmt: skip


def load() -> Config:
    scale = float(os.environ.get(PREFIX + "SCALE", "1"))
    values: dict[str, float | int] = {}
    for f in fields(Config):
        default = f.default
        assert isinstance(default, (int, float))
        raw = os.environ.get(PREFIX + f.name.upper())
        if raw is not None:
            values[f.name] = type(default)(float(raw))
        elif f.name in SCALED and scale != 1:
            values[f.name] = type(default)(max(MINIMUM[f.name], default * scale))
    return Config(**values)  # type: ignore[arg-type]


def described(cfg: Config) -> dict[str, float | int]:
    return {f.name: getattr(cfg, f.name) for f in fields(Config)}
