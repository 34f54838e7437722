"""Reading enterprises' debts from the payments records: each due (a declaration's duties, a penalty, a
fee) with its regime, the ledger's receivable movements that carry its number (assessment, amendment,
write-off) and the confirmed bank payments allocated to it. Three statements for any number of payers;
`domain.account` turns them into accounts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Numeric, Select, Table, and_, delete, func, insert, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from haiquan.declarations.tables import DeclarationRow
from haiquan.kit.auth import Scope
from haiquan.kit.clock import vn_day
from haiquan.kit.db import among
from haiquan.kit.errors import NotFound, ValidationFailed
from haiquan.organization.tables import EnterpriseRow
from haiquan.payments.tables import BankPaymentRow, DeclarationDueRow, LedgerLineRow, PaymentAllocationRow
from haiquan.taxes.documents import Receipt
from haiquan.taxes.domain import Debt, Movement, regime_for
from haiquan.taxes.tables import TaxChargeRow, TaxPositionRow

DUES = cast(Table, DeclarationDueRow.__table__)
LINES = cast(Table, LedgerLineRow.__table__)
ALLOCS = cast(Table, PaymentAllocationRow.__table__)
PAYMENTS = cast(Table, BankPaymentRow.__table__)
CHARGES = cast(Table, TaxChargeRow.__table__)
DECLS = cast(Table, DeclarationRow.__table__)
POSITIONS = cast(Table, TaxPositionRow.__table__)
DEBT_KINDS = ("assessment", "amendment", "write_off")  # payments are read from their allocations


def _dues_filter(
    session: Session, tax_codes: Collection[str] | None, offices: frozenset[str] | None, only_open: bool
) -> list[Any]:
    cond: list[Any] = []
    if tax_codes is not None:
        cond.append(among(session, DUES.c.payer_tax_code, tax_codes))
    if offices is not None:
        cond.append(among(session, DUES.c.office, offices))
    if only_open:
        cond.append(DUES.c.assessed - DUES.c.paid - DUES.c.written_off > 0)
    return cond


def _debt_heads(session: Session, cond: list[Any]) -> Select[Any]:
    return (
        select(
            DUES.c.declaration_number, DUES.c.payer_tax_code, (DUES.c.guaranteed > 0).label("g"),
            DECLS.c.procedure_code,
            CHARGES.c.kind, CHARGES.c.title,
        )
        .outerjoin(DECLS, DECLS.c.number == DUES.c.declaration_number)
        .outerjoin(CHARGES, CHARGES.c.number == DUES.c.declaration_number)
        .where(and_(True, *cond))
    )  # fmt: skip


def unscoped_debts(
    session: Session,
    tax_codes: Collection[str] | None,
    *,
    offices: frozenset[str] | None = None,
    only_open: bool = False,
) -> dict[str, list[Debt]]:
    """Every debt of these payers (None: of every payer), by tax code; `offices` keeps those booked at
    these offices, `only_open` those with something still owed (enough to find what is overdue)."""
    if tax_codes is not None and not tax_codes:
        return {}
    cond = _dues_filter(session, tax_codes, offices, only_open)
    heads = session.execute(_debt_heads(session, cond)).all()
    if not heads:
        return {}
    moves: dict[str, list[Movement]] = defaultdict(list)
    wanted = select(DUES.c.declaration_number).where(and_(True, *cond))
    # plain NUMERIC (not the Money type's per-value conversion): 100,000 accounts read 2 s faster
    change = sql_cast(LINES.c.debit - LINES.c.credit, Numeric)
    q = select(LINES.c.declaration_number, LINES.c.day, change).where(
        LINES.c.account == "receivable", LINES.c.kind.in_(DEBT_KINDS), LINES.c.declaration_number.in_(wanted)
    )
    for number, day, amount in session.execute(q).all():
        moves[number].append(Movement(day, Decimal(amount)))
    q2 = (
        select(ALLOCS.c.declaration_number, PAYMENTS.c.paid_at, sql_cast(ALLOCS.c.amount, Numeric))
        .join(PAYMENTS, PAYMENTS.c.id == ALLOCS.c.payment_id)
        .where(PAYMENTS.c.status == "confirmed", ALLOCS.c.declaration_number.in_(wanted))
    )
    for number, paid_at, amount in session.execute(q2).all():
        moves[number].append(Movement(vn_day(paid_at), -Decimal(amount)))
    out: dict[str, list[Debt]] = defaultdict(list)
    for number, payer, guaranteed, procedure, kind, title in heads:
        regime = regime_for(charge_kind=kind, procedure_code=procedure, guaranteed=bool(guaranteed))
        out[payer].append(Debt(number, regime, tuple(moves.get(number, ())), title or ""))
    return dict(out)


def debts(session: Session, *, scope: Scope, tax_code: str) -> list[Debt]:
    """An enterprise's debts as the caller may read them: an enterprise its own; an officer those booked
    at the offices of the scope."""
    if scope.tax_code is not None and scope.tax_code != tax_code:
        raise NotFound(f"no tax account {tax_code} in your scope", field="tax_code")
    return unscoped_debts(session, [tax_code], offices=scope.units).get(tax_code, [])


def enterprise(session: Session, *, scope: Scope, tax_code: str) -> EnterpriseRow:
    row = session.scalar(select(EnterpriseRow).where(EnterpriseRow.tax_code == tax_code))
    if row is None or (scope.tax_code is not None and scope.tax_code != tax_code):
        raise NotFound(f"no enterprise {tax_code} in your scope", field="tax_code")
    return row


def unscoped_tax_codes(session: Session) -> list[str]:
    return list(session.scalars(select(EnterpriseRow.tax_code).order_by(EnterpriseRow.tax_code)))


def unscoped_replace_positions(session: Session, rows: list[dict[str, Any]], *, computed_on: date) -> None:
    """The nightly snapshot replaced: the positions of this recompute (older days' rows dropped). On
    PostgreSQL one COPY (an executemany of 100,000 rows took longer than computing them)."""
    session.execute(delete(POSITIONS).where(POSITIONS.c.computed_on <= computed_on))
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(POSITIONS), rows)
        return
    cols = list(rows[0])
    raw = session.connection().connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur, cur.copy(f"COPY tax_positions ({', '.join(cols)}) FROM STDIN") as copy:
        for r in rows:
            copy.write_row([r[c] for c in cols])


def positions(
    session: Session, *, scope: Scope, stages: list[str] | None, limit: int
) -> list[TaxPositionRow]:
    """The latest positions with something overdue, worst first: officers those of the enterprises that
    owe at an office of their scope; an enterprise its own."""
    q = select(TaxPositionRow).where(TaxPositionRow.overdue > 0)
    if scope.tax_code is not None:
        q = q.where(TaxPositionRow.tax_code == scope.tax_code)
    elif scope.units is not None:  # enterprises owing at an office of the scope (their whole position)
        owing = select(DUES.c.payer_tax_code).where(among(session, DUES.c.office, scope.units))
        q = q.where(TaxPositionRow.tax_code.in_(owing))
    if stages:
        q = q.where(TaxPositionRow.stage.in_(stages))
    q = q.order_by(TaxPositionRow.over_90.desc(), TaxPositionRow.overdue.desc(), TaxPositionRow.tax_code)
    return list(session.scalars(q.limit(limit)))


def unscoped_enterprise_by_id(session: Session, enterprise_id: str) -> EnterpriseRow:
    """The enterprise a penalty or a fee is charged to (officers charge any enterprise)."""
    row = session.get(EnterpriseRow, enterprise_id)
    if row is None:
        raise NotFound(f"no enterprise {enterprise_id}", field="enterprise_id")
    return row


def check_declaration(session: Session, *, scope: Scope, number: str, tax_code: str) -> None:
    """The declaration a charge names: at an office of the caller's scope, and the enterprise's (declarant,
    importer or exporter)."""
    row = session.get(DeclarationRow, number)
    if row is None or not scope.covers_unit(row.office):
        raise NotFound(f"no declaration {number} in your scope", field="declaration_id")
    parties = {row.declarant_tax_code, row.importer_tax_code, row.exporter_tax_code}
    if tax_code not in parties:
        raise ValidationFailed(f"declaration {number} is not the enterprise's", field="declaration_id")


def _charges_visible(scope: Scope) -> Select[Any]:
    q = select(TaxChargeRow)
    if scope.tax_code is not None:
        q = q.where(TaxChargeRow.tax_code == scope.tax_code)
    if scope.units is not None and scope.tax_code is None:
        q = q.where(TaxChargeRow.office.in_(scope.units))
    return q


def charge(session: Session, *, scope: Scope, number: str) -> TaxChargeRow:
    row = session.scalar(_charges_visible(scope).where(TaxChargeRow.number == number))
    if row is None:
        raise NotFound(f"no penalty or fee {number} in your scope", field="number")
    return row


def charges(session: Session, *, scope: Scope, tax_code: str | None, kind: str | None) -> list[TaxChargeRow]:
    q = _charges_visible(scope)
    if tax_code is not None:
        q = q.where(TaxChargeRow.tax_code == tax_code)
    if kind is not None:
        q = q.where(TaxChargeRow.kind == kind)
    return list(session.scalars(q.order_by(TaxChargeRow.decided_at.desc()).limit(500)))


def receipts(session: Session, *, scope: Scope, tax_code: str, number: str | None = None) -> list[Receipt]:
    """The e-receipts of what an enterprise owed and paid through the bank gateway, one per allocation of
    a confirmed payment (newest first); officers within the offices of their scope."""
    if scope.tax_code is not None and scope.tax_code != tax_code:
        raise NotFound(f"no tax account {tax_code} in your scope", field="tax_code")
    q = (
        select(ALLOCS.c.id, ALLOCS.c.reference, ALLOCS.c.declaration_number, ALLOCS.c.amount, PAYMENTS.c.bank_code,
               PAYMENTS.c.transaction_id, PAYMENTS.c.paid_at, CHARGES.c.title, EnterpriseRow.name)
        .join(PAYMENTS, PAYMENTS.c.id == ALLOCS.c.payment_id)
        .join(DUES, DUES.c.declaration_number == ALLOCS.c.declaration_number)
        .outerjoin(CHARGES, CHARGES.c.number == ALLOCS.c.declaration_number)
        .outerjoin(EnterpriseRow, EnterpriseRow.tax_code == DUES.c.payer_tax_code)
        .where(PAYMENTS.c.status == "confirmed", DUES.c.payer_tax_code == tax_code)
        .order_by(ALLOCS.c.id.desc())
        .limit(500)
    )  # fmt: skip
    if scope.units is not None and scope.tax_code is None:
        q = q.where(DUES.c.office.in_(scope.units))
    if number is not None:
        q = q.where(ALLOCS.c.id == _receipt_id(number))
    return [
        Receipt(_receipt_number(i), tax_code, name or "", Decimal(amount), ref, title or f"declaration {decl}", bank,
                txn, paid_at)
        for i, ref, decl, amount, bank, txn, paid_at, title, name in session.execute(q)
    ]  # fmt: skip


def _receipt_number(allocation_id: int) -> str:
    return f"BL{allocation_id:010d}"


def _receipt_id(number: str) -> int:
    if not (number.startswith("BL") and number[2:].isdigit()):
        raise NotFound(f"no receipt {number}", field="number")
    return int(number[2:])


def unscoped_last_computed_on(session: Session) -> date | None:
    return session.scalar(select(func.max(TaxPositionRow.computed_on)))
