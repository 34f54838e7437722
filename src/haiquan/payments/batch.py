"""Bank confirmations booked set-based: one batch of up to 500 confirmations costs a handful of queries
(banks, repeats, the dues locked in one ordered SELECT ... FOR UPDATE, the references, one multi-row insert
of the payments that skips (bank, transaction id) pairs another transaction booked meanwhile) plus the
grouped inserts of allocations, ledger lines, outbox events and audit entries at flush. Each confirmation is
answered individually: booked (201), a repeat of the first booking (200), or refused (403, 409, 422) without
touching the others. The single-confirmation endpoint is a batch of one."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from pydantic import ValidationError as PydanticError
from sqlalchemy import Integer, Table, bindparam, case, delete, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from haiquan.kit import audit, clock, outbox
from haiquan.kit.auth import Principal
from haiquan.kit.clock import vn_day
from haiquan.kit.db import among, new_id
from haiquan.kit.errors import Conflict, DomainError, ValidationFailed
from haiquan.kit.inbound import nul_path
from haiquan.kit.money import vnd
from haiquan.payments import ledger, service
from haiquan.payments.banks import refusal as bank_refusal
from haiquan.payments.batch_reads import (
    LockedDue,
    OpenRef,
    answer,
    callers_banks,
    check_refs,
    earlier_bookings,
    lock_dues,
    reference_codes,
    references_of,
    same_booking,
    shares_of,
)
from haiquan.payments.catalogue import PaymentEvent
from haiquan.payments.domain import ZERO, Due, EntryKind, allocate, payment
from haiquan.payments.schemas import (
    ItemProblem,
    PaymentBatchItem,
    PaymentBatchOut,
    PaymentIn,
    PaymentOut,
    Share,
)
from haiquan.payments.tables import (
    BankPaymentRow,
    DeclarationDueRow,
    PaymentAllocationRow,
    PaymentReferenceRow,
)

MAX_BATCH = 500


@dataclass
class Outcome:
    """The answer to one confirmation of a batch: a booking (new or repeated) or the reason it was refused."""

    status: int
    payment: PaymentOut | None = None
    error: DomainError | None = None


@dataclass
class _Plan:
    """A confirmation that passed every check, with its allocation computed against the locked dues."""

    index: int
    data: PaymentIn
    refs: list[OpenRef]
    shares: list[tuple[OpenRef, Decimal]]
    excess: Decimal
    row: dict[str, Any]


class _Raced(Exception):
    """Another transaction booked one of the (bank, transaction id) pairs between our read and insert."""


def confirm_many(session: Session, *, principal: Principal, items: Sequence[PaymentIn]) -> list[Outcome]:
    """Book a batch of confirmations in the caller's transaction; one outcome per item, in order."""
    if len(items) > MAX_BATCH:
        raise ValidationFailed(f"at most {MAX_BATCH} confirmations in one batch", field="items")
    for attempt in range(2):
        try:
            return _confirm_once(session, principal, items)
        except _Raced:
            if attempt:
                raise Conflict(
                    "confirmations raced with another booking; send them again", field="items"
                ) from None
    raise AssertionError("unreachable")


def _confirm_once(session: Session, principal: Principal, items: Sequence[PaymentIn]) -> list[Outcome]:
    banks = callers_banks(session, principal, {d.bank for d in items})
    priors = earlier_bookings(session, {(d.bank, d.transaction_id) for d in items if d.bank in banks})
    outcomes: dict[int, Outcome] = {}
    codes: dict[int, list[str]] = {}
    for i, d in enumerate(items):
        refused = bank_refusal(banks.get(d.bank), d.bank, principal.tax_code)
        if refused is not None:
            outcomes[i] = Outcome(403, error=refused)
        elif (d.bank, d.transaction_id) not in priors:
            try:
                codes[i] = reference_codes(d)
            except DomainError as exc:
                outcomes[i] = Outcome(exc.status, error=exc)
    wanted = {c for cs in codes.values() for c in cs}
    dues = lock_dues(session, {c[:12] for c in wanted})
    refs = references_of(session, wanted)
    plans = _plan(items, codes, refs, dues, outcomes)
    _insert_payments(session, plans)
    _book(session, plans, dues, principal.label)
    outcomes |= {p.index: Outcome(201, payment=_planned_answer(p)) for p in plans}
    prior_allocs = shares_of(session, list(priors.values()))
    for i, d in enumerate(items):
        if i in outcomes:
            continue
        prior = priors.get((d.bank, d.transaction_id))
        if prior is not None:
            outcomes[i] = _repeat(prior, d, prior_allocs[prior.id])
    return [outcomes[i] for i in range(len(items))]


_CONFLICT = Conflict(
    "this transaction id was confirmed with another amount or references", field="transaction_id"
)


def _repeat(prior: BankPaymentRow, data: PaymentIn, allocs: Sequence[PaymentAllocationRow]) -> Outcome:
    if not same_booking(prior, data):
        return Outcome(409, error=_CONFLICT)
    return Outcome(200, payment=answer(prior, allocs))


def _plan(
    items: Sequence[PaymentIn],
    codes: dict[int, list[str]],
    refs: dict[str, OpenRef],
    dues: dict[str, LockedDue],
    outcomes: dict[int, Outcome],
) -> list[_Plan]:
    """Allocate each new confirmation in the order received, against what the earlier ones left open."""
    left = {r.reference: r.amount_due - r.amount_paid for r in refs.values()}
    seen: dict[tuple[str, str], int] = {}
    repeats: dict[int, int] = {}
    plans: list[_Plan] = []
    now = clock.now()
    for i, cs in codes.items():
        d = items[i]
        first = seen.get((d.bank, d.transaction_id))
        if first is not None:  # the same transaction twice in one batch: a repeat of the first
            repeats[i] = first
            continue
        try:
            rows = check_refs(d, cs, refs)
            if any(r.declaration_number not in dues for r in rows):
                raise ValidationFailed("no duties are recorded for this reference", field="references[0]")
        except DomainError as exc:
            outcomes[i] = Outcome(exc.status, error=exc)
            continue
        alloc = allocate(d.amount, [Due(r.reference, r.declaration_number, left[r.reference]) for r in rows])
        by_ref = {r.reference: r for r in rows}
        shares = [(by_ref[s.reference], s.amount) for s in alloc.shares]
        for ref, amount in shares:
            left[ref.reference] -= amount
        row = {"id": new_id(), "bank_code": d.bank, "transaction_id": d.transaction_id, "amount": d.amount,
               "allocated": alloc.allocated, "excess": alloc.excess, "payer_tax_code": d.payer_tax_code,
               "references": ",".join(d.references), "paid_at": d.paid_at, "received_at": now,
               "bank_day": vn_day(d.paid_at), "status": "confirmed", "reversal_reason": ""}  # fmt: skip
        seen[(d.bank, d.transaction_id)] = i
        plans.append(_Plan(i, d, rows, shares, alloc.excess, row))
    by_index = {p.index: p for p in plans}
    for i, f in repeats.items():
        same = (by_index[f].data.amount, by_index[f].data.references) == (
            items[i].amount,
            items[i].references,
        )
        outcomes[i] = (
            Outcome(200, payment=_planned_answer(by_index[f])) if same else Outcome(409, error=_CONFLICT)
        )
    return plans


def _planned_answer(p: _Plan) -> PaymentOut:
    r = p.row
    return PaymentOut(
        id=r["id"], bank=r["bank_code"], transaction_id=r["transaction_id"], amount=vnd(r["amount"]),
        allocated=vnd(r["allocated"]), excess=vnd(r["excess"]), status="confirmed", paid_at=r["paid_at"],
        shares=[Share(reference=ref.reference, declaration_number=ref.declaration_number, amount=vnd(a))
                for ref, a in p.shares],
    )  # fmt: skip


def _insert_payments(session: Session, plans: list[_Plan]) -> None:
    """One multi-row insert that skips pairs already booked; if another transaction booked one of ours
    meanwhile, undo our rows and start the batch over (the repeat is then answered from the first)."""
    if not plans:
        return
    dialect = session.get_bind().dialect.name
    ins: Any = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(
        cast(Table, BankPaymentRow.__table__)
    )
    stmt = ins.on_conflict_do_nothing().returning(
        cast(Table, BankPaymentRow.__table__).c.id
    )  # compiled once, cached
    booked = set(session.execute(stmt, [p.row for p in plans]).scalars().all())
    if len(booked) != len(plans):
        if booked:
            session.execute(delete(BankPaymentRow).where(among(session, BankPaymentRow.id, booked)))
        session.expire_all()
        raise _Raced


def _book(session: Session, plans: list[_Plan], dues: dict[str, LockedDue], actor: str) -> None:
    allocations = [
        {"payment_id": p.row["id"], "reference": ref.reference, "declaration_number": ref.declaration_number,
         "amount": amount}
        for p in plans for ref, amount in p.shares
    ]  # fmt: skip
    if allocations:
        session.execute(insert(cast(Table, PaymentAllocationRow.__table__)), allocations)
    lines: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for p in plans:
        _book_one(p, dues, actor, lines, events)
        row = p.row
        audit.append(session, actor=actor, action="payment.received",
                     target=f"payment:{row['bank_code']}:{row['transaction_id']}", unit=p.refs[0].office,
                     detail={"amount": str(row["amount"]), "references": row["references"]})  # fmt: skip
    ledger.write_lines(session, lines)
    outbox.record_many(session, events)
    _write_back(session, dues, [r for p in plans for r, _ in p.shares])


def _book_one(
    p: _Plan,
    dues: dict[str, LockedDue],
    actor: str,
    lines: list[dict[str, Any]],
    events: list[dict[str, Any]],
) -> None:
    """The ledger entries (one per office), the settlement events and `payment.received` of one booking,
    in the order a single confirmation writes them."""
    per_office: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for ref, amount in p.shares:
        ref.amount_paid += amount
        ref.added += amount
        dues[ref.declaration_number].paid += amount
        dues[ref.declaration_number].changed = True
        per_office[ref.office] += amount
    first_office, row = p.refs[0].office, p.row
    single = len({r.declaration_number for r in p.refs}) == 1
    for office in sorted(set(per_office) | {first_office}):
        made = ledger.entry(
            office=office, kind=EntryKind.PAYMENT,
            postings=payment(per_office[office], p.excess if office == first_office else ZERO),
            source=f"payment:{row['id']}:{office}", actor=actor, at=row["paid_at"],
            declaration_number=p.refs[0].declaration_number if single else None,
        )  # fmt: skip
        if made is not None:
            lines.extend(made[0])
            events.append(made[1])
    for ref, _ in p.shares:
        settled = service.settlement(dues[ref.declaration_number], reference=ref.reference, actor=actor)
        if settled is not None:
            events.append(settled)
    events.append(outbox.row_for(type=PaymentEvent.RECEIVED, unit=first_office, actor=actor, payload={
        "id": row["id"], "bank": row["bank_code"], "transaction_id": row["transaction_id"],
        "amount": str(row["amount"]), "excess": str(row["excess"]), "paid_at": row["paid_at"].isoformat(),
        "references": list(p.data.references)}))  # fmt: skip


def _write_back(session: Session, dues: dict[str, LockedDue], refs: list[OpenRef]) -> None:
    """References move by the amounts added (relative, safe under any interleaving); the dues, locked, are
    written with their version checked, each in one executemany."""
    touched = {r.reference: r for r in refs}
    if touched:
        t = cast(Table, PaymentReferenceRow.__table__)
        paid = t.c.amount_paid + bindparam("add", type_=t.c.amount_paid.type)
        session.execute(
            update(t).where(t.c.reference == bindparam("ref"))
            .values(amount_paid=paid, status=case((paid >= t.c.amount_due, "paid"), else_="open")),
            [{"ref": r.reference, "add": r.added} for r in touched.values()],
        )  # fmt: skip
    changed = [d for d in dues.values() if d.changed]
    if changed:
        t = cast(Table, DeclarationDueRow.__table__)
        v = bindparam("v", type_=Integer)
        res = session.execute(
            update(t).where(t.c.declaration_number == bindparam("n"), t.c.version == v)
            .values(paid=bindparam("paid", type_=t.c.paid.type), settled_sent=bindparam("sent"), version=v + 1),
            [{"n": d.declaration_number, "v": d.version, "paid": d.paid, "sent": d.settled_sent} for d in changed],
        )  # fmt: skip
        if cast(CursorResult[Any], res).rowcount not in (-1, len(changed)):
            raise Conflict("a declaration's dues changed while the batch was booked; send it again")


def _parse(raw: dict[str, Any]) -> PaymentIn | DomainError:
    nul = nul_path(raw)
    if nul is not None:  # PostgreSQL cannot store it: this item is refused, the others go on
        return ValidationFailed(f"{nul} contains a NUL character", field=nul)
    try:
        return PaymentIn.model_validate(raw)
    except PydanticError as exc:
        first = exc.errors()[0]
        field = ".".join(str(x) for x in first.get("loc", ())) or "body"
        return ValidationFailed(str(first.get("msg", "invalid")).removeprefix("Value error, "), field=field)


def confirm_batch(
    session: Session, *, principal: Principal, raw: Sequence[dict[str, Any]]
) -> PaymentBatchOut:
    """The batch endpoint: parse each item on its own, book the valid ones together, answer each."""
    parsed = [_parse(r) for r in raw]
    good = [(i, p) for i, p in enumerate(parsed) if isinstance(p, PaymentIn)]
    booked = confirm_many(session, principal=principal, items=[p for _, p in good])
    outcomes: dict[int, Outcome] = {i: o for (i, _), o in zip(good, booked, strict=True)}
    outcomes |= {i: Outcome(422, error=p) for i, p in enumerate(parsed) if isinstance(p, DomainError)}
    results = []
    for i in range(len(raw)):
        o = outcomes[i]
        problem = None if o.error is None else ItemProblem(
            status=o.status, code=o.error.code, detail=o.error.message, field=o.error.field)  # fmt: skip
        results.append(PaymentBatchItem(index=i, status=o.status, payment=o.payment, problem=problem))
    count = {s: sum(1 for r in results if r.status == s) for s in (200, 201)}
    return PaymentBatchOut(booked=count[201], repeated=count[200], refused=len(results) - count[200] - count[201],
                           results=results)  # fmt: skip
