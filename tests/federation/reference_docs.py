"""Full-size reference documents for the federation tests and benchmarks/reference_fanout.py. The repository
ships a sample of the national tariff (reference/data/tariff_vn_sample.csv, 243 lines) and the whole HS 2022
nomenclature: a national tariff of the real size (about 11,000 lines) is built from every HS 6-digit
subheading, split in two national lines (…10 and …90, as the Vietnamese tariff often does), with the rates
of the sample's lines taken in turn."""

from __future__ import annotations

from typing import Any

from haiquan.reference import domain
from haiquan.tariff.reference_data import tariff_document


def national_tariff(lines: int = 11_000) -> dict[str, Any]:
    sample = tariff_document()["lines"]
    six = [e for e in domain.read_hs() if e.level == 6]
    out: list[dict[str, Any]] = []
    for e in six:
        for split in ("10", "90"):
            if len(out) == lines:
                return {"lines": out}
            rates = sample[len(out) % len(sample)]
            out.append(
                rates
                | {
                    "hs8": e.code + split,
                    "description_en": e.description[:480],
                    "description_vi": f"{e.description[:440]} (dòng {split})",
                }
            )
    return {"lines": out}


def risk_profiles(n: int = 5_000) -> dict[str, Any]:
    """`n` profiles, each with criteria of its own (no two alike: each is parsed at every node)."""
    crit = (
        "hs starts {h} -> red",
        "origin = CN and hs starts {h} -> yellow",
        "hs starts {h} and value > {v} -> red",
    )
    profiles = [
        {"id": f"P-{i:05d}", "name": f"Hồ sơ rủi ro {i}", "units": [],
         "criteria": crit[i % len(crit)].format(h=f"{1 + i % 97:02d}{i % 100:02d}", v=1000 + i),
         "reason_vi": "kiểm tra", "reason_en": "check", "version": 1}
        for i in range(n)
    ]  # fmt: skip
    lanes = [{"office": "*", "green": "60", "yellow": "30", "red": "10", "random_share": "2"}]
    return {"profiles": profiles, "lane_rates": lanes}
