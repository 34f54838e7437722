"""Demo data: a year of cases for several departments, recorded through the same services as the API.

Hà Nội's year is shaped like the 2020 article (27 smuggling cases, 5 prosecuted, 9 transferred, 14 drug
cases, MDMA 29,552.15 g ≈ 50,000 tablets, ...), split at random over individual cases so that the report
rebuilds the article's figures from records. The northern border departments carry a planted displacement:
in the first half of the year seizures come mostly through Lạng Sơn and Quảng Ninh, in the second half
through Lào Cai. Persons are synthetic."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from haiquan.enforcement import service
from haiquan.enforcement.domain import CaseStatus, Field, Route
from haiquan.enforcement.schemas import CaseIn, PersonIn, SeizureItemIn, TransitionIn
from haiquan.kit import clock
from haiquan.kit.auth import Principal, Scope
from haiquan.organization.domain import UnitTree
from haiquan.organization.service import load_tree

DEMO = Principal(
    kind="officer", id="demo", name="demo", scope=Scope(units=None), unit="00", role="department_leader"
)
ARTICLE_DRUGS = [  # substance, total grams, total tablets, number of cases
    ("mdma", Decimal("29552.15"), 50000, 6),
    ("heroin", Decimal("4836.27"), 0, 3),
    ("ketamine", Decimal("392.41"), 0, 3),
    ("new_psychoactive", Decimal("22"), 0, 2),
]
UNITS_BY_ROUTE = {
    ("01", "airport"): ["01AB", "01B3"], ("01", "express"): ["01DD", "01E3"], ("01", "postal"): ["01D1", "01D2"],
    ("15", "road_border_gate"): ["15BB", "15BC", "15BE", "15BD"],
    ("20", "road_border_gate"): ["20BB", "20BC", "20B1", "20B2"], ("20", "seaport"): ["20CD", "20CF"],
    ("13", "road_border_gate"): ["13BB", "13BC", "13BD"],
    ("02", "seaport"): ["02CI", "02CX", "02CC"], ("02", "airport"): ["02AB"], ("02", "express"): ["02DS"],
    ("03", "seaport"): ["03CC", "03EE", "03CE"],
}  # fmt: skip
# department: (cases per month in the first half, in the second half, routes)
BORDER_PLAN = {
    "15": (9, 3, ["road_border_gate"]),
    "20": (8, 3, ["road_border_gate", "road_border_gate", "seaport"]),
    "13": (2, 10, ["road_border_gate"]),
    "02": (4, 4, ["seaport", "airport", "express"]),
    "03": (3, 3, ["seaport"]),
}
GOODS = [  # category, unit, low, high, VND per unit
    ("cigarettes", "piece", 500, 20000, 1500), ("sugar", "kg", 500, 20000, 18000),
    ("fireworks", "kg", 20, 800, 250000), ("electronics", "piece", 10, 400, 2500000),
    ("medical_supplies", "piece", 1000, 50000, 4000), ("counterfeit", "piece", 50, 3000, 300000),
    ("wildlife", "kg", 5, 300, 15000000), ("alcohol", "litre", 50, 2000, 200000),
]  # fmt: skip
SMUGGLING_FIELDS = [
    Field.ORIGIN_FRAUD, Field.TEMPORARY_IMPORT_REEXPORT, Field.BONDED_WAREHOUSE, Field.TRANSIT,
    Field.INDEPENDENT_TRANSPORT, Field.EXPRESS_POSTAL, Field.PROHIBITED_GOODS, Field.UNDERVALUATION,
]  # fmt: skip
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Ngọc", "Quang"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hùng", "Lan", "Long", "Nam", "Phương", "Quân", "Sơn", "Tuấn"]


@dataclass
class Ctx:
    session: Session
    tree: UnitTree
    rng: random.Random
    year: int
    cutoff: date
    created: int = 0


def split(total: int, parts: int, rng: random.Random) -> list[int]:
    """`parts` positive integers summing exactly to `total`."""
    if parts <= 1 or total < parts:
        return [total] if parts <= 1 else [total] + [0] * (parts - 1)
    cuts = sorted(rng.sample(range(1, total), parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def _unit(c: Ctx, dept: str, route: str) -> str | None:
    for code in UNITS_BY_ROUTE.get((dept, route), []):
        if code in c.tree.units:
            return code
    return dept if dept in c.tree.units else None


def _day(c: Ctx, start: date, end: date) -> date:
    end = min(end, c.cutoff)
    return start + timedelta(days=c.rng.randint(0, max(0, (end - start).days)))


def _open(c: Ctx, unit: str, day: date, fld: Field, route: str, coordinated: list[str]) -> str:
    data = CaseIn(
        unit=unit, detected_on=day, field=fld, route=Route(route), coordinated_with=coordinated,
        summary=f"Vụ việc mẫu (demo) — {fld.value}, {route}",
    )  # fmt: skip
    c.created += 1
    return service.open_case(c.session, principal=DEMO, data=data).id


def _decide(c: Ctx, case_id: str, detected: date, steps: Sequence[tuple[CaseStatus, str | None]]) -> None:
    day = detected
    for status, outcome in steps:
        day = min(day + timedelta(days=c.rng.randint(1, 20)), c.cutoff)
        body = TransitionIn(to=status, decided_on=max(day, detected), outcome=outcome)
        service.change_status(c.session, principal=DEMO, case_id=case_id, data=body)


def _seize(c: Ctx, case_id: str, items: list[SeizureItemIn]) -> None:
    service.record_seizures(c.session, principal=DEMO, case_id=case_id, items=items)


def _goods_item(c: Ctx) -> SeizureItemIn:
    cat, unit, low, high, price = c.rng.choice(GOODS)
    qty = c.rng.randint(low, high)
    return SeizureItemIn(category=cat, quantity=Decimal(qty), unit=unit, value_vnd=Decimal(qty * price))


def _person(c: Ctx, case_id: str, detained: bool) -> None:
    name = f"{c.rng.choice(FAMILY)} {c.rng.choice(MIDDLE)} {c.rng.choice(GIVEN)}"
    body = PersonIn(
        full_name=name, id_number="0" + "".join(str(c.rng.randint(0, 9)) for _ in range(11)),
        nationality="VN", birth_year=c.rng.randint(1960, 2000), role="detained" if detained else "suspect",
        detained=detained,
    )  # fmt: skip
    service.add_person(c.session, principal=DEMO, case_id=case_id, data=body)


def _hanoi(c: Ctx) -> None:
    jan1, dec = date(c.year, 1, 1), date(c.year, 12, 20)
    Steps = list[tuple[CaseStatus, str | None]]
    decisions: list[Steps] = [[(CaseStatus.UNDER_INVESTIGATION, None), (CaseStatus.PROSECUTED, None)]] * 5
    decisions += [
        [(CaseStatus.TRANSFERRED_POLICE if i % 2 else CaseStatus.TRANSFERRED_OTHER, None)] for i in range(9)
    ]
    closed: Steps = [(CaseStatus.CLOSED, "violation")]
    decisions += [closed] * 9 + [[(CaseStatus.UNDER_INVESTIGATION, None)]] * 4
    for steps in decisions:
        route = c.rng.choice(["express", "airport", "postal"])
        unit = _unit(c, "01", route)
        if unit is None:
            return
        day = _day(c, jan1, dec - timedelta(days=60))
        cid = _open(c, unit, day, c.rng.choice(SMUGGLING_FIELDS), route, [])
        _seize(c, cid, [_goods_item(c) for _ in range(c.rng.randint(1, 2))])
        _decide(c, cid, day, steps)
    _hanoi_drugs(c, jan1, dec)


def _hanoi_drugs(c: Ctx, jan1: date, dec: date) -> None:
    plan: list[tuple[str, Decimal, int]] = []
    for code, grams, tablets, n in ARTICLE_DRUGS:
        cents = split(int(grams * 100), n, c.rng)
        counts = split(tablets, n, c.rng) if tablets else [0] * n
        plan += [(code, Decimal(g) / 100, t) for g, t in zip(cents, counts, strict=True)]
    c.rng.shuffle(plan)
    coordinated = set(c.rng.sample(range(len(plan)), 12))
    detained = split(17 - 12, 12, c.rng) if len(plan) >= 12 else []
    extra = dict(zip(sorted(coordinated), detained, strict=False))
    for i, (code, grams, tablets) in enumerate(plan):
        route = c.rng.choice(["airport", "express", "postal"])
        unit = _unit(c, "01", route) or "01"
        day = _day(c, jan1, dec - timedelta(days=30))
        agencies = [c.rng.choice(["police", "border_guard"])] if i in coordinated else []
        cid = _open(c, unit, day, Field.DRUGS, route, agencies)
        item = SeizureItemIn(
            category=code, quantity=grams, unit="g", count=Decimal(tablets) if tablets else None,
            count_unit="tablet" if tablets else None,
        )  # fmt: skip
        _seize(c, cid, [item])
        for _ in range(1 + extra.get(i, 0) if i in coordinated else 0):
            _person(c, cid, detained=True)
        _decide(c, cid, day, [(CaseStatus.TRANSFERRED_POLICE, None)])


def _border(c: Ctx, dept: str, first: int, second: int, routes: list[str]) -> None:
    for month in range(1, 13):
        start = date(c.year, month, 1)
        if start > c.cutoff:
            return
        end = (date(c.year + 1, 1, 1) if month == 12 else date(c.year, month + 1, 1)) - timedelta(days=1)
        rate = first if month <= 6 else second
        for _ in range(max(0, rate + c.rng.randint(-1, 1))):
            route = c.rng.choice(routes)
            unit = _unit(c, dept, route)
            if unit is None:
                return
            _border_case(c, unit, _day(c, start, end), route)


def _border_case(c: Ctx, unit: str, day: date, route: str) -> None:
    drugs = c.rng.random() < 0.25
    fld = (
        Field.DRUGS
        if drugs
        else c.rng.choice(
            [Field.PROHIBITED_GOODS, Field.TEMPORARY_IMPORT_REEXPORT, Field.ORIGIN_FRAUD, Field.TRANSIT]
        )
    )
    agencies = [c.rng.choice(["border_guard", "police"])] if drugs or c.rng.random() < 0.3 else []
    cid = _open(c, unit, day, fld, route, agencies)
    if drugs:
        cat = c.rng.choice(["methamphetamine", "heroin", "mdma"])
        grams = Decimal(c.rng.randint(5000, 900000)) / 100
        _seize(c, cid, [SeizureItemIn(category=cat, quantity=grams, unit="g")])
        for _ in range(c.rng.randint(1, 2)):
            _person(c, cid, detained=True)
        _decide(c, cid, day, [(CaseStatus.TRANSFERRED_POLICE, None)])
        return
    _seize(c, cid, [_goods_item(c)])
    roll = c.rng.random()
    if roll < 0.15:
        _decide(c, cid, day, [(CaseStatus.UNDER_INVESTIGATION, None), (CaseStatus.PROSECUTED, None)])
    elif roll < 0.35:
        _decide(c, cid, day, [(CaseStatus.TRANSFERRED_OTHER, None)])
    elif roll < 0.85:
        _decide(c, cid, day, [(CaseStatus.CLOSED, "violation")])


def seed_cases(session: Session, *, year: int, rng: random.Random) -> dict[str, int]:
    """Create a year of demo cases for the departments present (01, 15, 20, 13, 02, 03); the caller commits.
    Returns the number of cases per department."""
    cutoff = min(date(year, 12, 20), clock.today_vn())
    c = Ctx(session, load_tree(session), rng, year, cutoff)
    out: dict[str, int] = {}
    if cutoff < date(year, 1, 1):
        return out
    if "01" in c.tree.units:
        _hanoi(c)
        out["01"] = c.created
    for dept, (first, second, routes) in BORDER_PLAN.items():
        if dept in c.tree.units:
            before = c.created
            _border(c, dept, first, second, routes)
            out[dept] = c.created - before
    return out
