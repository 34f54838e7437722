"""Carriers' EDIFACT messages received end to end (issue #18: a CUSCAR of 1,000 bills and a PAXLST of 500
passengers parsed, validated and stored in under 1 s each), in process: for each message, the wall time
of parsing alone (`interchange.edifact.parse`), of parsing and mapping onto the Pydantic model, of the whole
reception (parse, map, validate, store through the cargo or conveyance service: screening, events, audit,
commit), and of raw inserts of the same rows (one multi-row INSERT per table, one commit). Prints the
medians and the ratios whole/parse and whole/raw; the whole must stay under LIMIT_S.

Usage: python benchmarks/conveyances.py [--rounds 5] [--bills 1000] [--passengers 500] [--postgres]
(CPU seconds of this process: on PostgreSQL the server's work is not counted; see the wall time.)
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, insert
from stdnum import iso6346

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._support import scratch_database

from haiquan.cargo.schemas import ManifestIn
from haiquan.cargo.screening import default_scorer
from haiquan.cargo.tables import ConsignmentContainerRow, ConsignmentRow, ManifestRow
from haiquan.conveyances import cuscar, inbound, paxlst
from haiquan.conveyances.schemas import ConveyanceIn
from haiquan.conveyances.tables import ConveyanceRow, PersonRow
from haiquan.interchange import edifact
from haiquan.kit.db import Database, new_id
from haiquan.organization import service as org
from haiquan.organization.domain import Unit
from haiquan.risk.prearrival import with_profiles
from haiquan.supervision.tables import LocationRow, OperatorRow

LIMIT_S = 1.0
CARRIER = "0300588569"
NOW = datetime.now(UTC)


def seed(db: Database) -> None:
    db.create_all()
    with db.unit_of_work() as uow:
        s = uow.session
        units = [Unit("00", "Tổng cục", "GD", "general", None), Unit("03", "HP", "HP", "department", "00"),
                 Unit("03CC", "HP I", "HP I", "subdepartment", "03")]  # fmt: skip
        org.replace_units(s, units=units, actor="bench")
        org.add_enterprise(s, tax_code=CARRIER, name="Carrier", roles=["carrier"], actor="bench")
        op = OperatorRow(id=new_id(), tax_code="0200519875", name="Port", unit="03CC", updated_at=NOW)
        s.add(op)
        s.flush()
        s.add(
            LocationRow(
                code="03CCS01", operator_id=op.id, name="Port", kind="seaport", unit="03CC", locode="VNHPH"
            )
        )
        uow.commit()


def _container(n: int) -> str:
    body = f"BNCU{n:06d}"
    return body + str(iso6346.calc_check_digit(body))


def manifest_text(round_no: int, bills: int) -> str:
    body = {
        "reference": f"BENCH-{round_no}", "mode": "sea", "vessel": "BENCH STAR", "voyage": f"{round_no:04d}N",
        "loading_port": "CNSHA", "discharge_port": "VNHPH", "location_code": "03CCS01",
        "expected_arrival": NOW + timedelta(days=2),
        "bills": [
            {"number": f"R{round_no}B{i:05d}", "consignee_tax_code": "0101248141", "description": f"Goods {i}",
             "hs_codes": ["851713"], "package_count": 10, "gross_mass_kg": "1200.5",
             "containers": [{"number": _container(round_no * 10_000 + i), "seal": f"S{i}", "iso_type": "22G1"}]}
            for i in range(bills)
        ],
    }  # fmt: skip
    m = ManifestIn.model_validate(body)
    return cuscar.write(m, sender="BENCH", control_ref=f"C{round_no}", prepared=NOW)


def paxlst_text(round_no: int, passengers: int) -> str:
    people = [
        {"family_name": f"NGUYEN{i}", "given_names": "VAN AN", "date_of_birth": "1980-01-01", "sex": "M",
         "nationality": "VNM", "document_number": f"R{round_no}P{i:06d}", "document_country": "VNM",
         "seat": f"{i % 60}A", "embarkation_port": "CNSHA", "disembarkation_port": "VNHPH"}
        for i in range(passengers)
    ]  # fmt: skip
    body = {
        "reference": f"PAX-{round_no}", "direction": "arrival", "mode": "sea", "craft_id": "9074729",
        "voyage": f"{round_no:04d}N", "departure_port": "CNSHA", "arrival_port": "VNHPH",
        "scheduled_at": NOW + timedelta(days=2), "crew_count": 0, "passenger_count": passengers,
        "passengers": people,
    }  # fmt: skip
    return paxlst.write(
        ConveyanceIn.model_validate(body), sender="BENCH", control_ref=f"P{round_no}", prepared=NOW
    )


def timed(fn: Callable[[], Any]) -> float:
    """CPU seconds of this process (the machine is shared: wall time measures the neighbours too; on SQLite
    in process, every step of the reception runs in this process). The wall time is kept in WALL."""
    gc.collect()  # each step starts with the same heap
    start, wall = time.process_time(), time.perf_counter()
    fn()
    WALL.append(time.perf_counter() - wall)
    return time.process_time() - start


WALL: list[float] = []


def receive(db: Database, text: str, kind: str) -> None:
    with db.unit_of_work() as uow:
        who = org.enterprise_principal(org.enterprise_by_tax_code(uow.session, CARRIER))
        ic = edifact.parse(text)
        if kind == "cuscar":
            scorer = with_profiles(default_scorer(), uow.session)
            inbound.receive_cuscar(uow.session, principal=who, ic=ic, scorer=scorer)
        else:
            inbound.receive_paxlst(uow.session, principal=who, ic=ic)
        uow.commit()


def raw_cuscar(db: Database, text: str, carrier_id: str) -> None:
    """The same rows inserted as they are (the model read first, untimed work excluded: only the inserts)."""
    [(m, _, _)] = cuscar.read(edifact.parse(text))
    mid = new_id()
    manifest = {"id": mid, "carrier_id": carrier_id, "reference": m.reference + "-raw", "mode": m.mode, "vessel": m.vessel,
                "voyage": m.voyage, "loading_port": m.loading_port, "discharge_port": m.discharge_port,
                "location_code": m.location_code, "unit": "03CC", "short_voyage": False,
                "expected_arrival": m.expected_arrival, "deadline": m.expected_arrival, "received_at": NOW,
                "late_by_seconds": 0, "version": 1}  # fmt: skip
    bills: list[dict[str, Any]] = []
    boxes: list[dict[str, Any]] = []
    for b in m.bills:
        bid = new_id()
        bills.append({"id": bid, "manifest_id": mid, "goods_id": b.number + "X", "master_bill": None,
                      "cargo_type": b.cargo_type, "purpose": b.purpose, "consignee_tax_code": b.consignee_tax_code,
                      "consignee_name": "", "description": b.description, "hs_codes": b.hs_codes,
                      "package_count": b.package_count, "gross_mass_kg": b.gross_mass_kg, "unit": "03CC",
                      "location_code": m.location_code, "risk_score": 0.0, "risk_reasons": [],
                      "scan_required": False, "removed": False, "created_at": NOW, "extra": {}})  # fmt: skip
        boxes += [{"consignment_id": bid, "number": c.number[:-1] + "X", "seal": c.seal, "iso_type": c.iso_type}
                  for c in b.containers]  # fmt: skip

    def write() -> None:
        with db.unit_of_work() as uow:
            uow.session.execute(insert(cast(Table, ManifestRow.__table__)), [manifest])
            uow.session.execute(insert(cast(Table, ConsignmentRow.__table__)), bills)
            uow.session.execute(insert(cast(Table, ConsignmentContainerRow.__table__)), boxes)
            uow.commit()

    raw_cuscar.seconds = timed(write)  # type: ignore[attr-defined]


def raw_paxlst(db: Database, text: str, carrier_id: str) -> None:
    data, _ = paxlst.read(edifact.parse(text))
    cid = new_id()
    report = {"id": cid, "carrier_id": carrier_id, "reference": data.reference + "-raw", "direction": "arrival",
              "mode": "sea", "craft_id": data.craft_id, "craft_name": "", "voyage": data.voyage,
              "departure_port": data.departure_port, "arrival_port": data.arrival_port, "unit": "03CC",
              "scheduled_at": data.scheduled_at, "crew_count": 0, "passenger_count": data.passenger_count,
              "stores": [], "source": "raw", "version": 1, "received_at": NOW}  # fmt: skip
    people = [p.model_dump() | {"id": new_id(), "conveyance_id": cid, "position": i, "role": "passenger",
                                "embarkation_port": p.embarkation_port or "", "disembarkation_port": p.disembarkation_port or "",
                                "anonymised": False} for i, p in enumerate(data.passengers)]  # fmt: skip

    def write() -> None:
        with db.unit_of_work() as uow:
            uow.session.execute(insert(cast(Table, ConveyanceRow.__table__)), [report])
            uow.session.execute(insert(cast(Table, PersonRow.__table__)), people)
            uow.commit()

    raw_paxlst.seconds = timed(write)  # type: ignore[attr-defined]


def _map(read: Callable[[Any], Any], text: str) -> Any:
    return read(edifact.parse(text))


def measure(db: Database, kind: str, texts: list[str]) -> dict[str, float]:
    with db.unit_of_work() as uow:
        carrier_id = org.enterprise_by_tax_code(uow.session, CARRIER).id
    read = cuscar.read if kind == "cuscar" else paxlst.read
    parse, mapped, whole, raw, walls = [], [], [], [], []
    for text in texts:
        parse.append(timed(partial(edifact.parse, text)))
        mapped.append(timed(partial(_map, read, text)))
        (raw_cuscar if kind == "cuscar" else raw_paxlst)(db, text, carrier_id)
        raw.append((raw_cuscar if kind == "cuscar" else raw_paxlst).seconds)  # type: ignore[attr-defined]
        whole.append(timed(partial(receive, db, text, kind)))
        walls.append(WALL[-1])
    pairs = (("parse", parse), ("map", mapped), ("whole", whole), ("raw", raw), ("wall", walls))
    return {k: statistics.median(v) for k, v in pairs}


def report(name: str, kb: int, m: dict[str, float]) -> bool:
    ok = m["whole"] < LIMIT_S
    print(f"{name} ({kb} KiB): parse {m['parse']:.3f} s, parse+map {m['map']:.3f} s, raw inserts {m['raw']:.3f} s, "
          f"whole {m['whole']:.3f} s (wall {m['wall']:.3f} s) -> {m['whole'] / m['parse']:.1f}x parsing, {m['whole'] / m['raw']:.1f}x raw inserts; "
          f"limit {LIMIT_S:.1f} s: {'ok' if ok else 'OVER'}")  # fmt: skip
    return ok


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--bills", type=int, default=1000)
    ap.add_argument("--passengers", type=int, default=500)
    ap.add_argument("--postgres", action="store_true", help="a scratch PostgreSQL database (127.0.0.1)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        url = (
            stack.enter_context(scratch_database("bench_conv"))
            if args.postgres
            else f"sqlite:///{tmp}/bench.db"
        )
        db = Database(url)
        seed(db)
        cus = [manifest_text(r, args.bills) for r in range(args.rounds)]
        pax = [paxlst_text(r, args.passengers) for r in range(args.rounds)]
        print(f"{db.engine.dialect.name}, CPU seconds of this process, median of {args.rounds} rounds")
        ok = report(f"CUSCAR of {args.bills} bills", len(cus[0]) // 1024, measure(db, "cuscar", cus))
        ok &= report(
            f"PAXLST of {args.passengers} passengers", len(pax[0]) // 1024, measure(db, "paxlst", pax)
        )
        db.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
