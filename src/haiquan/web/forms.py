"""The officer's decision form: parse the posted fields into `DecisionIn`, or name each wrong field
with a message from the catalogue (Vietnamese first)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from haiquan.declarations.domain import (
    UNDER_CHECK,
    Channel,
    DecisionKind,
    LifecycleError,
    Recorded,
    Status,
    decide,
)
from haiquan.declarations.schemas import DecisionIn
from haiquan.declarations.tables import DeclarationRow
from haiquan.kit.auth import DECIDING_ROLES, Principal
from haiquan.kit.errors import DomainError
from haiquan.web import i18n

FIELDS = ("kind", "reason", "fraud_found", "findings", "full_inspection")


@dataclass
class DecisionForm:
    """What the officer typed, and the errors per field (catalogue keys with their values)."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)

    def messages(self, lang: str) -> dict[str, str]:
        return {
            f: i18n.t(key, lang, **kw) if key in i18n.MESSAGES else key
            for f, (key, kw) in self.errors.items()
        }


def _fraud(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def parse_decision(form: Mapping[str, Any]) -> tuple[DecisionIn | None, DecisionForm]:
    values = {k: str(form.get(k) or "").strip() for k in FIELDS}
    out = DecisionForm(values=values)
    inspection = values["kind"] == DecisionKind.INSPECTION_RESULT.value
    if inspection and _fraud(values["fraud_found"]) is None:
        out.errors["fraud_found"] = ("err.fraud_required", {})
    if inspection and not values["findings"]:
        out.errors["findings"] = ("err.required", {})
    try:
        data = DecisionIn.model_validate(
            {
                "kind": values["kind"],
                "reason": values["reason"],
                "fraud_found": _fraud(values["fraud_found"]) if inspection else None,
                "findings": values["findings"],
                "full_inspection": values["full_inspection"] in ("on", "1", "true"),
            }
        )
    except ValidationError as exc:
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ())]
            name = loc[0] if loc else "fraud_found"
            out.errors.setdefault(name, _message(err, values.get(name, "")))
        return None, out
    if out.errors:
        return None, out
    return data, out


def _message(err: Any, value: str) -> tuple[str, dict[str, Any]]:
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and not value) or (kind == "enum" and not value):
        return "err.required", {}
    if kind == "string_too_short":
        return "err.too_short", {"n": ctx.get("min_length", 1)}
    if kind == "string_too_long":
        return "err.too_long", {"n": ctx.get("max_length", 0)}
    if kind == "enum":
        return "err.choice", {}
    if not err.get("loc"):
        return "err.fraud_required", {}
    return "err.invalid", {}


def domain_error(form: DecisionForm, exc: DomainError) -> None:
    """A refusal of the decision itself (wrong status, not assigned) shown on the form."""
    key = f"err.{exc.code}"
    name = exc.field if exc.field in FIELDS else "form"
    form.errors[name] = (key if key in i18n.MESSAGES else exc.message, {})


def decision_kinds(row: DeclarationRow, recorded: Recorded) -> list[str]:
    """The decisions the lifecycle allows now, in a stable order."""
    status = Status(row.status)
    channel = Channel(row.channel) if row.channel else None
    out = []
    for kind in DecisionKind:
        try:
            decide(status, channel, kind, False, recorded)
        except LifecycleError:
            continue
        out.append(kind.value)
    return out


def may_decide(principal: Principal, row: DeclarationRow) -> tuple[bool, bool]:
    """(the officer may decide on this declaration, it is assigned to someone else)."""
    if principal.role not in {r.value for r in DECIDING_ROLES}:
        return False, False
    if Status(row.status) not in UNDER_CHECK and row.status != Status.HELD_BY_OTHER_AGENCY:
        return False, False
    others = bool(row.assigned_officer_id) and row.assigned_officer_id != principal.id
    if others and principal.role == "officer":
        return False, True
    return True, others
