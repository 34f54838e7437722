"""What the permit checks add to registration (issue #17: at most 10 % of the registration path's CPU per
declaration), in process on SQLite: the same random declarations (demo.traffic, lines drawn from the sample
tariff, so some need plant or animal quarantine) registered in alternating rounds with the requirements table
empty (before: one empty look-up per declaration) and loaded (after: the rule per line, and a permit, its
history row, event and audit entry per line that needs one). CPU of this process (time.process_time) per
declaration, both ways, and the ratio after/before.

Usage: python benchmarks/agencies.py [--rounds 6] [--per-round 100]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.declarations import BENCH_DECLARANTS, _representations

from haiquan.agencies import service as agencies
from haiquan.agencies.repository import unscoped_replace_rules
from haiquan.agencies.tables import PermitRow
from haiquan.declarations import registration
from haiquan.declarations import service as declarations
from haiquan.declarations.schemas import DeclarationIn
from haiquan.demo.traffic import random_declaration, tariff_codes
from haiquan.kit.db import Database
from haiquan.organization import service as org
from haiquan.reference import service as reference
from haiquan.risk.channel import RuleSetEngine

LIMIT = 1.10


def seed(db: Database) -> None:
    from haiquan.organization.cli import DEFAULT_UNITS, read_units_file

    db.create_all()
    with db.unit_of_work() as uow:
        org.replace_units(uow.session, units=read_units_file(DEFAULT_UNITS), actor="bench")
        reference.load_hs(uow.session)
        reference.load_tariff(uow.session)
        reference.load_exchange_rates(uow.session)
        for tax in BENCH_DECLARANTS:
            org.add_enterprise(
                uow.session, tax_code=tax, name=f"Bench {tax}", roles=["declarant"], actor="bench"
            )
        uow.commit()
    _representations(db, BENCH_DECLARANTS)


def lodged(db: Database, rng: random.Random, codes: list[str], n: int) -> list[tuple[str, str]]:
    out = []
    with db.unit_of_work() as uow:
        for _ in range(n):
            body = DeclarationIn.model_validate(random_declaration(rng, codes))
            who = org.enterprise_principal(
                org.enterprise_by_tax_code(uow.session, rng.choice(BENCH_DECLARANTS))
            )
            row = declarations.lodge(uow.session, principal=who, data=body).row
            out.append((who.tax_code or "", row.number))
        uow.commit()
    return out


def register_all(db: Database, numbers: list[tuple[str, str]], engine: RuleSetEngine) -> float:
    """CPU seconds to register them, one transaction each (as the API's group commit would, one by one)."""
    start = time.process_time()
    for tax, number in numbers:
        with db.unit_of_work() as uow:
            who = org.enterprise_principal(org.enterprise_by_tax_code(uow.session, tax))
            registration.register_one(uow.session, principal=who, number=number, engine=engine)
            uow.commit()
    return time.process_time() - start


def set_table(db: Database, loaded: bool) -> None:
    with db.unit_of_work() as uow:
        if loaded:
            agencies.load_requirements(uow.session, actor="bench")
        else:
            unscoped_replace_rules(uow.session, [])
            reference.CACHE.invalidate_after_commit(uow.session)
        uow.commit()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--per-round", type=int, default=100)
    args = ap.parse_args()
    rng, engine = random.Random(17), RuleSetEngine(green=100.0, yellow=0.0, red=0.0)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/bench.db")
        seed(db)
        codes = tariff_codes()
        cpu = {False: 0.0, True: 0.0}
        for r in range(args.rounds * 2):
            loaded = r % 2 == 1
            batch = lodged(db, rng, codes, args.per_round)
            set_table(db, loaded)
            cpu[loaded] += register_all(db, batch, engine)
        n = args.rounds * args.per_round
        before, after = cpu[False] / n * 1000, cpu[True] / n * 1000
        ratio = after / before
        print(f"registration CPU per declaration: table empty {before:.2f} ms, loaded {after:.2f} ms")
        print(f"ratio {ratio:.3f} (limit {LIMIT:.2f}): {'OK' if ratio <= LIMIT else 'OVER'}")
        with db.unit_of_work() as uow:
            made = uow.session.scalar(select(func.count()).select_from(PermitRow))
        print(f"{made} permits requested for the {n} declarations registered with the table loaded")
        db.dispose()


if __name__ == "__main__":
    main()
