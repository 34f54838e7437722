"""Traffic as traders make it: declarations lodged and registered through the public HTTP API at a steady
rate, by the demo declarants' systems, with Idempotency-Keys and retries, as an integrator would."""

from __future__ import annotations

import csv
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

TARIFF_FILE = Path(__file__).resolve().parents[1] / "reference" / "data" / "tariff_vn_sample.csv"
PARTNERS = [("CN", "Shenzhen Huaqiang Electronics"), ("KR", "Busan Global Trading"), ("JP", "Osaka Machinery KK"),
            ("TH", "Siam Food Products"), ("US", "Pacific Northwest Apples Inc."), ("DE", "Rhein Maschinenbau GmbH")]  # fmt: skip
IMPORTERS = ["0101248141", "0302098785", "0100109106"]


def tariff_codes(path: Path = TARIFF_FILE) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        return [r["hs8"] for r in csv.DictReader(fh) if Decimal(r["mfn_rate"] or "0") < 50]


def random_declaration(rng: random.Random, codes: list[str], office: str = "01AB") -> dict[str, Any]:
    country, partner = rng.choice(PARTNERS)
    lines = []
    for hs in rng.sample(codes, k=rng.choice([1, 1, 2, 3, 8])):
        qty = rng.randint(1, 300)
        lines.append({"hs_code": hs, "description": f"Goods under {hs}", "origin_country": country, "quantity": str(qty),
                      "quantity_unit": "PCE", "net_mass_kg": str(qty * 2), "value": str(qty * rng.randint(5, 300))})  # fmt: skip
    total = sum(Decimal(x["value"]) for x in lines)
    return {
        "kind": "import", "office": office, "importer": {"tax_code": rng.choice(IMPORTERS)},
        "exporter": {"name": partner, "country": country}, "transport_mode": "air",
        "transport_document": f"738-{rng.randint(10**7, 10**8 - 1)}", "package_count": rng.randint(1, 30),
        "gross_mass_kg": str(rng.randint(5, 5000)),
        "invoice": {"currency": "USD", "amount": str(total), "incoterm": "CIF"}, "lines": lines,
    }  # fmt: skip


@dataclass
class Stats:
    statuses: Counter[str] = field(default_factory=Counter)
    channels: Counter[str] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return 0.0
        data = sorted(self.latencies_ms)
        return data[min(len(data) - 1, int(p / 100 * len(data)))]


def post(http: httpx.Client, url: str, body: Any, stats: Stats) -> httpx.Response | None:
    key = uuid.uuid4().hex
    for attempt in range(3):  # a timeout is retried with the same key: never lodged twice
        t0 = time.perf_counter()
        try:
            r = http.post(url, json=body, headers={"Idempotency-Key": key})
        except httpx.TransportError as exc:
            stats.errors[type(exc).__name__] += 1
            time.sleep(0.2 * (attempt + 1))
            continue
        stats.latencies_ms.append((time.perf_counter() - t0) * 1000)
        if r.status_code >= 400:
            stats.errors[f"{r.status_code} {r.json().get('code', '')}"] += 1
            return None
        return r
    return None


def one(http: httpx.Client, rng: random.Random, codes: list[str], stats: Stats) -> None:
    r = post(
        http, "/api/v1/declarations", random_declaration(rng, codes, rng.choice(["01AB", "03CC"])), stats
    )
    if r is None:
        return
    reg = post(http, f"/api/v1/declarations/{r.json()['number']}/register", None, stats)
    if reg is not None:
        d = reg.json()
        stats.statuses[d["status"]] += 1
        stats.channels[d["channel"]] += 1
