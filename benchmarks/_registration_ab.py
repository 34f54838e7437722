"""What other agencies' permits and ATIGA e-Form D matching add to the registration path (issue #17: at
most 10 % of its CPU per declaration), measured by benchmarks/declarations.py on its PostgreSQL database.

The registration path is lodge + register, the service functions the two API calls run, one transaction
per declaration. Two arms in interleaved rounds (ABBA...), the same declarations in both:
- before: the path as it was without the features: the declaration's header not handed to pricing (no
  certificate read, no claim row, no event), `origin.lanes.with_origin` returning the lane unchanged and
  `agencies.requests.request_permits` requesting nothing;
- after: the code as served (requirements table loaded, certificates received).
CPU = this process's (time.process_time) + the PostgreSQL backends' of the scratch database (/proc).
The HTTP parsing, authentication and JSON of the requests are outside both arms: the ratio is an upper
bound of what the features add to a request.
Two mixes: the traffic of the HTTP phases (demo.traffic) with 20 % of the declarations replaced by
T-shirt imports from Thailand claiming ATIGA on a matching e-Form D; and the worst case, every line of
every declaration claiming ATIGA (as many lines as demo.traffic draws, one certificate each).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks import _cpu
from benchmarks.declarations import BENCH_DECLARANTS
from benchmarks.origin import number

from haiquan.declarations import registration
from haiquan.declarations import service as declarations
from haiquan.declarations.schemas import DeclarationIn
from haiquan.demo.traffic import random_declaration
from haiquan.kit import clock
from haiquan.kit.db import Database
from haiquan.kit.settings import Settings
from haiquan.organization import service as org
from haiquan.origin import building, eformd, lanes, matching, receiving
from haiquan.origin.signer import keygen
from haiquan.risk.channel import RuleSetEngine

LIMIT = 1.10
SHARE = 0.20  # of declarations claiming ATIGA in the realistic mix
CERTIFICATES = 64
IMPORTER = "0101248141"  # the certificates' consignee


HOOKS = ((declarations, "_parties"), (registration, "request_permits"), (lanes, "with_origin"))


def switch_off() -> list[Any]:
    """The registration path without the permit and origin hooks (their call sites no-ops): the header not
    handed to pricing, no permit requested, the lane unchanged. What to restore."""
    saved = [getattr(module, name) for module, name in HOOKS]
    noops: list[Callable[..., Any]] = [lambda *a: None, lambda *a, **k: 0, lambda s, decision, *a: decision]
    for (module, name), noop in zip(HOOKS, noops, strict=True):
        setattr(module, name, noop)
    return saved


@contextmanager
def features_off() -> Iterator[None]:
    saved = switch_off()
    try:
        yield
    finally:
        for (module, name), original in zip(HOOKS, saved, strict=True):
            setattr(module, name, original)


def prepare(url: str) -> None:
    """The certificates the claims name, received as the ASW sends them (the requirements table is loaded
    by benchmarks.declarations.seed, as the reference data of a node)."""
    key, cert = keygen("TH", "bench")
    issued = (clock.now() - timedelta(days=6)).date().isoformat()  # valid today (and in a year's runs)
    forms = [eformd.sign(building.build(building.example(number(i), issue_date=issued)), key_pem=key,
                         cert_pem=cert, key_name="TH-1") for i in range(CERTIFICATES)]  # fmt: skip
    body, keys = eformd.batch_of(forms), {"TH": [eformd.CountryCert("TH", "TH-1", cert.decode(), None)]}
    db = Database(url)
    with db.unit_of_work() as uow:
        receiving.store(uow.session, eformd.parse(body, keys), actor="enterprise:bench")
        uow.commit()
    db.dispose()


def atiga(rng: random.Random, lines: int) -> dict[str, Any]:
    """T-shirts from Thailand, each line claiming ATIGA on its own matching e-Form D."""
    first = rng.randrange(CERTIFICATES - lines + 1)
    line = {"hs_code": "61091010", "description": "Cotton T-shirts", "origin_country": "TH", "quantity": "1000",
            "quantity_unit": "PCE", "net_mass_kg": "200", "value": "4000"}  # fmt: skip
    return {
        "kind": "import", "office": "01AB", "importer": {"tax_code": IMPORTER},
        "exporter": {"name": "Siam Garment Co., Ltd.", "country": "TH"}, "transport_mode": "sea",
        "transport_document": "MAEU123456789", "package_count": 50, "gross_mass_kg": "250",
        "invoice": {"currency": "USD", "amount": str(4000 * lines), "incoterm": "CIF"},
        "lines": [line | {"preference": {"scheme": "ATIGA", "certificate": number(first + k)}} for k in range(lines)],
    }  # fmt: skip


def mix(seed: int, n: int, codes: list[str], share: float) -> list[tuple[str, dict[str, Any]]]:
    """(the lodging declarant, the declaration): `share` of them claiming ATIGA on every line."""
    rng, out = random.Random(seed), []
    for _ in range(n):
        doc = random_declaration(rng, codes)
        if rng.random() < share:
            out.append((IMPORTER, atiga(rng, len(doc["lines"]))))
        else:
            out.append((rng.choice(BENCH_DECLARANTS), doc))
    return out


def run_arm(
    db: Database, docs: list[tuple[str, dict[str, Any]]], pg: Callable[[], float]
) -> tuple[float, int]:
    """CPU seconds (this process + PostgreSQL) to lodge and register `docs`; lines granted ATIGA."""
    engine, atiga_lines = RuleSetEngine(green=100.0, yellow=0.0, red=0.0), 0
    pg0, t0 = pg(), time.process_time()
    for tax, doc in docs:
        with db.unit_of_work() as uow:
            who = org.enterprise_principal(org.enterprise_by_tax_code(uow.session, tax))
            lodged = declarations.lodge(uow.session, principal=who, data=DeclarationIn.model_validate(doc))
            registration.register_one(uow.session, principal=who, number=lodged.row.number, engine=engine)
            atiga_lines += sum(ln.applied_scheme == "ATIGA" for ln in lodged.lines)
            uow.commit()
    return time.process_time() - t0 + pg() - pg0, atiga_lines


def postgres_cpu(dbname: str) -> Callable[[], float]:
    def label(pid: int, cmdline: str) -> str | None:
        return "pg" if _cpu.postgres_database(cmdline) == dbname else None

    return lambda: sum(secs for _, secs in _cpu.snapshot(label).values())


def compare(
    db: Database, pg: Callable[[], float], codes: list[str], share: float, rounds: int, per: int
) -> str:
    cpu = {False: 0.0, True: 0.0}
    granted = {False: 0, True: 0}
    for r in range(rounds):
        docs = mix(1000 + r, per, codes, share)
        for on in (False, True) if r % 2 == 0 else (True, False):
            if on:
                spent, lines = run_arm(db, docs, pg)
            else:
                with features_off():
                    spent, lines = run_arm(db, docs, pg)
            cpu[on] += spent
            granted[on] += lines
    n = rounds * per
    before, after = cpu[False] / n * 1000, cpu[True] / n * 1000
    ratio = after / before
    return (f"{share * 100:.0f} % of declarations claiming ATIGA ({n} declarations per arm, {rounds} rounds): "
            f"before {before:.2f} ms, after {after:.2f} ms CPU per declaration; ratio {ratio:.3f} "
            f"(limit {LIMIT:.2f}: {'met' if ratio <= LIMIT else 'NOT met'}); lines granted ATIGA "
            f"{granted[True]} after, {granted[False]} before (certificate not read)")  # fmt: skip


def in_process(url: str, codes: list[str], rounds: int, per: int) -> list[str]:
    """The two mixes lodged and registered by the service functions, one transaction each."""
    matching.install(Settings())
    db, pg = Database(url), postgres_cpu(url.rsplit("/", 1)[1])
    run_arm(db, mix(1, 50, codes, SHARE), pg)  # warm up both arms' code
    with features_off():
        run_arm(db, mix(2, 50, codes, SHARE), pg)
    out = [compare(db, pg, codes, share, rounds, per) for share in (SHARE, 1.0)]
    db.dispose()
    return out


def create_served_app() -> Any:
    """The served app without the features (uvicorn's factory for the "before" server)."""
    from haiquan.app import create_served_app as create

    switch_off()
    return create()


def server_cpu(port: int, dbname: str) -> Callable[[], float]:
    """CPU seconds so far of the server listening on `port` (its workers included) and of PostgreSQL's
    backends for the database."""

    def label(pid: int, cmdline: str) -> str | None:
        if f"--port {port} " in cmdline or _cpu.postgres_database(cmdline) == dbname:
            return "x"
        try:
            ppid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return None
        return "x" if f"--port {port} " in _cpu._cmdline(ppid) else None

    return lambda: sum(secs for _, secs in _cpu.snapshot(label).values())
