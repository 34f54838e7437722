"""The organisation as reference data flowing down (kind `organization`, sharing/reference.py): the unit tree,
the officers and the enterprises, published at the top from its tables and upserted at every node below.
Credentials travel as argon2 hashes only: a document carrying a plaintext password is refused, naming it;
webhook secrets never travel (the schema has no such field)."""

from __future__ import annotations

from typing import Any, cast

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from haiquan.kit import clock, outbox
from haiquan.kit.db import insert_for
from haiquan.organization import service
from haiquan.organization.catalogue import OrganizationEvent
from haiquan.organization.domain import Unit
from haiquan.organization.tables import EnterpriseRow, OfficerRow, UnitRow
from haiquan.sharing.reference import applying, register_applier

Code = Field(min_length=1, max_length=16)


class UnitDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Code
    name_vi: str = Field(max_length=200)
    name_en: str = Field("", max_length=200)
    level: str = Field(max_length=20)
    parent: str | None = Field(None, max_length=16)
    successor: str | None = Field(None, max_length=16)


class OfficerDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=32)
    username: str = Field(min_length=1, max_length=60)
    full_name: str = Field("", max_length=200)
    unit: str = Code
    role: str = Field(max_length=40)
    password_hash: str = Field(pattern=r"^\$argon2(id|i|d)\$", max_length=200)
    on_roster: bool = True
    active: bool = True
    expert_fields: list[str] | None = Field(None, max_length=50)
    password: Any = None  # never: refused below, so the refusal names the field

    @field_validator("password")
    @classmethod
    def _no_plaintext(cls, v: Any) -> None:
        if v is not None:
            raise ValueError("a plaintext password is refused: credentials flow down as password_hash only")


class EnterpriseDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=32)
    tax_code: str = Field(min_length=10, max_length=14)
    name: str = Field(max_length=300)
    roles: list[str] = Field(max_length=20)
    status: str = Field("active", max_length=20)
    overdue_tax_days: int = Field(0, ge=0, le=100_000)
    compliance_class: str = Field("normal", max_length=20)
    unit: str | None = Field(None, max_length=16)
    attributes: dict[str, Any] = Field(default_factory=dict)


class OrganizationDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    units: list[UnitDoc] = Field(default_factory=list, max_length=5_000)
    officers: list[OfficerDoc] = Field(default_factory=list, max_length=100_000)
    enterprises: list[EnterpriseDoc] = Field(default_factory=list, max_length=1_000_000)


def apply(session: Session, doc: OrganizationDoc, actor: str) -> None:
    if doc.units:
        units = [
            Unit(u.code, u.name_vi, u.name_en, u.level, u.parent or None, u.successor or None)
            for u in doc.units
        ]
        service.replace_units(session, units=units, actor=actor)
    now = clock.now()
    if doc.officers:
        rows = [o.model_dump(exclude={"password"}) | {"created_at": now} for o in doc.officers]
        _upsert(session, cast(Table, OfficerRow.__table__), rows, key="username", keep={"id", "created_at"})
    if doc.enterprises:
        rows = [e.model_dump() | {"created_at": now} for e in doc.enterprises]
        _upsert(
            session, cast(Table, EnterpriseRow.__table__), rows, key="tax_code", keep={"id", "created_at"}
        )
    if doc.officers or doc.enterprises:
        payload = {
            "version": applying().version,
            "officers": len(doc.officers),
            "enterprises": len(doc.enterprises),
        }
        outbox.record(
            session,
            type=OrganizationEvent.DIRECTORY_APPLIED,
            unit=applying().node,
            actor=actor,
            payload=payload,
        )


def _upsert(session: Session, table: Table, rows: list[dict[str, Any]], *, key: str, keep: set[str]) -> None:
    """Insert new rows and update the others (by `key`), in one executemany statement."""
    stmt = insert_for(session, table)
    cols = [c for c in rows[0] if c not in keep and c != key]
    stmt = stmt.on_conflict_do_update(index_elements=[key], set_={c: stmt.excluded[c] for c in cols})
    session.execute(stmt, rows)


def export(session: Session) -> dict[str, Any]:
    """The document from this node's tables (the top's): every unit, officer and enterprise."""
    units = [
        UnitDoc(code=r.code, name_vi=r.name_vi, name_en=r.name_en, level=r.level, parent=r.parent,
                successor=r.successor).model_dump()
        for r in session.scalars(select(UnitRow).where(UnitRow.active.is_(True)).order_by(UnitRow.code))
    ]  # fmt: skip
    officers = [
        OfficerDoc.model_validate(r, from_attributes=True).model_dump(exclude={"password"})
        for r in session.scalars(select(OfficerRow).order_by(OfficerRow.username))
    ]
    enterprises = [
        EnterpriseDoc.model_validate(r, from_attributes=True).model_dump()
        for r in session.scalars(select(EnterpriseRow).order_by(EnterpriseRow.tax_code))
    ]
    return {"units": units, "officers": officers, "enterprises": enterprises}


register_applier("organization", apply, schema=OrganizationDoc, export=export)
