"""Rule profiles: create, change (a new version each time, with who and why), list, and test a criteria
text against past declarations ("how many would this have hit last month"). Services never commit."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.declarations.registration import facts_from_rows
from haiquan.declarations.tables import DecisionRow, DeclarationLineRow, DeclarationRow
from haiquan.kit import audit, clock, outbox
from haiquan.kit.auth import Scope
from haiquan.kit.errors import Conflict, NotFound, ValidationFailed
from haiquan.organization.tables import EnterpriseRow, UnitRow
from haiquan.risk import criteria, evaluation, snapshot
from haiquan.risk.catalogue import RiskEvent
from haiquan.risk.channel import DEFAULT_RULES, Rule
from haiquan.risk.schemas import ProfileChange, ProfileIn
from haiquan.risk.tables import ProfileRow, ProfileVersionRow

TEST_LIMIT = 20000


def check_criteria(text: str, field: str = "criteria") -> criteria.Rule:
    try:
        return criteria.parse(text)
    except criteria.CriteriaError as exc:
        raise ValidationFailed(str(exc), field=field, code="bad_criteria") from exc


def _check(session: Session, rule: criteria.Rule, units: list[str], vf: date | None, vt: date | None) -> None:
    for i, u in enumerate(units):
        if session.get(UnitRow, u) is None:
            raise ValidationFailed(f"unknown unit {u!r}", field=f"units.{i}")
    if vf and vt and vt < vf:
        raise ValidationFailed("valid_to is before valid_from", field="valid_to")
    for cur in evaluation.currencies(rule.condition):
        if cur not in snapshot.fx_rates(session, {cur}, clock.now().date()):
            raise ValidationFailed(f"no exchange rate for {cur} today", field="criteria", code="no_rate")


def _snapshot(row: ProfileRow) -> dict[str, Any]:
    return {
        "name": row.name,
        "criteria": row.criteria,
        "units": list(row.units),
        "valid_from": row.valid_from.isoformat() if row.valid_from else None,
        "valid_to": row.valid_to.isoformat() if row.valid_to else None,
        "active": row.active,
        "reason_vi": row.reason_vi,
        "reason_en": row.reason_en,
    }


def _history(session: Session, row: ProfileRow, *, actor: str, why: str, event: RiskEvent) -> None:
    now = clock.now()
    session.add(
        ProfileVersionRow(
            profile_id=row.id,
            version=row.version,
            snapshot=_snapshot(row),
            changed_at=now,
            changed_by=actor,
            why=why,
        )
    )
    payload = {"id": row.id, "version": row.version, **_snapshot(row), "why": why}
    outbox.record(session, type=event, unit="00", actor=actor, payload=payload)
    audit.append(
        session,
        actor=actor,
        action=event,
        target=f"risk_profile:{row.id}",
        detail={"version": row.version, "criteria": row.criteria[:300], "why": why[:200]},
    )


def create(session: Session, *, data: ProfileIn, actor: str) -> ProfileRow:
    rule = check_criteria(data.criteria)
    _check(session, rule, data.units, data.valid_from, data.valid_to)
    if session.get(ProfileRow, data.id) is not None:
        raise Conflict(f"profile {data.id} exists: change it with PATCH", field="id")
    row = ProfileRow(
        id=data.id,
        name=data.name,
        criteria=criteria.show_rule(rule),
        units=list(data.units),
        valid_from=data.valid_from,
        valid_to=data.valid_to,
        active=data.active,
        reason_vi=data.reason_vi,
        reason_en=data.reason_en,
        version=1,
        updated_at=clock.now(),
        updated_by=actor,
    )
    session.add(row)
    session.flush()
    _history(session, row, actor=actor, why=data.why, event=RiskEvent.PROFILE_CREATED)
    return row


def change(session: Session, *, profile_id: str, data: ProfileChange, actor: str) -> ProfileRow:
    row = get(session, profile_id)
    fields = data.model_dump(exclude_unset=True, exclude={"why"})
    if not fields:
        raise ValidationFailed("nothing to change", field="body")
    if "criteria" in fields:
        fields["criteria"] = criteria.show_rule(check_criteria(fields["criteria"]))
    for name, value in fields.items():
        setattr(row, name, value)
    _check(session, criteria.parse(row.criteria), list(row.units), row.valid_from, row.valid_to)
    row.version += 1
    row.updated_at, row.updated_by = clock.now(), actor
    _history(session, row, actor=actor, why=data.why, event=RiskEvent.PROFILE_CHANGED)
    return row


def get(session: Session, profile_id: str) -> ProfileRow:
    row = session.get(ProfileRow, profile_id)
    if row is None:
        raise NotFound(f"no risk profile {profile_id}", field="profile_id")
    return row


def listing(session: Session, *, active_only: bool = False) -> list[ProfileRow]:
    q = select(ProfileRow).order_by(ProfileRow.id)
    if active_only:
        q = q.where(ProfileRow.active.is_(True))
    return list(session.scalars(q).all())


def versions(session: Session, profile_id: str) -> list[ProfileVersionRow]:
    get(session, profile_id)
    q = select(ProfileVersionRow).where(ProfileVersionRow.profile_id == profile_id)
    return list(session.scalars(q.order_by(ProfileVersionRow.version)).all())


def past_declarations(
    session: Session, scope: Scope, date_from: date, date_to: date
) -> list[tuple[DeclarationRow, list[DeclarationLineRow], str]]:
    """Registered declarations in the caller's units, with their lines and the declarant's class."""
    start = datetime.combine(date_from, time.min, tzinfo=UTC)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=UTC)
    q = select(DeclarationRow, EnterpriseRow.compliance_class).join(
        EnterpriseRow, EnterpriseRow.id == DeclarationRow.declarant_id
    )
    q = q.where(DeclarationRow.registered_at >= start, DeclarationRow.registered_at < end)
    if scope.units is not None:
        q = q.where(DeclarationRow.office.in_(scope.units))
    rows = session.execute(q.order_by(DeclarationRow.registered_at).limit(TEST_LIMIT)).all()
    numbers = [r[0].number for r in rows]
    lines: dict[str, list[DeclarationLineRow]] = {}
    for chunk in range(0, len(numbers), 500):
        part = numbers[chunk : chunk + 500]
        for ln in session.scalars(
            select(DeclarationLineRow)
            .where(DeclarationLineRow.number.in_(part))
            .order_by(DeclarationLineRow.line_no)
        ):
            lines.setdefault(ln.number, []).append(ln)
    return [(r[0], lines.get(r[0].number, []), r[1]) for r in rows]


def test(
    session: Session,
    *,
    text: str,
    scope: Scope,
    date_from: date,
    date_to: date,
    watched: dict[str, frozenset[str]],
) -> dict[str, Any]:
    """How many past declarations the rule would have hit, their lanes then, and the frauds among them
    (watch lists and exchange rates as of today)."""
    rule = check_criteria(text)
    fx = snapshot.fx_rates(session, evaluation.currencies(rule.condition), clock.now().date())
    engine_snapshot = snapshot.Snapshot(watched=watched, fx=fx)
    if date_to < date_from:
        raise ValidationFailed("date_to is before date_from", field="date_to")
    if (date_to - date_from).days > 366:
        raise ValidationFailed("test at most one year of declarations at a time", field="date_from")
    past = past_declarations(session, scope, date_from, date_to)
    hits: list[str] = []
    by_lane: dict[str, int] = {"green": 0, "blue": 0, "yellow": 0, "red": 0}
    for row, lines, cls in past:
        if evaluation.matches(rule, snapshot.FactsSubject(facts_from_rows(row, lines, cls), engine_snapshot)):
            hits.append(row.number)
            if row.channel in by_lane:
                by_lane[row.channel] += 1
    frauds = 0
    if hits:
        found = session.scalars(
            select(DecisionRow.number).where(
                DecisionRow.number.in_(hits[:5000]), DecisionRow.fraud_found.is_(True)
            )
        ).all()
        frauds = len(set(found))
    return {
        "criteria": criteria.show_rule(rule),
        "date_from": date_from,
        "date_to": date_to,
        "declarations": len(past),
        "hits": len(hits),
        "hit_share": round(len(hits) / len(past), 4) if past else 0.0,
        "hits_by_lane_then": by_lane,
        "frauds_found_among_hits": frauds,
        "sample": hits[:20],
        "truncated": len(past) >= TEST_LIMIT,
    }


def rule_text(rule: Rule) -> str:
    """The criteria text of a `RuleSetEngine` rule (channel.py), so that its defaults become profiles."""
    parts = []
    if rule.compliance_classes:
        parts.append(f"compliance_class in ({', '.join(rule.compliance_classes)})")
    if rule.hs_prefixes:
        parts.append("(" + " or ".join(f"hs starts {p}" for p in rule.hs_prefixes) + ")")
    if rule.origins:
        parts.append(f"origin in ({', '.join(rule.origins)})")
    return " and ".join(parts) + f" -> {rule.channel}"


def install_defaults(session: Session, *, actor: str) -> list[str]:
    """The default rules of the plain rule-set engine as profiles (those not there yet)."""
    added = []
    for rule in DEFAULT_RULES:
        pid = rule.id.replace("R-", "P-", 1)
        if session.get(ProfileRow, pid) is not None:
            continue
        data = ProfileIn(
            id=pid, name=rule.reason_en, criteria=rule_text(rule), reason_vi=rule.reason_vi,
            reason_en=rule.reason_en, why="default rule of the rule-set engine",
        )  # fmt: skip
        create(session, data=data, actor=actor)
        added.append(pid)
    return added
