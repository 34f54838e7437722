"""Enforcement rules: the case status machine, fields and routes, units of measure, substance totals and
the articles-style summary sentence (Vietnamese and English). Pure Python."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class CaseStatus(StrEnum):
    DETECTED = "detected"
    UNDER_INVESTIGATION = "under_investigation"
    PROSECUTED = "prosecuted"
    TRANSFERRED_POLICE = "transferred_police"
    TRANSFERRED_BORDER_GUARD = "transferred_border_guard"
    TRANSFERRED_OTHER = "transferred_other"
    CLOSED = "closed"


TRANSFERRED = frozenset(
    {CaseStatus.TRANSFERRED_POLICE, CaseStatus.TRANSFERRED_BORDER_GUARD, CaseStatus.TRANSFERRED_OTHER}
)
_DECISIONS = frozenset({CaseStatus.PROSECUTED, CaseStatus.CLOSED} | TRANSFERRED)
TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.DETECTED: _DECISIONS | {CaseStatus.UNDER_INVESTIGATION},
    CaseStatus.UNDER_INVESTIGATION: _DECISIONS,
    CaseStatus.PROSECUTED: frozenset({CaseStatus.CLOSED}),
    CaseStatus.TRANSFERRED_POLICE: frozenset({CaseStatus.CLOSED}),
    CaseStatus.TRANSFERRED_BORDER_GUARD: frozenset({CaseStatus.CLOSED}),
    CaseStatus.TRANSFERRED_OTHER: frozenset({CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset(),
}
OUTCOMES = ("violation", "no_violation")


class TransitionError(ValueError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def check_transition(current: str, target: str, outcome: str | None) -> None:
    """Raise TransitionError unless `current → target` is allowed; closing needs an outcome."""
    try:
        to = CaseStatus(target)
    except ValueError:
        raise TransitionError(
            f"unknown status {target!r}; one of: {', '.join(s.value for s in CaseStatus)}", "to"
        ) from None
    allowed = TRANSITIONS[CaseStatus(current)]
    if to not in allowed:
        names = ", ".join(sorted(s.value for s in allowed)) or "none (the case is closed)"
        raise TransitionError(f"a case {current} cannot become {target}; allowed: {names}", "to")
    if to is CaseStatus.CLOSED and outcome not in OUTCOMES:
        raise TransitionError("closing a case needs outcome: violation or no_violation", "outcome")
    if to is not CaseStatus.CLOSED and outcome is not None:
        raise TransitionError("outcome is given only when closing a case", "outcome")


def is_confirmed(history: Iterable[tuple[str, str | None]]) -> bool:
    """A case is confirmed once prosecuted, transferred for prosecution, or closed with a violation."""
    for status, outcome in history:
        if status == CaseStatus.PROSECUTED or status in TRANSFERRED:
            return True
        if status == CaseStatus.CLOSED and outcome == "violation":
            return True
    return False


class Field(StrEnum):
    DRUGS = "drugs"
    ORIGIN_FRAUD = "origin_fraud"
    UNDERVALUATION = "undervaluation"
    PROHIBITED_GOODS = "prohibited_goods"
    WEAPONS = "weapons"
    TEMPORARY_IMPORT_REEXPORT = "temporary_import_reexport"
    BONDED_WAREHOUSE = "bonded_warehouse"
    TRANSIT = "transit"
    INDEPENDENT_TRANSPORT = "independent_transport"
    EXPRESS_POSTAL = "express_postal"
    PASSENGER = "passenger"


class Route(StrEnum):
    ROAD_BORDER_GATE = "road_border_gate"
    SEAPORT = "seaport"
    AIRPORT = "airport"
    EXPRESS = "express"
    POSTAL = "postal"


ROUTE_LABELS = {
    "road_border_gate": ("Cửa khẩu đường bộ", "Road border gate"),
    "seaport": ("Cảng biển", "Seaport"),
    "airport": ("Sân bay", "Airport"),
    "express": ("Chuyển phát nhanh", "Express"),
    "postal": ("Bưu chính", "Postal"),
}
AGENCIES = ("border_guard", "police", "coast_guard", "market_surveillance", "other")
LINK_KINDS = ("declaration", "consignment", "container", "enterprise", "consignee")


class Measure(StrEnum):
    GRAM = "g"
    KILOGRAM = "kg"
    TABLET = "tablet"
    PIECE = "piece"
    LITRE = "litre"


MASS = frozenset({Measure.GRAM, Measure.KILOGRAM})
COUNTS = frozenset({Measure.TABLET, Measure.PIECE})


def to_grams(quantity: Decimal, measure: str) -> Decimal:
    """The only conversion there is: kilograms ↔ grams. Tablets, pieces and litres are never turned into
    a mass (nor back): they are counted as recorded."""
    if measure == Measure.GRAM:
        return quantity
    if measure == Measure.KILOGRAM:
        return quantity * 1000
    raise ValueError(f"{measure!r} is not a mass: it cannot be converted to grams")


@dataclass(frozen=True)
class Category:
    code: str
    kind: str  # "drug" | "goods"
    name_vi: str
    name_en: str
    measures: frozenset[str]


def _cat(code: str, kind: str, vi: str, en: str, *measures: str) -> Category:
    return Category(code, kind, vi, en, frozenset(measures))


_DRUG = ("g", "kg", "tablet")
CATEGORIES: dict[str, Category] = {
    c.code: c
    for c in [
        _cat("mdma", "drug", "ma túy tổng hợp (MDMA)", "MDMA", *_DRUG),
        _cat("heroin", "drug", "ma túy loại Heroin", "heroin", "g", "kg", "piece"),
        _cat("methamphetamine", "drug", "ma túy đá (Methamphetamine)", "methamphetamine", *_DRUG),
        _cat("ketamine", "drug", "Ketamine", "ketamine", *_DRUG),
        _cat("cocaine", "drug", "Cocaine", "cocaine", "g", "kg"),
        _cat("cannabis", "drug", "cần sa", "cannabis", "g", "kg"),
        _cat("new_psychoactive", "drug", "ma túy dạng mới", "new psychoactive substances", *_DRUG, "litre"),
        _cat("cigarettes", "goods", "thuốc lá điếu", "cigarettes", "piece"),
        _cat("sugar", "goods", "đường cát", "sugar", "kg"),
        _cat("alcohol", "goods", "rượu", "alcohol", "litre", "piece"),
        _cat("wildlife", "goods", "động vật hoang dã, ngà voi", "wildlife and ivory", "kg", "piece"),
        _cat("medical_supplies", "goods", "vật tư, thiết bị y tế", "medical supplies", "piece", "kg"),
        _cat("electronics", "goods", "hàng điện tử", "electronics", "piece"),
        _cat("counterfeit", "goods", "hàng giả, xâm phạm SHTT", "counterfeit goods", "piece"),
        _cat("fireworks", "goods", "pháo", "fireworks", "kg"),
        _cat("weapons", "goods", "vũ khí", "weapons", "piece"),
        _cat("other_goods", "goods", "hàng hóa khác", "other goods", "kg", "piece", "litre"),
    ]
}
DRUG_ORDER = [c for c, v in CATEGORIES.items() if v.kind == "drug"]


class MeasureError(ValueError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def check_item(
    category: str, quantity: Decimal, measure: str, count: Decimal | None, count_unit: str | None
) -> Category:
    """Check one seizure item; return its category. A mass item may also carry a count of tablets or
    pieces, as recorded (never computed from the mass)."""
    cat = CATEGORIES.get(category)
    if cat is None:
        raise MeasureError(f"unknown category {category!r}; one of: {', '.join(CATEGORIES)}", "category")
    if measure not in {m.value for m in Measure}:
        raise MeasureError(f"unknown unit {measure!r}; one of: g, kg, tablet, piece, litre", "unit")
    if measure not in cat.measures:
        raise MeasureError(
            f"{cat.name_en} is recorded in {', '.join(sorted(cat.measures))}, not {measure}", "unit"
        )
    if quantity <= 0:
        raise MeasureError("quantity must be greater than zero", "quantity")
    if measure in COUNTS and quantity != quantity.to_integral_value():
        raise MeasureError(f"a count of {measure}s is a whole number", "quantity")
    _check_count(cat, measure, count, count_unit)
    return cat


def _check_count(cat: Category, measure: str, count: Decimal | None, count_unit: str | None) -> None:
    """A count of tablets or pieces recorded alongside a mass."""
    if (count is None) != (count_unit is None):
        raise MeasureError("count and count_unit go together", "count_unit")
    if count is None or count_unit is None:
        return
    if measure not in MASS:
        raise MeasureError("a count is recorded alongside a mass (g or kg) only", "count")
    if count_unit not in COUNTS or count_unit not in cat.measures:
        raise MeasureError(f"count_unit for {cat.name_en} must be tablet or piece", "count_unit")
    if count <= 0 or count != count.to_integral_value():
        raise MeasureError("count is a whole number greater than zero", "count")


@dataclass
class Totals:
    """One category's totals, exactly as recorded: mass in grams, tablets, pieces, litres."""

    grams: Decimal = Decimal(0)
    tablets: Decimal = Decimal(0)
    pieces: Decimal = Decimal(0)
    litres: Decimal = Decimal(0)
    value_vnd: Decimal = Decimal(0)
    items: int = 0
    counted_grams: Decimal = Decimal(0)  # the part of the mass that also carries a recorded count

    def add(self, quantity: Decimal, measure: str, count: Decimal | None, count_unit: str | None) -> None:
        self.items += 1
        if measure in MASS:
            self.grams += to_grams(quantity, measure)
        elif measure == Measure.TABLET:
            self.tablets += quantity
        elif measure == Measure.PIECE:
            self.pieces += quantity
        else:
            self.litres += quantity
        if count is not None:
            self.counted_grams += to_grams(quantity, measure)
            if count_unit == Measure.TABLET:
                self.tablets += count
            else:
                self.pieces += count


@dataclass
class Summary:
    """The figures of the articles for one unit and period."""

    smuggling_detected: int = 0
    prosecuted: int = 0
    transferred: int = 0
    drug_cases: int = 0
    drug_cases_coordinated: int = 0
    persons_detained: int = 0
    substances: dict[str, Totals] = field(default_factory=dict)
    goods: dict[str, Totals] = field(default_factory=dict)

    def ordered_substances(self) -> list[tuple[str, Totals]]:
        return sorted(self.substances.items(), key=lambda kv: (-kv[1].grams, DRUG_ORDER.index(kv[0])))


def plain(value: Decimal) -> Decimal:
    """The same number without trailing zeros and without an exponent (50000.000 → 50000, 1.50 → 1.5)."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def fmt_number(value: Decimal, lang: str) -> str:
    """29552.15 → '29.552,15' (vi) or '29,552.15' (en); whole numbers without decimals, never rounded."""
    text = f"{value:f}"
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups: list[str] = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    thousands, point = (".", ",") if lang == "vi" else (",", ".")
    return sign + thousands.join(groups) + (point + frac if frac else "")


def _approx_count(n: Decimal, lang: str) -> str:
    if lang == "vi" and n >= 1000 and n % 1000 == 0:
        return f"{fmt_number(n / 1000, lang)} nghìn"
    return fmt_number(n, lang)


def _counted_on(t: Totals, lang: str) -> str:
    """When only part of the mass was counted, say which part: counts are never extrapolated."""
    if not t.counted_grams or t.counted_grams >= t.grams:
        return ""
    g = fmt_number(t.counted_grams, lang)
    return f" trên {g} gam đã đếm" if lang == "vi" else f" counted on {g} g"


def substance_phrase(code: str, t: Totals, lang: str) -> str:
    cat = CATEGORIES[code]
    if lang == "vi":
        parts = []
        if t.grams:
            parts.append(f"{fmt_number(t.grams, 'vi')} gam")
        if t.litres:
            parts.append(f"{fmt_number(t.litres, 'vi')} lít")
        counts = [(t.tablets, "viên"), (t.pieces, "bánh")]
        if parts:
            on = _counted_on(t, "vi")
            extra = [f"khoảng {_approx_count(n, 'vi')} {w}{on}" for n, w in counts if n]
            return f"{', '.join(parts)} {cat.name_vi}" + "".join(f" ({e})" for e in extra)
        return ", ".join(f"{fmt_number(n, 'vi')} {w}" for n, w in counts if n) + f" {cat.name_vi}"
    amounts: list[str] = []
    if t.grams:
        amounts.append(f"{fmt_number(t.grams, 'en')} g")
    if t.litres:
        amounts.append(f"{fmt_number(t.litres, 'en')} l")
    counts_en = [(t.tablets, "tablets"), (t.pieces, "pieces")]
    if amounts:
        on = _counted_on(t, "en")
        approx = "".join(f" (≈ {fmt_number(n, 'en')} {w}{on})" for n, w in counts_en if n)
        return f"{cat.name_en} {', '.join(amounts)}{approx}"
    return f"{cat.name_en} " + ", ".join(f"{fmt_number(n, 'en')} {w}" for n, w in counts_en if n)


def summary_sentence(s: Summary, *, lang: str, subject: str) -> str:
    """The articles' sentence, e.g. "… đã phát hiện, bắt giữ 27 vụ buôn lậu; quyết định khởi tố 5 vụ; …"."""
    subs = [substance_phrase(code, t, lang) for code, t in s.ordered_substances()]
    if lang == "vi":
        out = (
            f"{subject} đã phát hiện, bắt giữ {s.smuggling_detected} vụ buôn lậu; "
            f"quyết định khởi tố {s.prosecuted} vụ; chuyển cơ quan khác đề nghị khởi tố {s.transferred} vụ"
        )
        if s.drug_cases:
            out += f"; phát hiện, phối hợp bắt giữ {s.drug_cases} vụ buôn lậu, vận chuyển trái phép ma tuý"
            if subs:
                out += ", thu giữ: " + "; ".join(subs)
            if s.drug_cases_coordinated or s.persons_detained:
                out += (
                    f"; trong đó có {s.drug_cases_coordinated} vụ phối hợp bắt và tạm giữ "
                    f"{s.persons_detained} đối tượng"
                )
        return out + "."
    out = (
        f"{subject} detected and seized {s.smuggling_detected} smuggling cases; {s.prosecuted} prosecuted; "
        f"{s.transferred} transferred to other agencies for prosecution"
    )
    if s.drug_cases:
        out += f"; {s.drug_cases} drug smuggling and trafficking cases detected or seized jointly"
        if subs:
            out += ", seizing: " + "; ".join(subs)
        if s.drug_cases_coordinated or s.persons_detained:
            out += (
                f"; of which {s.drug_cases_coordinated} cases in coordination, "
                f"with {s.persons_detained} persons held"
            )
    return out + "."
