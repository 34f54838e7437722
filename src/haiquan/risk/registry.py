"""The registry of learned models: register a file, promote it to serving (the engine switches only
after loading and checking it; a failed load leaves the current model). Services never commit."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from haiquan.kit import audit, clock, outbox
from haiquan.kit.errors import Conflict, NotFound, ValidationFailed
from haiquan.kit.files import InputFileError, read_limited
from haiquan.risk import scoring
from haiquan.risk.catalogue import RiskEvent
from haiquan.risk.tables import ModelVersionRow


def register(session: Session, *, path: str, actor: str) -> ModelVersionRow:
    """Record a model file after loading it (a file from another feature version is refused)."""
    file = Path(path).resolve()
    try:
        model = scoring.load_model(str(file))
    except scoring.ModelLoadError as exc:
        raise ValidationFailed(str(exc), field="path", code="bad_model") from exc
    if session.scalar(select(ModelVersionRow).where(ModelVersionRow.path == str(file))) is not None:
        raise Conflict(f"{file} is already registered", field="path")
    meta: dict[str, Any] = dict(getattr(model, "metadata", {}) or {})
    try:  # the file load_model checked; refused if it has grown past the limit since
        version = hashlib.sha256(read_limited(file, limit=scoring.MAX_MODEL_BYTES)).hexdigest()[:12]
    except InputFileError as exc:
        raise ValidationFailed(str(exc), field="path", code="bad_model") from exc
    if session.get(ModelVersionRow, version) is not None:
        raise Conflict(f"the same model is registered as {version}", field="path")
    row = ModelVersionRow(
        version=version,
        path=str(file),
        feature_version=scoring.code_feature_version() or "",
        metrics=dict(meta.get("valid_metrics") or meta.get("metrics") or {}),
        data_window=dict(meta.get("train_window") or {}),
        created_at=clock.now(),
        serving=False,
    )
    session.add(row)
    outbox.record(
        session,
        type=RiskEvent.MODEL_REGISTERED,
        unit="00",
        actor=actor,
        payload={"version": version, "path": str(file)},
    )
    audit.append(session, actor=actor, action="risk.model_registered", target=f"risk_model:{version}")
    return row


def promote(session: Session, *, version: str, actor: str, holder: scoring.ModelHolder) -> ModelVersionRow:
    row = session.get(ModelVersionRow, version)
    if row is None:
        raise NotFound(f"no model version {version}", field="version")
    try:
        holder.switch(row.version, row.path)
    except scoring.ModelLoadError as exc:
        raise ValidationFailed(
            f"the model cannot serve, the current one stays: {exc}", field="version", code="bad_model"
        ) from exc
    for other in session.scalars(select(ModelVersionRow).where(ModelVersionRow.serving.is_(True))):
        other.serving = False
    row.serving, row.promoted_at, row.promoted_by = True, clock.now(), actor
    outbox.record(
        session, type=RiskEvent.MODEL_PROMOTED, unit="00", actor=actor, payload={"version": version}
    )
    audit.append(session, actor=actor, action="risk.model_promoted", target=f"risk_model:{version}")
    return row


def listing(session: Session) -> list[ModelVersionRow]:
    return list(session.scalars(select(ModelVersionRow).order_by(ModelVersionRow.created_at.desc())).all())


def by_path(session: Session, path: str) -> ModelVersionRow | None:
    return session.scalar(select(ModelVersionRow).where(ModelVersionRow.path == str(Path(path).resolve())))
