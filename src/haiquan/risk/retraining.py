"""Retraining from our own data: the platform's declarations and their labels (risk_labels) become a
KCS-shaped table, split in time without leakage (learned/platform.py), a challenger is trained with the
existing learned-model code, and compared with the champion on the later held-out period at the lane
rates. The comparison is stored; promotion is an analyst's recorded decision. Services never commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.declarations.tables import DeclarationLineRow, DeclarationRow
from haiquan.kit import audit, clock, outbox
from haiquan.kit.db import new_id
from haiquan.kit.errors import Conflict, NotFound, ValidationFailed
from haiquan.risk import registry, scoring
from haiquan.risk.catalogue import RiskEvent
from haiquan.risk.channel import DeclarationFacts, LineFacts
from haiquan.risk.learned import platform
from haiquan.risk.learned.kcs import CODE_COLUMNS, DATE_COLUMN, ID_COLUMN, NUMERIC_COLUMNS, normalise_code
from haiquan.risk.learned.training import TrainConfig, train
from haiquan.risk.snapshot import load as load_snapshot
from haiquan.risk.tables import LabelRow, ModelComparisonRow, ModelVersionRow, RiskDecisionRow

MIN_TRAIN = 30  # labelled declarations before the cut-off


@dataclass(frozen=True)
class Dataset:
    frame: pd.DataFrame  # one row per declaration line, KCS columns + number
    decided: dict[str, datetime]
    labels: list[platform.KnownLabel]
    recorded_scores: dict[str, float]  # the score the engine gave at the decision (the champion's)


def _facts(row: DeclarationRow, lines: Sequence[DeclarationLineRow]) -> DeclarationFacts:
    return DeclarationFacts(
        row.number, row.office, row.kind, row.category, row.procedure_code, row.declarant_tax_code,
        row.importer_tax_code, row.exporter_tax_code, row.partner_country, row.transport_mode,
        row.customs_value_vnd, row.total_duties, "normal",
        [LineFacts(ln.hs_code, ln.origin_country, ln.quantity, ln.customs_value_vnd) for ln in lines],
    )  # fmt: skip


def _records(row: DeclarationRow, lines: Sequence[DeclarationLineRow]) -> list[dict[str, Any]]:
    facts = _facts(row, lines)
    at = clock.to_vn(row.registered_at or row.lodged_at).date()
    out = []
    for ln, lf in zip(lines, facts.lines, strict=True):
        fields = scoring.kcs_fields(facts, lf)
        rec: dict[str, Any] = {c: normalise_code(c, fields.get(c)) for c in CODE_COLUMNS}
        rec |= {c: float(fields[c]) for c in NUMERIC_COLUMNS}
        out.append(rec | {ID_COLUMN: f"{row.number}/{ln.line_no}", DATE_COLUMN: at, "number": row.number})
    return out


def dataset(session: Session, *, since: datetime, until: datetime) -> Dataset:
    """Registered declarations decided in [since, until), their lines, labels and recorded scores."""
    rows = list(session.scalars(select(DeclarationRow).where(
        DeclarationRow.registered_at >= since, DeclarationRow.registered_at < until
    ).order_by(DeclarationRow.registered_at, DeclarationRow.number)))  # fmt: skip
    numbers = [r.number for r in rows]
    lines: dict[str, list[DeclarationLineRow]] = {}
    for ln in session.scalars(
        select(DeclarationLineRow)
        .where(DeclarationLineRow.number.in_(numbers))
        .order_by(DeclarationLineRow.line_no)
    ):
        lines.setdefault(ln.number, []).append(ln)
    records = [rec for r in rows for rec in _records(r, lines.get(r.number, []))]
    frame = pd.DataFrame.from_records(records)
    if not frame.empty:
        frame[DATE_COLUMN] = pd.to_datetime(frame[DATE_COLUMN])
    found = session.scalars(select(LabelRow).where(LabelRow.number.in_(numbers), LabelRow.known_at < until))
    labels = [
        platform.KnownLabel(x.number, x.outcome, float(x.duty_at_stake), x.known_at, x.random_pick, x.source)
        for x in found
    ]
    q = select(RiskDecisionRow.number, RiskDecisionRow.score).where(RiskDecisionRow.number.in_(numbers))
    scores = {str(n): float(v) for n, v in session.execute(q)}
    decided = {r.number: r.registered_at for r in rows if r.registered_at is not None}
    return Dataset(frame, decided, labels, scores)


def per_declaration(frame: pd.DataFrame, line_scores: np.ndarray, numbers: Sequence[str]) -> np.ndarray:
    """A declaration scores as its highest line (as the engine does)."""
    best = pd.Series(line_scores, index=frame["number"].to_numpy()).groupby(level=0).max()
    return np.array([float(best.get(n, 0.0)) for n in numbers])


def inspected_share(session: Session) -> float:
    """The share the offices inspect at their default rates: red + yellow."""
    rates = load_snapshot(session).rates_for("*")
    return float(rates.red + rates.yellow) / 100


def train_and_compare(
    session: Session, *, cutoff: datetime, test_to: datetime, model_dir: Path, actor: str,
    history_days: int = 5 * 365, config: TrainConfig | None = None,
) -> ModelComparisonRow:  # fmt: skip
    """Train a challenger on what was known before `cutoff`; compare with the champion on [cutoff, test_to)."""
    if test_to <= cutoff:
        raise ValidationFailed("the test period ends after the cut-off", field="test_to")
    data = dataset(session, since=cutoff - timedelta(days=history_days), until=test_to)
    split = platform.time_split(data.decided, data.labels, cutoff=cutoff, test_to=test_to)
    if len(split.train) < MIN_TRAIN or not split.test:
        raise ValidationFailed(
            f"{len(split.train)} labelled declarations before the cut-off and {len(split.test)} after: "
            f"at least {MIN_TRAIN} and 1 are needed", field="cutoff",
        )  # fmt: skip
    snap_share = float(load_snapshot(session).rates_for("*").random_share) / 100
    train_rows = platform.as_kcs_labels(
        data.frame[data.frame["number"].isin(split.train)], split.train_labels, snap_share
    )
    model = train(
        train_rows.reset_index(drop=True), config or TrainConfig(fraud_rounds=150, critical_rounds=100)
    )
    model.metadata["platform"] = {"cutoff": cutoff.isoformat(), "test_to": test_to.isoformat(),
                                  "train_declarations": len(split.train)}  # fmt: skip
    model_dir.mkdir(parents=True, exist_ok=True)
    path = model_dir / f"platform-{clock.now():%Y%m%dT%H%M%S}-{new_id()[:6]}.json"
    model.save(path)
    challenger = registry.register(session, path=str(path), actor=actor)
    test_frame = data.frame[data.frame["number"].isin(split.test)].reset_index(drop=True)
    metrics = _compare(session, model, test_frame, split, data.recorded_scores)
    sources = [x.source for x in split.train_labels.values()]
    metrics["train"] = {
        "declarations": len(split.train),
        **{s: sources.count(s) for s in sorted(set(sources))},
    }
    return _store(session, challenger.version, cutoff, test_to, metrics, actor)


def _compare(
    session: Session, model: Any, test: pd.DataFrame, split: platform.Split, recorded: dict[str, float]
) -> dict[str, Any]:
    labels = [split.test_labels[n] for n in split.test]
    share = inspected_share(session)
    mine = per_declaration(test, model.score(test), split.test)
    champion_row = session.scalar(select(ModelVersionRow).where(ModelVersionRow.serving.is_(True)))
    if champion_row is not None:
        champ_model = scoring.load_version(champion_row.version, champion_row.path)
        theirs = per_declaration(test, champ_model.score(test), split.test)
        source = f"model:{champion_row.version}"
    else:  # no promoted model: the scores the engine really gave at registration
        theirs = np.array([recorded.get(n, 0.0) for n in split.test])
        source = "recorded scores (heuristic)"
    return {
        "inspected_share": share, "champion_source": source, "test_declarations": len(labels),
        "challenger": platform.comparison(mine, labels, share),
        "champion": platform.comparison(theirs, labels, share),
    }  # fmt: skip


def _store(
    session: Session, version: str, cutoff: datetime, test_to: datetime, metrics: dict[str, Any], actor: str
) -> ModelComparisonRow:
    champion = (
        metrics["champion_source"].split(":", 1)[1]
        if metrics["champion_source"].startswith("model:")
        else None
    )
    row = ModelComparisonRow(
        id=new_id(), challenger=version, champion=champion, cutoff=cutoff, test_from=cutoff, test_to=test_to,
        metrics=_finite(metrics), created_at=clock.now(), created_by=actor, decision="pending", why="",
    )  # fmt: skip
    session.add(row)
    payload = {"id": row.id, "challenger": version, "champion": champion, "cutoff": cutoff.isoformat()}
    outbox.record(session, type=RiskEvent.MODEL_COMPARED, unit="00", actor=actor, payload=payload)
    audit.append(
        session, actor=actor, action="risk.model_compared", target=f"risk_comparison:{row.id}", detail=payload
    )
    return row


def _finite(value: Any) -> Any:
    """JSON without NaN (a period without critical fraud has no capture share)."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, float) and value != value:
        return None
    return value


def decide(
    session: Session, *, comparison_id: str, promote: bool, why: str, actor: str, holder: scoring.ModelHolder
) -> ModelComparisonRow:
    """The analyst's decision on a comparison: promote the challenger (it serves from now on) or not."""
    row = session.get(ModelComparisonRow, comparison_id)
    if row is None:
        raise NotFound(f"no comparison {comparison_id}", field="comparison_id")
    if row.decision != "pending":
        raise Conflict(
            f"comparison {comparison_id} was already {row.decision}", field="comparison_id", code="decided"
        )
    if promote:
        registry.promote(session, version=row.challenger, actor=actor, holder=holder)
    row.decision, row.decided_by, row.decided_at, row.why = (
        ("promoted" if promote else "rejected"),
        actor,
        clock.now(),
        why,
    )
    payload = {"id": row.id, "challenger": row.challenger, "decision": row.decision, "why": why}
    outbox.record(session, type=RiskEvent.MODEL_COMPARISON_DECIDED, unit="00", actor=actor, payload=payload)
    audit.append(
        session,
        actor=actor,
        action="risk.model_comparison_decided",
        target=f"risk_comparison:{row.id}",
        detail=payload,
    )
    return row


def comparisons(session: Session) -> list[ModelComparisonRow]:
    return list(session.scalars(select(ModelComparisonRow).order_by(ModelComparisonRow.created_at.desc())))


def comparison(session: Session, comparison_id: str) -> ModelComparisonRow:
    row = session.get(ModelComparisonRow, comparison_id)
    if row is None:
        raise NotFound(f"no comparison {comparison_id}", field="comparison_id")
    return row
