"""The VNACCS procedure codes as reference data flowing down (kind `procedure_codes`, sharing/reference.py):
published at the General Department (its list in force, `--from-database`), and at every node below put in
force once the transaction that records the version commits. The list is kept as that version's document
(`reference_versions`); each process reads it at start (`load_applied`) and whenever the reference tables'
snapshot is read again (reference/service.py), so every worker takes a new list within the snapshot's TTL."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import event
from sqlalchemy.orm import Session

from haiquan.kit import outbox
from haiquan.kit.db import Database
from haiquan.reference import procedures
from haiquan.reference.catalogue import ReferenceEvent
from haiquan.sharing.reference import BadDocument, applying, register_applier
from haiquan.sharing.tables import ReferenceVersion

KIND = "procedure_codes"


class ProcedureCodeDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[A-Z][0-9A-Z]{2}$")
    kind: Literal["import", "export"]
    name_vi: str = Field(min_length=1, max_length=300)
    name_en: str = Field(min_length=1, max_length=300)
    source: str = Field(min_length=1, max_length=300)


class ProcedureCodesDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    codes: list[ProcedureCodeDoc] = Field(min_length=2, max_length=1000)


def _checked(doc: ProcedureCodesDoc) -> dict[str, procedures.ProcedureCode]:
    try:
        return procedures.from_entries([c.model_dump() for c in doc.codes])
    except ValueError as exc:
        where, _, why = str(exc).partition(": ")
        raise BadDocument(why, where) from exc


def apply_codes(session: Session, doc: ProcedureCodesDoc, actor: str) -> None:
    codes = _checked(doc)
    # in force once the version is committed with it (a rollback keeps the list before)
    event.listen(session, "after_commit", lambda _s: procedures.use(codes), once=True)
    payload = {
        "version": applying().version,
        "total": len(codes),
        "imports": sum(1 for c in codes.values() if c.kind == "import"),
    }
    outbox.record(
        session,
        type=ReferenceEvent.PROCEDURE_CODES_REPLACED,
        unit=applying().node,
        actor=actor,
        payload=payload,
    )


def export_codes(session: Session) -> dict[str, Any]:
    """The list in force here (the shipped one until a version has been applied)."""
    return {
        "codes": [
            {"code": c.code, "kind": c.kind, "name_vi": c.name_vi, "name_en": c.name_en, "source": c.source}
            for c in procedures.procedure_codes().values()
        ]
    }


def read_applied(session: Session) -> None:
    """Put in force the list last applied on this node, if any (a process starting, a snapshot re-read)."""
    row = session.get(ReferenceVersion, KIND)
    if row is None:
        procedures.use(None)
        return
    try:
        procedures.use(_checked(ProcedureCodesDoc.model_validate(row.document)))
    except (BadDocument, ValueError):  # it was checked when applied; a hand-edited row keeps the shipped list
        procedures.use(None)


def load_applied(db: Database) -> None:
    with db.reading() as uow:
        read_applied(uow.session)


register_applier(KIND, apply_codes, schema=ProcedureCodesDoc, export=export_codes)
