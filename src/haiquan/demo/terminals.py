"""A carrier and a terminal operator that behave like real ones, driving the public HTTP API: vessels
arrive with an e-manifest, their containers gate in, some are declared and cleared, most leave once they
may, some try to leave early and are refused."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from stdnum import iso6346

OWNERS = ("MSC", "MAE", "CMA", "OOL", "EVR", "HLX", "ONE", "COS", "YML", "ZIM")


def container_number(rng: random.Random) -> str:
    body = f"{rng.choice(OWNERS)}U{rng.randrange(10**6):06d}"
    return body + str(iso6346.calc_check_digit(body))


@dataclass
class Simulator:
    url: str
    carrier_key: str
    terminal_key: str
    location: str
    declarant_key: str | None = None
    office: str = "03CC"
    seed: int = 1
    say: Callable[[str], None] = print
    hs_code: str = "85171300"
    totals: dict[str, int] = field(
        default_factory=lambda: {
            "containers": 0,
            "applied": 0,
            "refused": 0,
            "errors": 0,
            "declared": 0,
            "left": 0,
        }
    )

    http: httpx.Client | None = None
    waiting: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        if self.http is None:
            logging.getLogger("httpx").setLevel(logging.WARNING)
            self.http = httpx.Client(base_url=self.url.rstrip("/"), timeout=30)
        self.n = 0

    def _post(self, path: str, key: str, body: Any) -> dict[str, Any]:
        assert self.http is not None
        r = self.http.post(path, json=body, headers={"Authorization": f"Bearer {key}"})
        if r.status_code >= 400:
            raise RuntimeError(f"POST {path}: {r.status_code} {r.text[:300]}")
        data: dict[str, Any] = r.json()
        return data

    def _msg(self, kind: str, number: str, seal: str, **extra: Any) -> dict[str, Any]:
        self.n += 1
        return {
            "message_id": f"SIM{self.seed}-{self.n:07d}",
            "kind": kind,
            "location": self.location,
            "at": datetime.now(UTC).isoformat(),
            "container": number,
            "seal": seal,
            **extra,
        }

    def _send(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = self._post("/api/v1/terminal-messages", self.terminal_key, {"messages": messages})
        for key in ("applied", "refused", "errors"):
            self.totals[key] += out[key]
        results: list[dict[str, Any]] = out["results"]
        return results

    def _manifest(self, v: int, count: int) -> list[dict[str, Any]]:
        bills = []
        for b in range(count):
            number, seal = container_number(self.rng), f"SL{self.rng.randrange(10**7):07d}"
            bills.append(
                {
                    "number": f"SIM{self.seed}V{v:03d}B{b:04d}",
                    "description": "Electronic parts",
                    "hs_codes": [self.hs_code[:6]],
                    "package_count": self.rng.randint(10, 400),
                    "gross_mass_kg": str(self.rng.randint(2000, 24000)),
                    "containers": [{"number": number, "seal": seal, "iso_type": "45G1"}],
                }
            )
        arrival = datetime.now(UTC) + timedelta(hours=self.rng.choice((30, 26, 10)))
        self._post(
            "/api/v1/manifests",
            self.carrier_key,
            {
                "reference": f"SIM{self.seed}-{v:03d}-{self.rng.randrange(10**6)}",
                "mode": "sea",
                "vessel": f"SIM VESSEL {v}",
                "voyage": f"{v:03d}N",
                "loading_port": "CNSHA",
                "discharge_port": "VNHPH",
                "location_code": self.location,
                "expected_arrival": arrival.isoformat(),
                "bills": bills,
            },
        )
        return bills

    def _declare(self, bill: dict[str, Any]) -> None:
        if not self.declarant_key:
            return
        c = bill["containers"][0]
        body = {
            "kind": "import",
            "office": self.office,
            "importer": {"tax_code": "0101248141"},
            "exporter": {"name": "Shenzhen Parts Co.", "country": "CN"},
            "transport_mode": "sea",
            "transport_document": bill["number"],
            "containers": [c["number"]],
            "package_count": bill["package_count"],
            "gross_mass_kg": bill["gross_mass_kg"],
            "invoice": {"currency": "USD", "amount": "5000", "incoterm": "CIF"},
            "lines": [
                {
                    "hs_code": self.hs_code,
                    "description": "Electronic parts",
                    "origin_country": "CN",
                    "quantity": "100",
                    "quantity_unit": "PCE",
                    "net_mass_kg": "100",
                    "value": "5000",
                }
            ],
        }
        try:
            number = self._post("/api/v1/declarations", self.declarant_key, body)["number"]
            self._post(f"/api/v1/declarations/{number}/register", self.declarant_key, None)
            self.totals["declared"] += 1
        except RuntimeError as exc:
            self.say(f"declaration refused: {exc}")

    def _may_leave(self, number: str) -> bool:
        assert self.http is not None
        r = self.http.get(
            f"/api/v1/containers/{number}/status", headers={"Authorization": f"Bearer {self.terminal_key}"}
        )
        return r.status_code == 200 and bool(r.json()["may_leave"])

    def vessel(self, v: int, count: int) -> None:
        bills = self._manifest(v, count)
        self.totals["containers"] += count
        self._send(
            [self._msg("gate_in", b["containers"][0]["number"], b["containers"][0]["seal"]) for b in bills]
        )
        early = [b for b in bills if self.rng.random() < 0.15]
        if early:
            self._send(
                [
                    self._msg(
                        "gate_out",
                        b["containers"][0]["number"],
                        b["containers"][0]["seal"],
                        destination="inland",
                    )
                    for b in early
                ]
            )
        for b in bills:
            if self.rng.random() < 0.6:
                self._declare(b)
        self.waiting += bills
        left = self.release()
        self.say(f"vessel {v}: {count} containers in, {len(early)} early exit attempts, {left} left")

    def release(self) -> int:
        """Every container still in the yard that may leave now leaves (as a terminal polls its queue)."""
        leaving = [b for b in self.waiting if self._may_leave(b["containers"][0]["number"])]
        if not leaving:
            return 0
        out = [
            self._msg(
                "gate_out", b["containers"][0]["number"], b["containers"][0]["seal"], destination="inland"
            )
            for b in leaving
        ]
        results = self._send(out)
        applied = [b for b, r in zip(leaving, results, strict=True) if r["status"] == "applied"]
        self.totals["left"] += len(applied)
        self.waiting = [b for b in self.waiting if b not in applied]
        return len(applied)

    def run(self, *, vessels: int, containers: int) -> dict[str, int]:
        for v in range(1, vessels + 1):
            self.vessel(v, containers)
        self.release()
        return self.totals
