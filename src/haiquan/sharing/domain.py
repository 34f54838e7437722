"""Federation rules, pure: the event envelope, subjects and streams of a node, agency feed filtering and the
per-unit summary measures. No NATS, no database."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from haiquan.kit import catalogue
from haiquan.kit.outbox import Event, default_subject, quick_event
from haiquan.organization.domain import UnitTree

# 2: event types named as facts, from the catalogues (decision 0017). 1: the names before; a node that has
# not been upgraded still sends them, and `decode` gives them their current names.
ENVELOPE_VERSION = 2
FORMER_NAMES_UNTIL = 1  # envelopes up to this version may carry former names
EVENT_PREFIX = "hq.ev"
REF_PREFIX = "hq.ref"
AGENCY_PREFIX = "hq.agency"
WORK_PREFIX = "hq.work"  # work routed down to the node it concerns (sharing/work, decision 0039)

# Payload keys that carry personal data: removed from an agency feed unless the agreement names them.
PERSONAL_FIELDS = frozenset(
    {"persons", "person", "name", "full_name", "id_number", "passport", "phone", "email", "address", "dob"}
)
_json_string = json.encoder.encode_basestring  # a str as JSON, non-ASCII kept (as ensure_ascii=False)
ENVELOPE_FIELDS = ("id", "type", "version", "unit", "subject", "occurred_at", "actor", "payload")


class EnvelopeError(ValueError):
    """A message that is not a valid haiquan event envelope."""


def envelope(event: Event) -> dict[str, Any]:
    """The stable wire form of an event (docs/schemas/event-envelope.schema.json)."""
    return {
        "envelope": ENVELOPE_VERSION,
        "id": event.id,
        "type": event.type,
        "version": event.version,
        "unit": event.unit,
        "subject": event.subject,
        "occurred_at": event.occurred_at.isoformat(),
        "actor": event.actor,
        "payload": event.payload,
    }


def encode(event: Event) -> bytes:
    return json.dumps(envelope(event), ensure_ascii=False, separators=(",", ":"), default=str).encode()


def encode_with_payload(event: Event, payload_json: str) -> bytes:
    """The envelope with the payload given as JSON text (as the outbox stores it): the relay does not
    decode and encode it again. The same fields in the same order, and the same bytes as `encode` when the
    text is the payload's compact JSON."""
    q = _json_string
    return (
        f'{{"envelope":{ENVELOPE_VERSION},"id":{q(event.id)},"type":{q(event.type)},'
        f'"version":{int(event.version)},"unit":{q(event.unit)},"subject":{q(event.subject)},'
        f'"occurred_at":{q(event.occurred_at.isoformat())},"actor":{q(event.actor)},"payload":{payload_json}}}'
    ).encode()


def decode(data: bytes | str, *, origin: str | None = None) -> Event:
    try:
        raw = json.loads(data)
        envelope_version = int(raw.get("envelope", 1))
        occurred = datetime.fromisoformat(raw["occurred_at"])
        if occurred.tzinfo is None:
            raise EnvelopeError("occurred_at has no time zone")
        event = quick_event(  # id, seq, type, version, unit, subject, occurred_at, actor, payload, origin
            str(raw["id"]),
            0,
            str(raw["type"]),
            int(raw["version"]),
            str(raw["unit"]),
            str(raw["subject"]),
            occurred,
            str(raw["actor"]),
            dict(raw["payload"]),
            origin,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise EnvelopeError(f"not an event envelope: {exc}") from exc
    if len(event.id) > 32 or not event.id:
        raise EnvelopeError("event id must be 1 to 32 characters")
    if event.subject != default_subject(event.type, event.unit):
        raise EnvelopeError(f"subject {event.subject} does not match unit {event.unit} and type {event.type}")
    if envelope_version <= FORMER_NAMES_UNTIL:
        return current_names(event)
    return event


def current_names(event: Event) -> Event:
    """An event of an envelope 1 under the name its type has now (and the subject that goes with it)."""
    name = catalogue.current_name(event.type)
    if name == event.type:
        return event
    e = event
    subject = default_subject(name, e.unit)
    return quick_event(
        e.id, e.seq, name, e.version, e.unit, subject, e.occurred_at, e.actor, e.payload, e.origin
    )


def department_of_code(unit: str) -> str:
    return unit[:2] if len(unit) >= 2 else unit


def unit_subjects(units: Iterable[str]) -> list[str]:
    """One wildcard per unit: hq.ev.<dept>.<unit>.> (a department's whole subtree is hq.ev.<dept>.>)."""
    return sorted(f"{EVENT_PREFIX}.{department_of_code(u)}.{u}.>" for u in units)


def unit_of_subject(subject: str) -> str | None:
    parts = subject.split(".")
    if len(parts) < 5 or ".".join(parts[:2]) != EVENT_PREFIX:
        return None
    return parts[3]


def domain_of(unit: str) -> str:
    """JetStream domain of a node's server."""
    return f"u{unit}"


def event_stream(unit: str) -> str:
    return f"EV_{unit}"


def ref_stream(unit: str) -> str:
    return f"REF_{unit}"


def agency_stream(agency: str) -> str:
    return f"AG_{agency}"


def agency_subject(agency: str, event: Event) -> str:
    return f"{AGENCY_PREFIX}.{agency}.{event.unit}.{event.type}"


@dataclass(frozen=True)
class NodeLayout:
    """What one node serves: its unit's subtree, less the subtrees of the nodes below it."""

    unit: str
    parent: str | None
    children: tuple[str, ...]
    subtree: frozenset[str]
    own_units: frozenset[str]
    child_units: dict[str, frozenset[str]]

    @classmethod
    def build(cls, tree: UnitTree, unit: str, *, parent: str | None, children: Iterable[str]) -> NodeLayout:
        if tree.get(unit) is None:
            raise ValueError(f"unknown unit {unit}")
        subtree = tree.subtree(unit)
        kids = tuple(sorted(set(children)))
        child_units: dict[str, frozenset[str]] = {}
        for child in kids:
            if child == unit or child not in subtree:
                raise ValueError(f"child node {child} is not below {unit}")
            child_units[child] = tree.subtree(child)
        below = frozenset().union(*child_units.values()) if child_units else frozenset()
        return cls(unit, parent or None, kids, subtree, subtree - below, child_units)

    def child_of(self, unit: str) -> str | None:
        for child, units in self.child_units.items():
            if unit in units:
                return child
        return None


def hub_units(units: str) -> list[str]:
    """The units a node serves, as given to `serve --unit` (a regional hub: several, comma-separated)."""
    return [u.strip() for u in units.split(",") if u.strip()]


def hub_layouts(
    tree: UnitTree, units: Iterable[str], *, parent: str | None, children: Iterable[str]
) -> tuple[NodeLayout, ...]:
    """A regional hub: one node serving several sibling departments (Đà Nẵng for 31, 32, 33, 34, 35 and 60),
    each department kept apart as a node of its own (its nats-server, JetStream domain, streams and users),
    its child nodes those below it. One unit gives the one layout NodeLayout.build gives (decision 0040)."""
    served = list(dict.fromkeys(units))
    if not served:
        raise ValueError("name the unit (or units) the node serves")
    parents = set()
    for u in served:
        row = tree.get(u)
        if row is None:
            raise ValueError(f"unknown unit {u}")
        parents.add(row.parent)
    if len(parents) != 1:
        raise ValueError(f"the departments of a hub must be siblings: {', '.join(served)}")
    kids: dict[str, list[str]] = {u: [] for u in served}
    for child in dict.fromkeys(children):
        owner = next((u for u in served if child != u and child in tree.subtree(u)), None)
        if owner is None:
            raise ValueError(f"child node {child} is not below {', '.join(served)}")
        kids[owner].append(child)
    return tuple(NodeLayout.build(tree, u, parent=parent, children=kids[u]) for u in served)


@dataclass(frozen=True)
class Agreement:
    """An agency's feed: which event types (exact, or a prefix ending in '.*'), which units' subtrees
    (already expanded) and which payload fields (empty: every non-personal field)."""

    agency: str
    types: tuple[str, ...]
    units: frozenset[str]
    fields: tuple[str, ...]

    def covers(self, event: Event) -> bool:
        if event.unit not in self.units:
            return False
        return any(
            t == event.type or (t.endswith(".*") and event.type.startswith(t[:-1])) for t in self.types
        )

    def project(self, event: Event) -> dict[str, Any]:
        """The envelope an agency receives: personal data only where the agreement names the field."""
        named = set(self.fields)
        if named:
            payload = {k: v for k, v in event.payload.items() if k in named}
        else:
            payload = {k: v for k, v in event.payload.items() if k not in PERSONAL_FIELDS}
        out = envelope(event)
        out["payload"] = payload
        if "actor" not in named:
            out["actor"] = ""
        return out


def validate_agreement_types(types: Iterable[str]) -> tuple[str, ...]:
    """Each a type of the catalogue, or `<prefix>.*` for every type a catalogue names under the prefix."""
    known = catalogue.types()
    out = []
    for t in types:
        t = t.strip()
        body = t[:-2] if t.endswith(".*") else t
        if not body or any(not part.isidentifier() for part in body.split(".")):
            raise ValueError(f"event type {t!r} must look like domain.event or domain.*")
        if t.endswith(".*") and not any(k.startswith(body + ".") for k in known):
            raise ValueError(f"no event type is named {t!r}")
        if not t.endswith(".*") and t not in known:
            now = catalogue.current_name(t)
            raise ValueError(f"{t!r} is now named {now!r}" if now != t else f"no event type is named {t!r}")
        out.append(t)
    if not out:
        raise ValueError("name at least one event type")
    return tuple(sorted(set(out)))


AMOUNT_KEYS = ("total_duties", "amount", "duties", "value_vnd")


def amount_of(payload: dict[str, Any]) -> Decimal:
    for key in AMOUNT_KEYS:
        value = payload.get(key)
        if value is None or isinstance(value, bool):
            continue
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return Decimal(0)
    return Decimal(0)


def measures(event: Event) -> list[tuple[str, int, Decimal]]:
    """Rows of the per-unit summary an event adds to: (dimension, count, amount). The dimension "" counts
    every event; "status:<s>" and "channel:<c>" split declarations and the like by status and channel."""
    amount = amount_of(event.payload)
    rows = [("", 1, amount)]
    for key in ("status", "channel"):
        value = event.payload.get(key)
        if isinstance(value, str) and value:
            rows.append((f"{key}:{value[:40]}", 1, amount))
    return rows
