"""Reference data flowing down (decision 0037): the kinds a node applies, each with the Pydantic schema of its
document, the owning domain's applier and its exporter (the top node produces the document from its own
tables); messages in parts reassembled in the `reference_parts` staging table; versions applied in order,
an older or equal one refused and counted; every outcome recorded as a sharing event of the node's unit, so
it flows up and the parent keeps its children's versions (`node_reference_versions`). Never commits."""

from __future__ import annotations

import contextvars
import importlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

import structlog
from pydantic import BaseModel, ValidationError
from sqlalchemy import Table, case, delete, func, select
from sqlalchemy.orm import Session

from haiquan.kit import clock, outbox
from haiquan.kit.db import insert_for
from haiquan.kit.errors import DomainError
from haiquan.sharing import metrics as m
from haiquan.sharing.catalogue import SharingEvent
from haiquan.sharing.tables import NodeReferenceVersion, ReferencePart, ReferenceVersion

log = structlog.get_logger(__name__)

# A part's text, in characters: at most 3 bytes each in UTF-8 (and 2 where JSON escapes a quote), so a part
# and its envelope stay well under NATS's default max_payload of 1 MiB.
CHUNK_CHARS = 200_000
# The domains that register kinds (imported on first use, so a node knows every kind without importing the
# whole application).
PROVIDERS = (
    "haiquan.organization.reference_data",
    "haiquan.tariff.reference_data",
    "haiquan.risk.reference_data",
    "haiquan.reference.reference_data",
    "haiquan.agencies.handlers",
)

Applier = Callable[[Session, Any, str], None]
Exporter = Callable[[Session], dict[str, Any]]


@dataclass(frozen=True)
class Kind:
    """A kind of reference data: its applier gets the validated model when a schema is given (else the
    document as a dict); `export` builds the document from the publishing node's tables."""

    name: str
    applier: Applier
    schema: type[BaseModel] | None = None
    export: Exporter | None = None


KINDS: dict[str, Kind] = {}


def register_applier(
    kind: str, applier: Applier, *, schema: type[BaseModel] | None = None, export: Exporter | None = None
) -> None:
    """Domains register how a kind of reference data (tariff, risk_profiles, watch_list...) is applied."""
    KINDS[kind] = Kind(kind, applier, schema, export)


def kinds() -> dict[str, Kind]:
    for name in PROVIDERS:
        importlib.import_module(name)
    return KINDS


@dataclass(frozen=True)
class Applying:
    """What an applier may need beyond its document: the node applying it (the unit its events carry)."""

    node: str
    kind: str
    version: int


_APPLYING: contextvars.ContextVar[Applying | None] = contextvars.ContextVar("applying", default=None)


def applying() -> Applying:
    return _APPLYING.get() or Applying("00", "", 0)


@contextmanager
def _context(node: str, kind: str, version: int) -> Iterator[None]:
    token = _APPLYING.set(Applying(node, kind, version))
    try:
        yield
    finally:
        _APPLYING.reset(token)


class BadDocument(ValueError):
    """A document its kind's schema (or applier) refuses: `field` names where, as a dotted path."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(f"{field}: {message}")
        self.message, self.field = message, field


@dataclass(frozen=True)
class Outcome:
    status: str  # applied | staged | older | bad
    kind: str
    version: int
    held: int | None = None
    field: str = ""
    reason: str = ""


# --- the messages ------------------------------------------------------------------------------------


def messages(kind: str, version: int, document: dict[str, Any], published_by: str) -> list[tuple[str, bytes]]:
    """The messages that carry a version: (Nats-Msg-Id, body). One message holding the document when it is
    small; else parts of its JSON text (`part` i of `parts`), reassembled at each node."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=str)
    head = {"kind": kind, "version": version, "published_by": published_by}
    if len(text) <= CHUNK_CHARS:
        body = head | {"document": document}
        return [(f"{kind}:{version}", json.dumps(body, ensure_ascii=False, default=str).encode())]
    chunks = [text[i : i + CHUNK_CHARS] for i in range(0, len(text), CHUNK_CHARS)]
    return [
        (f"{kind}:{version}:{i}", json.dumps(head | {"part": i, "parts": len(chunks), "data": c}).encode())
        for i, c in enumerate(chunks)
    ]


@dataclass(frozen=True)
class Envelope:
    kind: str
    version: int
    published_by: str
    part: int = 0
    parts: int = 1
    document: dict[str, Any] | None = None
    data: str = ""


def parse(data: bytes) -> Envelope:
    """A message's envelope; ValueError (KeyError, TypeError) when it is not one."""
    doc = json.loads(data)
    kind, version, by = str(doc["kind"]), int(doc["version"]), str(doc["published_by"])
    if not kind.isidentifier() or len(kind) > 40 or version < 1:
        raise ValueError(f"kind {kind!r} / version {version} not valid")
    if "document" in doc:
        return Envelope(kind, version, by, document=dict(doc["document"]))
    part, parts = int(doc["part"]), int(doc["parts"])
    if not 0 <= part < parts <= 10_000:
        raise ValueError(f"part {part} of {parts}")
    return Envelope(kind, version, by, part, parts, data=str(doc["data"]))


# --- receiving ---------------------------------------------------------------------------------------


def held(session: Session, kind: str) -> int | None:
    return session.scalar(select(ReferenceVersion.version).where(ReferenceVersion.kind == kind))


def receive(session: Session, env: Envelope, *, node: str) -> Outcome:
    """A message of the REF stream: an older or equal version is refused; a part is staged until its
    version is whole; a whole version is validated and applied. BadDocument propagates (the caller rolls
    back and calls `refuse`)."""
    have = held(session, env.kind)
    if have is not None and have >= env.version:
        return Outcome("older", env.kind, env.version, have, reason=f"v{have} is held")
    if env.document is not None:
        document = env.document
    else:
        assembled = _stage(session, env)
        if assembled is None:
            return Outcome("staged", env.kind, env.version, have)
        try:
            document = json.loads(assembled)
        except ValueError as exc:
            raise BadDocument(f"the parts do not make a JSON document: {exc}", "data") from exc
    apply_document(
        session,
        kind=env.kind,
        version=env.version,
        document=document,
        by=env.published_by,
        node=node,
        large=env.parts > 1,
    )
    return Outcome("applied", env.kind, env.version, have)


def _stage(session: Session, env: Envelope) -> str | None:
    """Keep a part; the whole text once every part of the version is here (its parts then dropped, with
    those of older versions)."""
    table = cast(Table, ReferencePart.__table__)
    row = {"kind": env.kind, "version": env.version, "part": env.part, "parts": env.parts}
    stmt = insert_for(session, table).on_conflict_do_nothing(index_elements=["kind", "version", "part"])
    session.execute(stmt, [row | {"data": env.data, "received_at": clock.now()}])
    got = session.scalar(
        select(func.count()).where(ReferencePart.kind == env.kind, ReferencePart.version == env.version)
    )
    if int(got or 0) < env.parts:
        return None
    texts = session.scalars(
        select(ReferencePart.data)
        .where(ReferencePart.kind == env.kind, ReferencePart.version == env.version)
        .order_by(ReferencePart.part)
    ).all()
    session.execute(
        delete(ReferencePart).where(ReferencePart.kind == env.kind, ReferencePart.version <= env.version)
    )
    return "".join(texts)


def validate(kind: str, document: dict[str, Any]) -> Any:
    """The document as its kind's schema reads it (the dict itself for a kind without one)."""
    k = kinds().get(kind)
    if k is None or k.schema is None:
        return document
    try:
        return k.schema.model_validate(document)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "document"
        raise BadDocument(err["msg"], field) from exc


def apply_document(
    session: Session,
    *,
    kind: str,
    version: int,
    document: dict[str, Any],
    by: str,
    node: str,
    large: bool = False,
) -> None:
    """Validate and apply a whole version in the caller's transaction; record it as applied (a `large`
    document, one that came in parts, is kept only in the tables its domain replaced)."""
    model = validate(kind, document)
    k = kinds().get(kind)
    if k is not None:
        with _context(node, kind, version):
            try:
                k.applier(session, model, by)
            except BadDocument:
                raise
            except (DomainError, ValueError) as exc:
                field = getattr(exc, "field", None) or "document"
                raise BadDocument(getattr(exc, "message", None) or str(exc), str(field)) from exc
    row = session.get(ReferenceVersion, kind)
    stored = {"stored": "in its tables"} if large and k is not None else document
    if row is None:
        row = ReferenceVersion(kind=kind, version=version, document=stored, published_by=by)
        session.add(row)
    row.version, row.document, row.published_by, row.applied_at = version, stored, by, clock.now()
    payload = {"kind": kind, "version": version, "node": node}
    outbox.record(session, type=SharingEvent.REFERENCE_APPLIED, unit=node, actor=by, payload=payload)
    m.REFERENCE_APPLIED.labels(kind).inc()
    log.info("reference_applied", kind=kind, version=version, node=node)


def refuse(session: Session, outcome: Outcome, *, node: str, by: str) -> None:
    """Make a refusal visible: a warning, the counter, and an event (its node's status shows it)."""
    m.REFERENCE_REFUSED.labels(outcome.kind, outcome.status).inc()
    log.warning(
        "reference_refused",
        kind=outcome.kind,
        version=outcome.version,
        why=outcome.status,
        held=outcome.held,
        field=outcome.field,
        reason=outcome.reason,
    )
    payload = {
        "kind": outcome.kind,
        "version": outcome.version,
        "node": node,
        "why": outcome.status,
        "field": outcome.field[:200],
        "reason": outcome.reason[:300],
    }
    outbox.record(session, type=SharingEvent.REFERENCE_REFUSED, unit=node, actor=by, payload=payload)


def apply_reference(
    session: Session,
    *,
    kind: str,
    version: int,
    document: dict[str, Any],
    published_by: str,
    node: str = "00",
) -> bool:
    """Apply a whole document if it is newer than the one held (True); an older or equal one is refused
    (False, counted); BadDocument for a document its schema refuses."""
    outcome = receive(session, Envelope(kind, version, published_by, document=document), node=node)
    if outcome.status == "older":
        refuse(session, outcome, node=node, by=published_by)
    return outcome.status == "applied"


# --- the versions of each node -------------------------------------------------------------------------


def note_versions(session: Session, payloads: list[dict[str, Any]], *, refused: bool) -> None:
    """Per node and kind, the newest version applied (or the last refusal): from the events it recorded."""
    table = cast(Table, NodeReferenceVersion.__table__)
    now = clock.now()
    for p in payloads:
        values: dict[str, Any] = {"node": str(p["node"])[:16], "kind": str(p["kind"])[:40], "updated_at": now}
        stmt = insert_for(session, table)
        new = stmt.excluded
        set_: dict[str, Any]
        if refused:
            why = f"{p.get('why', '')}: {p.get('field') or p.get('reason', '')}"[:200]
            values |= {
                "version": 0,
                "refused": 1,
                "last_refused_version": int(p["version"]),
                "last_refused_why": why,
            }
            set_ = {"refused": table.c.refused + 1, "last_refused_version": new.last_refused_version,
                    "last_refused_why": new.last_refused_why, "updated_at": new.updated_at}  # fmt: skip
        else:
            values |= {"version": int(p["version"]), "refused": 0, "applied_at": now}
            newer = case((new.version > table.c.version, new.version), else_=table.c.version)
            set_ = {"version": newer, "applied_at": new.applied_at, "updated_at": new.updated_at}
        session.execute(stmt.on_conflict_do_update(index_elements=["node", "kind"], set_=set_), [values])


def own_versions(session: Session) -> list[ReferenceVersion]:
    return list(session.scalars(select(ReferenceVersion).order_by(ReferenceVersion.kind)).all())


def node_versions(session: Session, *, nodes: list[str] | None = None) -> list[NodeReferenceVersion]:
    q = select(NodeReferenceVersion).order_by(NodeReferenceVersion.node, NodeReferenceVersion.kind)
    if nodes is not None:
        q = q.where(NodeReferenceVersion.node.in_(nodes))
    return list(session.scalars(q).all())


def versions(session: Session, unit: str) -> list[dict[str, Any]]:
    """This node's versions (the ones it holds) and every node's below it (from their events), by node."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for n in node_versions(session):
        out[(n.node, n.kind)] = {
            "node": n.node, "kind": n.kind, "version": n.version or None,
            "applied_at": n.applied_at.isoformat() if n.applied_at else None, "refused": n.refused,
            "last_refused_version": n.last_refused_version, "last_refused_why": n.last_refused_why,
        }  # fmt: skip
    for r in own_versions(session):
        row = out.setdefault((unit, r.kind), {"node": unit, "kind": r.kind, "refused": 0})
        row |= {"version": r.version, "applied_at": r.applied_at.isoformat()}
        row.setdefault("last_refused_version", None)
        row.setdefault("last_refused_why", None)
    return [out[k] for k in sorted(out)]


def export(session: Session, kind: str) -> dict[str, Any]:
    k = kinds().get(kind)
    if k is None or k.export is None:
        raise BadDocument(f"no exporter for {kind!r}: publish a file", "kind")
    return k.export(session)
