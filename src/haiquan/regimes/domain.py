"""The stock ledger's rules, pure. Every movement is an entry of two legs of the same quantity: one account
debited (+, where the goods went), one credited (-, where they came from), so the legs of any set of
entries sum to zero. A regime's stock account (`stock`, per enterprise, regime, item and unit) never goes
below zero: an outflow larger than the stock is refused (`Shortfall`), and what the declaration wanted then
is a discrepancy, not an entry. The other accounts are the world around the stock: abroad, the domestic
market, production (products made), consumption (materials used, booked by finalisation), scrap."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from haiquan.regimes.rules import Movement, RegimeRule

ZERO = Decimal(0)


class Account(StrEnum):
    STOCK = "stock"
    ABROAD = "abroad"
    DOMESTIC = "domestic"
    PRODUCTION = "production"
    CONSUMED = "consumed"
    SCRAP = "scrap"


class EntryKind(StrEnum):
    IN = "in"
    OUT = "out"
    TRANSFER = "transfer"  # from one regime's stock to another's
    SCRAP = "scrap"
    DOMESTIC_SALE = "domestic_sale"
    REEXPORT = "reexport"
    PRODUCED = "produced"
    CONSUMED = "consumed"
    CORRECTION = "correction"  # the reverse of what was booked (an amendment or a cancellation)


@dataclass(frozen=True)
class Item:
    """What a stock is kept of: a material or product code (the tariff line) and its unit."""

    code: str
    unit: str


@dataclass(frozen=True)
class Entry:
    """`quantity` (> 0) of `item` moved from the `credit` account to the `debit` account. Each account is
    (account, regime): the regime matters for stock accounts; the world accounts carry the entry's regime."""

    kind: EntryKind
    item: Item
    quantity: Decimal
    debit: tuple[Account, str]
    credit: tuple[Account, str]
    line_no: int | None = None
    value_vnd: Decimal = ZERO
    duty_vnd: Decimal = ZERO

    def legs(self) -> list[tuple[tuple[Account, str], Decimal]]:
        return [(self.debit, self.quantity), (self.credit, -self.quantity)]

    def reversed(self) -> Entry:
        return Entry(EntryKind.CORRECTION, self.item, self.quantity, self.credit, self.debit, self.line_no,
                     -self.value_vnd, -self.duty_vnd)  # fmt: skip


StockKey = tuple[str, Item]  # (regime, item)


@dataclass(frozen=True)
class LineFacts:
    """What the ledger reads of a declaration line."""

    line_no: int
    item: Item
    quantity: Decimal
    value_vnd: Decimal = ZERO
    duty_vnd: Decimal = ZERO


@dataclass(frozen=True)
class Shortfall:
    """An outflow the stock cannot cover: the line (its field), what was asked and what was there."""

    line_no: int
    regime: str
    item: Item
    asked: Decimal
    available: Decimal

    @property
    def field(self) -> str:
        return f"lines[{self.line_no - 1}].quantity"

    def message(self) -> str:
        return (
            f"line {self.line_no}: {self.asked} {self.item.unit} of {self.item.code} leave the "
            f"{self.regime} stock, which holds {self.available}"
        )


def stock(regime: str) -> tuple[Account, str]:
    return (Account.STOCK, regime)


def entries_for(rule: RegimeRule, lines: Sequence[LineFacts], regime_of: Mapping[int, str]) -> list[Entry]:
    """What a cleared declaration under `rule` books, line by line. `regime_of` names, for an outflow
    drawing on `*`, the regime each line draws from (see `draw`)."""
    out: list[Entry] = []
    for ln in lines:
        out.extend(_line_entries(rule, ln, regime_of.get(ln.line_no)))
    return out


def _line_entries(rule: RegimeRule, ln: LineFacts, drawn: str | None) -> list[Entry]:
    r = str(rule.regime or drawn or "")
    m = rule.movement

    def mk(kind: EntryKind, debit: tuple[Account, str], credit: tuple[Account, str]) -> Entry:
        return Entry(kind, ln.item, ln.quantity, debit, credit, ln.line_no, ln.value_vnd, ln.duty_vnd)

    if m is Movement.IN:
        return [mk(EntryKind.IN, stock(r), (Account.ABROAD, r))]
    if m is Movement.IN_DOMESTIC:
        return [mk(EntryKind.IN, stock(r), (Account.DOMESTIC, r))]
    if m in (Movement.OUT_PRODUCT, Movement.OUT_PRODUCT_DOMESTIC):
        to = Account.ABROAD if m is Movement.OUT_PRODUCT else Account.DOMESTIC
        made = Entry(EntryKind.PRODUCED, ln.item, ln.quantity, stock(r), (Account.PRODUCTION, r), ln.line_no)
        return [made, mk(EntryKind.OUT, (to, r), stock(r))]
    if m is Movement.REEXPORT:
        return [mk(EntryKind.REEXPORT, (Account.ABROAD, r), stock(r))]
    if m is Movement.DOMESTIC_SALE:
        return [mk(EntryKind.DOMESTIC_SALE, (Account.DOMESTIC, r), stock(r))]
    if m is Movement.TEMP_OUT:
        return [mk(EntryKind.OUT, stock(r), (Account.DOMESTIC, r))]
    return [mk(EntryKind.IN, (Account.DOMESTIC, r), stock(r))]  # TEMP_BACK: the goods came home


def draw(
    rule: RegimeRule, lines: Sequence[LineFacts], available: Mapping[StockKey, Decimal]
) -> tuple[dict[int, str], list[Shortfall]]:
    """Where each outflow line draws from (the first of the rule's sources whose stock covers it, lines of
    the same item taken in turn) and the lines no source covers. Inflows draw on nothing."""
    if not rule.outflow:
        return {}, []
    left = dict(available)
    chosen: dict[int, str] = {}
    short: list[Shortfall] = []
    for ln in lines:
        sources = [str(r) for r in rule.sources()]
        pick = next((r for r in sources if left.get((r, ln.item), ZERO) >= ln.quantity), None)
        if pick is None:
            best = max(sources, key=lambda r: left.get((r, ln.item), ZERO))
            short.append(Shortfall(ln.line_no, best, ln.item, ln.quantity, left.get((best, ln.item), ZERO)))
            continue
        left[(pick, ln.item)] = left.get((pick, ln.item), ZERO) - ln.quantity
        chosen[ln.line_no] = pick
    return chosen, short


def balances(entries: Iterable[Entry]) -> dict[tuple[tuple[Account, str], Item], Decimal]:
    """Every account's balance per item (debits +, credits -)."""
    out: dict[tuple[tuple[Account, str], Item], Decimal] = {}
    for e in entries:
        for account, q in e.legs():
            key = (account, e.item)
            out[key] = out.get(key, ZERO) + q
    return out


def stock_of(entries: Iterable[Entry]) -> dict[StockKey, Decimal]:
    """Each regime's stock per item."""
    return {(acc[1], item): q for (acc, item), q in balances(entries).items() if acc[0] is Account.STOCK}


def apply(held: Mapping[StockKey, Decimal], entries: Sequence[Entry]) -> dict[StockKey, Decimal]:
    """The stock after `entries`, or Shortfall raised (as ShortfallError) for the first that would take a
    stock below zero: the ledger never holds a negative balance."""
    after = dict(held)
    for e in entries:
        for (account, regime), q in e.legs():
            if account is not Account.STOCK:
                continue
            now = after.get((regime, e.item), ZERO) + q
            if now < 0:
                raise ShortfallError(Shortfall(e.line_no or 0, regime, e.item, -q, now - q))
            after[(regime, e.item)] = now
    return after


class ShortfallError(ValueError):
    def __init__(self, shortfall: Shortfall) -> None:
        super().__init__(shortfall.message())
        self.shortfall = shortfall


def net(booked: Sequence[Entry]) -> list[Entry]:
    """What stands of a declaration's entries: each correction cancels the entry it reversed."""
    out: list[Entry] = []
    for e in map(normalised, booked):
        fix = e.kind is EntryKind.CORRECTION
        match = next((i for i, x in enumerate(out) if fix and normalised(x.reversed()) == e), None)
        if match is not None:
            out.pop(match)
        else:
            out.append(e)
    return out


def corrections(booked: Sequence[Entry], wanted: Sequence[Entry]) -> list[Entry]:
    """What to book so that a declaration's entries become `wanted`: the standing ones no longer wanted,
    reversed (kind correction), then the wanted ones not yet booked. Entries are compared whole, so an
    amended quantity reverses the old entry and books the new one."""
    remaining = [normalised(e) for e in wanted]
    out: list[Entry] = []
    for e in net(booked):
        if e in remaining:
            remaining.remove(e)
        else:
            out.append(e.reversed())
    return out + remaining


def normalised(e: Entry) -> Entry:
    """An entry as read back from the database compares equal to the one that was written."""
    return Entry(e.kind, e.item, e.quantity.normalize(), e.debit, e.credit, e.line_no,
                 e.value_vnd.normalize(), e.duty_vnd.normalize())  # fmt: skip


@dataclass(frozen=True)
class Totals:
    """One stock's movements over a period: what came in, what went out, what is held (in - out)."""

    regime: str
    item: Item
    quantity_in: Decimal
    quantity_out: Decimal

    @property
    def held(self) -> Decimal:
        return self.quantity_in - self.quantity_out


class DeadlineState(StrEnum):
    OPEN = "open"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    DISCHARGED = "discharged"


def deadline_state(due_on: date, warn_days: int, today: date, quantity_left: Decimal) -> DeadlineState:
    """Where a deadline stands: discharged once nothing is left under it; else overdue after its day,
    due soon within `warn_days` of it."""
    if quantity_left <= 0:
        return DeadlineState.DISCHARGED
    if today > due_on:
        return DeadlineState.OVERDUE
    if (due_on - today).days <= warn_days:
        return DeadlineState.DUE_SOON
    return DeadlineState.OPEN


def duty_left(duty_at_stake: Decimal, quantity: Decimal, quantity_left: Decimal) -> Decimal:
    """The duty on what is still under the regime, pro rata, to the đồng."""
    if quantity <= 0 or quantity_left <= 0:
        return ZERO
    return (duty_at_stake * quantity_left / quantity).quantize(Decimal(1))


def allocate(left: Sequence[tuple[str, Decimal]], quantity: Decimal) -> list[tuple[str, Decimal]]:
    """An outflow taken from the oldest open deadlines first: (deadline id, quantity taken) for each."""
    out: list[tuple[str, Decimal]] = []
    for key, q in left:
        if quantity <= 0:
            break
        take = min(q, quantity)
        if take > 0:
            out.append((key, take))
            quantity -= take
    return out
