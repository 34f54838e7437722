"""Special regimes' queries. Officers read the records of their units, an enterprise its own (scope); the
reads the consumers and the lodging check make for the whole node say so in their names (`unscoped_`).
`period_summary` is the fast aggregate that reconciliation builds on: one grouped scan of an enterprise's
stock legs, opening balances and the period's movements by kind."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, case, false, func, select
from sqlalchemy.orm import Session

from haiquan.declarations.tables import DeclarationLineRow, DeclarationRow
from haiquan.kit import pending
from haiquan.kit.auth import Scope
from haiquan.kit.sql import among
from haiquan.regimes.domain import ZERO, Account, Entry, EntryKind, Item, StockKey, normalised
from haiquan.regimes.tables import DeadlineRow, DiscrepancyRow, EpeRow, LedgerLegRow, RegimeAlertRow

L = LedgerLegRow


def _scoped(q: Any, session: Session, model: Any, scope: Scope) -> Any:
    if scope.units is not None:
        q = q.where(among(session, model.unit, scope.units)) if scope.units else q.where(false())
    if scope.enterprise_id is not None:  # an enterprise: the stocks held in its name (its tax code)
        mine = (
            model.tax_code == scope.tax_code if scope.tax_code else model.enterprise_id == scope.enterprise_id
        )
        q = q.where(mine)
    return q


def _dec(v: Any) -> Decimal:
    return ZERO if v is None else Decimal(str(v)).normalize()


# ---- ledger: entries and balances -------------------------------------------------------------------------


def ledger_legs(
    session: Session,
    *,
    scope: Scope,
    tax_code: str | None = None,
    item_code: str | None = None,
    regime: str | None = None,
    stock_only: bool = True,
    after_id: int = 0,
    limit: int = 200,
    newest_first: bool = False,
) -> list[LedgerLegRow]:
    """Legs in booking order (the latest first with `newest_first`): by default only the stock legs (one
    per movement, signed: + in, - out)."""
    q = _scoped(select(L).where(L.id > after_id), session, L, scope)
    if stock_only:
        q = q.where(L.account == Account.STOCK)
    if tax_code is not None:
        q = q.where(L.tax_code == tax_code)
    if item_code is not None:
        q = q.where(L.item_code == item_code)
    if regime is not None:
        q = q.where(L.regime == regime)
    return list(session.scalars(q.order_by(L.id.desc() if newest_first else L.id).limit(limit)))


@dataclass(frozen=True)
class Balance:
    """One stock: what came in, what went out, what is held (= in - out, never negative)."""

    tax_code: str
    regime: str
    item: Item
    quantity_in: Decimal
    quantity_out: Decimal

    @property
    def held(self) -> Decimal:
        return self.quantity_in - self.quantity_out


def _in_out() -> tuple[Any, Any]:
    return (
        func.sum(case((L.quantity > 0, L.quantity), else_=0)),
        func.sum(case((L.quantity < 0, -L.quantity), else_=0)),
    )


def balances(
    session: Session, *, scope: Scope, tax_code: str | None = None, regime: str | None = None
) -> list[Balance]:
    """Each stock's totals (enterprise, regime, item), in one grouped query over the stock legs."""
    qin, qout = _in_out()
    q = select(L.tax_code, L.regime, L.item_code, L.item_unit, qin, qout).where(L.account == Account.STOCK)
    q = _scoped(q, session, L, scope)
    if tax_code is not None:
        q = q.where(L.tax_code == tax_code)
    if regime is not None:
        q = q.where(L.regime == regime)
    q = q.group_by(L.tax_code, L.regime, L.item_code, L.item_unit).order_by(
        L.tax_code, L.regime, L.item_code, L.item_unit
    )
    return [Balance(t, r, Item(c, u), _dec(i), _dec(o)) for t, r, c, u, i, o in session.execute(q).all()]


@dataclass
class PeriodLine:
    """One stock over a period: its balance before `start`, the period's movements by entry kind (signed as
    the stock saw them: + in, - out) and its balance at the end."""

    regime: str
    item: Item
    opening: Decimal = ZERO
    by_kind: dict[str, Decimal] = field(default_factory=dict)

    @property
    def moved(self) -> Decimal:
        return sum(self.by_kind.values(), ZERO)

    @property
    def closing(self) -> Decimal:
        return self.opening + self.moved


def period_summary(
    session: Session, *, scope: Scope, tax_code: str, start: date, end: date
) -> list[PeriodLine]:
    """An enterprise's stocks over [start, end]: two grouped queries on the stock legs (the opening
    balances before `start`, the period's sums by kind), whatever the number of entries. What
    finalisation reconciles a report against."""
    base = _scoped(select(L.regime, L.item_code, L.item_unit), session, L, scope).where(
        L.tax_code == tax_code, L.account == Account.STOCK
    )
    keys = (L.regime, L.item_code, L.item_unit)
    opening = base.add_columns(func.sum(L.quantity)).where(L.day < start).group_by(*keys)
    moved = (
        base.add_columns(L.kind, func.sum(L.quantity))
        .where(L.day >= start, L.day <= end)
        .group_by(*keys, L.kind)
    )
    out: dict[tuple[str, str, str], PeriodLine] = {}
    for r, c, u, q in session.execute(opening).all():
        out[(r, c, u)] = PeriodLine(r, Item(c, u), opening=_dec(q))
    for r, c, u, kind, q in session.execute(moved).all():
        line = out.setdefault((r, c, u), PeriodLine(r, Item(c, u)))
        line.by_kind[kind] = line.by_kind.get(kind, ZERO) + _dec(q)
    return [out[k] for k in sorted(out)]


def unscoped_stock(session: Session, tax_code: str, item_codes: Iterable[str]) -> dict[StockKey, Decimal]:
    """The stocks of an enterprise's items, every regime (the consumers and the lodging check)."""
    codes = sorted(set(item_codes))
    if not codes:
        return {}
    q = (
        select(L.regime, L.item_code, L.item_unit, func.sum(L.quantity))
        .where(L.tax_code == tax_code, L.account == Account.STOCK, among(session, L.item_code, codes))
        .group_by(L.regime, L.item_code, L.item_unit)
    )
    return {(r, Item(c, u)): _dec(q) for r, c, u, q in session.execute(q).all()}


def unscoped_booked(session: Session, numbers: Iterable[str]) -> dict[str, list[Entry]]:
    """The entries booked for these declarations, rebuilt from their legs (in booking order)."""
    wanted = sorted(set(numbers))
    if not wanted:
        return {}
    q = select(L).where(among(session, L.declaration_number, wanted)).order_by(L.id)
    by_entry: dict[tuple[str, str, int], list[LedgerLegRow]] = {}
    for leg in session.scalars(q):
        by_entry.setdefault((leg.declaration_number or "", leg.event_id, leg.entry_no), []).append(leg)
    out: dict[str, list[Entry]] = {}
    for (number, _, _), legs in by_entry.items():
        debit = next(x for x in legs if x.quantity > 0)
        credit = next(x for x in legs if x.quantity < 0)
        e = Entry(EntryKind(debit.kind), Item(debit.item_code, debit.item_unit), debit.quantity,
                  (Account(debit.account), debit.regime), (Account(credit.account), credit.regime),
                  debit.line_no, debit.value_vnd, debit.duty_vnd)  # fmt: skip
        out.setdefault(number, []).append(normalised(e))
    return out


@dataclass(frozen=True)
class Declared:
    """What the ledger consumer reads of a declaration."""

    row: DeclarationRow
    lines: list[DeclarationLineRow]


def unscoped_declarations(
    session: Session, numbers: Iterable[str], codes: Iterable[str]
) -> dict[str, Declared]:
    """The declarations among `numbers` under one of `codes`, with their lines: the codes first (one narrow
    query, so a chunk of plain declarations costs one statement), the rows and lines of the others then."""
    wanted = sorted(set(numbers))
    if not wanted:
        return {}
    q = select(DeclarationRow.number).where(
        among(session, DeclarationRow.number, wanted), among(session, DeclarationRow.procedure_code, codes)
    )
    hits = sorted(session.scalars(q))
    if not hits:
        return {}
    rows = {
        r.number: r
        for r in session.scalars(select(DeclarationRow).where(among(session, DeclarationRow.number, hits)))
    }
    out = {n: Declared(r, []) for n, r in rows.items()}
    lq = select(DeclarationLineRow).where(among(session, DeclarationLineRow.number, hits))
    for line in session.scalars(lq.order_by(DeclarationLineRow.number, DeclarationLineRow.line_no)):
        out[line.number].lines.append(line)
    return out


def unscoped_pending_outflows(
    session: Session, tax_code: str, codes: Iterable[str], item_codes: Iterable[str], *, exclude: str | None
) -> dict[tuple[str, Item], Decimal]:
    """Quantities of an enterprise's declarations under outflow codes that are lodged or registered but not
    yet booked (not cleared, not dead): by (procedure code, item). The lodging check counts them taken.
    Declarations lodged earlier in the same transaction (a group-commit batch) are still buffered for the
    commit (kit.pending): they are counted from the buffer, so two lodgings of one batch cannot both draw
    the same stock."""
    items = sorted(set(item_codes))
    codes = list(codes)
    if not items:
        return {}
    d, ln = DeclarationRow, DeclarationLineRow
    party = case((d.kind == "import", d.importer_tax_code), else_=d.exporter_tax_code)
    q = (
        select(d.procedure_code, ln.hs_code, ln.quantity_unit, func.sum(ln.quantity))
        .join(ln, ln.number == d.number)
        .where(
            party == tax_code,
            among(session, d.procedure_code, codes),
            among(session, ln.hs_code, items),
            d.cleared_at.is_(None),
            d.status.not_in(("cancelled", "rejected", "expired")),
        )
        .group_by(d.procedure_code, ln.hs_code, ln.quantity_unit)
        .execution_options(**{pending.SEES_BUFFERED: True})
    )
    if exclude is not None:
        q = q.where(d.number != exclude)
    found = {(p, Item(c, u)): _dec(q) for p, c, u, q in session.execute(q).all()}
    for key, qty in _buffered_outflows(session, tax_code, set(codes), set(items), exclude).items():
        found[key] = found.get(key, ZERO) + qty
    return found


def _buffered_outflows(
    session: Session, tax_code: str, codes: set[str], items: set[str], exclude: str | None
) -> dict[tuple[str, Item], Decimal]:
    heads = {}
    for row in pending.buffered(session, cast(Table, DeclarationRow.__table__)):
        party = row.get("importer_tax_code") if row.get("kind") == "import" else row.get("exporter_tax_code")
        if party == tax_code and row.get("procedure_code") in codes and row.get("number") != exclude:
            heads[row["number"]] = str(row["procedure_code"])
    out: dict[tuple[str, Item], Decimal] = {}
    if not heads:
        return out
    for line in pending.buffered(session, cast(Table, DeclarationLineRow.__table__)):
        code = heads.get(line.get("number", ""))
        if code is not None and line.get("hs_code") in items:
            key = (code, Item(str(line["hs_code"]), str(line["quantity_unit"])))
            out[key] = out.get(key, ZERO) + _dec(line.get("quantity"))
    return out


# ---- deadlines, discrepancies, alerts, export-processing enterprises ---------------------------------------


def deadlines(
    session: Session,
    *,
    scope: Scope,
    tax_code: str | None = None,
    states: Iterable[str] | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
    limit: int = 200,
) -> list[DeadlineRow]:
    """Deadlines, the soonest first."""
    q = _scoped(select(DeadlineRow), session, DeadlineRow, scope)
    if tax_code is not None:
        q = q.where(DeadlineRow.tax_code == tax_code)
    if states is not None:
        q = q.where(among(session, DeadlineRow.state, states))
    if due_from is not None:
        q = q.where(DeadlineRow.due_on >= due_from)
    if due_to is not None:
        q = q.where(DeadlineRow.due_on <= due_to)
    return list(session.scalars(q.order_by(DeadlineRow.due_on, DeadlineRow.declaration_number,
                                           DeadlineRow.line_no).limit(limit)))  # fmt: skip


def discrepancies(
    session: Session,
    *,
    scope: Scope,
    tax_code: str | None = None,
    status: str | None = None,
    limit: int = 200,
) -> list[DiscrepancyRow]:
    """Discrepancies, the latest first."""
    q = _scoped(select(DiscrepancyRow), session, DiscrepancyRow, scope)
    if tax_code is not None:
        q = q.where(DiscrepancyRow.tax_code == tax_code)
    if status is not None:
        q = q.where(DiscrepancyRow.status == status)
    return list(session.scalars(q.order_by(DiscrepancyRow.raised_at.desc(), DiscrepancyRow.id).limit(limit)))


def alerts(
    session: Session, *, scope: Scope, status: str | None = "open", limit: int = 200
) -> list[RegimeAlertRow]:
    """Officers' alerts of their units (enterprises have none: they are told by notification)."""
    if scope.enterprise_id is not None:
        return []
    q = select(RegimeAlertRow)
    if scope.units is not None:
        q = q.where(among(session, RegimeAlertRow.unit, scope.units)) if scope.units else q.where(false())
    if status is not None:
        q = q.where(RegimeAlertRow.status == status)
    return list(session.scalars(q.order_by(RegimeAlertRow.id.desc()).limit(limit)))


def epes(session: Session, *, scope: Scope) -> list[EpeRow]:
    q = _scoped(select(EpeRow), session, EpeRow, scope)
    return list(session.scalars(q.order_by(EpeRow.tax_code)))


def enterprises_under_regimes(session: Session, *, scope: Scope) -> list[tuple[str, str, int]]:
    """(tax code, regime, stock legs) of every enterprise with a ledger in scope."""
    q = _scoped(select(L.tax_code, L.regime, func.count()), session, L, scope).where(
        L.account == Account.STOCK
    )
    q = q.group_by(L.tax_code, L.regime).order_by(L.tax_code, L.regime)
    return [(t, r, int(n)) for t, r, n in session.execute(q).all()]


@dataclass(frozen=True)
class OpenStock:
    """A report row: a unit's open stock under a regime (what entered and has not left), and its lines."""

    unit: str
    regime: str
    enterprises: int
    items: int
    quantity_held: Decimal
    value_in_vnd: Decimal


def open_stock_by_unit(session: Session, *, scope: Scope) -> list[OpenStock]:
    """Open regime stock by unit and regime: one grouped pass over the stock legs, then summed per stock."""
    q = _scoped(select(L.unit, L.regime, L.tax_code, L.item_code, L.item_unit), session, L, scope)
    q = q.add_columns(func.sum(L.quantity), func.sum(case((L.quantity > 0, L.value_vnd), else_=0)))
    q = q.where(L.account == Account.STOCK).group_by(L.unit, L.regime, L.tax_code, L.item_code, L.item_unit)
    acc: dict[tuple[str, str], list[Any]] = {}
    for unit, regime, tax, _c, _u, held, value in session.execute(q).all():
        if _dec(held) <= 0:
            continue
        row = acc.setdefault((unit, regime), [set(), 0, ZERO, ZERO])
        row[0].add(tax)
        row[1] += 1
        row[2] += _dec(held)
        row[3] += _dec(value)
    return [OpenStock(u, r, len(v[0]), v[1], v[2], v[3]) for (u, r), v in sorted(acc.items())]


@dataclass(frozen=True)
class Flow:
    """A month's movements of an enterprise's stock under a regime, by entry kind (+ in, - out)."""

    month: str  # YYYY-MM
    regime: str
    kind: str
    quantity: Decimal
    value_vnd: Decimal


def monthly_flows(session: Session, *, scope: Scope, tax_code: str) -> list[Flow]:
    """An enterprise's stock movements by month, regime and kind (the EPE's flows page): grouped by day in
    the database, by month here (the same on SQLite and PostgreSQL)."""
    q = _scoped(
        select(L.day, L.regime, L.kind, func.sum(L.quantity), func.sum(L.value_vnd)), session, L, scope
    )
    q = q.where(L.tax_code == tax_code, L.account == Account.STOCK).group_by(L.day, L.regime, L.kind)
    acc: dict[tuple[str, str, str], list[Decimal]] = {}
    for day, regime, kind, qty, value in session.execute(q).all():
        key = (day.isoformat()[:7], regime, kind)
        row = acc.setdefault(key, [ZERO, ZERO])
        row[0] += _dec(qty)
        row[1] += _dec(value)
    return [Flow(m, r, k, v[0], v[1]) for (m, r, k), v in sorted(acc.items())]
