"""EDIFACT messages from carriers' systems, mapped onto the same services as the JSON API: PAXLST onto
this module's report service, CUSCAR onto the cargo module's manifest service (same `ManifestIn`, same
`submit` / `amend`). A refusal by a service is named at the segment its field came from; the caller's
transaction rolls back, so nothing of a rejected interchange is stored. Services never commit."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from haiquan.cargo import service as cargo
from haiquan.cargo.schemas import ManifestIn
from haiquan.cargo.screening import Scorer
from haiquan.cargo.tables import ManifestRow
from haiquan.conveyances import cuscar, paxlst, repository, service
from haiquan.conveyances.tables import ConveyanceRow
from haiquan.interchange.edifact import Interchange
from haiquan.interchange.errors import Syntax
from haiquan.interchange.mapping import Sources
from haiquan.kit.auth import Principal
from haiquan.kit.errors import Conflict, ValidationFailed

T = TypeVar("T")
PERSON_FIELDS = (
    "family_name", "given_names", "date_of_birth", "sex", "nationality", "document_type", "document_number",
    "document_country", "document_expiry", "seat", "embarkation_port", "disembarkation_port",
)  # fmt: skip


def named(sources: Sources, run: Callable[[], T]) -> T:
    """Run a service call; its refusal naming a field becomes an EDIFACT error at that field's place."""
    try:
        return run()
    except (ValidationFailed, Conflict) as exc:
        raise sources.error(exc.field, exc.message, Syntax.INVALID_VALUE) from None


def _kept(session: Session, principal: Principal) -> Callable[[str], dict[str, list[dict[str, Any]]] | None]:
    def kept(reference: str) -> dict[str, list[dict[str, Any]]] | None:
        row = repository.by_reference(session, reference, scope=principal.scope)
        if row is None:
            return None
        out: dict[str, list[dict[str, Any]]] = {"passengers": [], "crew": []}
        for p in repository.persons(session, row, scope=principal.scope):
            person = {k: getattr(p, k) for k in PERSON_FIELDS}
            person["embarkation_port"] = person["embarkation_port"] or None
            person["disembarkation_port"] = person["disembarkation_port"] or None
            out["passengers" if p.role == "passenger" else "crew"].append(person)
        return out

    return kept


def receive_paxlst(session: Session, *, principal: Principal, ic: Interchange) -> ConveyanceRow:
    principal.require_enterprise("carrier")
    data, sources = paxlst.read(ic, kept_of=_kept(session, principal))
    row = named(
        sources, lambda: service.submit_or_amend(session, principal=principal, data=data, source="paxlst")
    )
    return row


def _store(
    session: Session, principal: Principal, data: ManifestIn, manifest_id: str | None, scorer: Scorer
) -> ManifestRow:
    """The cargo module's own service: a new manifest, or the amendment of the one replaced."""
    if manifest_id is None:
        return cargo.submit(session, principal=principal, data=data, scorer=scorer)
    return cargo.amend(session, principal=principal, manifest_id=manifest_id, data=data, scorer=scorer)


def receive_cuscar(
    session: Session, *, principal: Principal, ic: Interchange, scorer: Scorer
) -> list[ManifestRow]:
    principal.require_enterprise("carrier")
    out = []
    for data, sources, replace in cuscar.read(ic):
        found = repository.manifest_by_reference(session, data.reference, scope=principal.scope)
        if replace and found is None:
            raise sources.error(
                "reference", f"no manifest {data.reference} to replace (BGM message function 5)"
            )
        out.append(
            named(
                sources,
                partial(_store, session, principal, data, found.id if replace and found else None, scorer),
            )
        )
    return out
