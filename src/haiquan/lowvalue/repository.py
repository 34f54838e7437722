"""Queries of low-value goods, each scoped by the caller: an express company or the post sees only its own
manifests and parcels, an officer those of the offices of their unit and below."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVarTuple, cast

from sqlalchemy import Select, Table, insert, select
from sqlalchemy.orm import Session

from haiquan.kit.auth import Scope
from haiquan.lowvalue.tables import ManifestRow, ParcelRow

MANIFESTS = cast(Table, ManifestRow.__table__)
PARCELS = cast(Table, ParcelRow.__table__)
CHUNK = 900  # keys per IN list (SQLite's bound on parameters, with room)


@dataclass(frozen=True)
class Known:
    """A parcel already lodged under its key: what a retry of it is answered."""

    number: str
    item_hash: str
    declaration_type: str
    lodged_lane: str


Ts = TypeVarTuple("Ts")


def _scoped(stmt: Select[*Ts], scope: Scope) -> Select[*Ts]:
    if scope.enterprise_id is not None:
        stmt = stmt.where(ParcelRow.enterprise_id == scope.enterprise_id)
    if scope.units is not None:
        stmt = stmt.where(ParcelRow.office.in_(scope.units))
    return stmt


def known_parcels(
    session: Session, keys: Iterable[str], *, enterprise_id: str, scope: Scope
) -> dict[str, Known]:
    """The parcels this carrier already lodged under any of `keys`, by key (a few IN lists)."""
    todo, found = sorted(set(keys)), {}
    p = ParcelRow
    for i in range(0, len(todo), CHUNK):
        stmt = select(p.item_key, p.number, p.item_hash, p.declaration_type, p.lodged_lane).where(
            p.enterprise_id == enterprise_id, p.item_key.in_(todo[i : i + CHUNK])
        )
        for key, number, item_hash, kind, lane in session.execute(_scoped(stmt, scope)):
            found[str(key)] = Known(number, item_hash, kind, lane)
    return found


def manifest(
    session: Session, *, enterprise_id: str, channel: str, reference: str, scope: Scope
) -> ManifestRow | None:
    stmt = select(ManifestRow).where(
        ManifestRow.enterprise_id == enterprise_id,
        ManifestRow.channel == channel,
        ManifestRow.reference == reference,
    )
    if scope.enterprise_id is not None and scope.enterprise_id != enterprise_id:
        return None
    return session.scalars(stmt).first()


def parcel(session: Session, number: str, *, scope: Scope, for_update: bool = False) -> ParcelRow | None:
    stmt = _scoped(select(ParcelRow).where(ParcelRow.number == number), scope)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def by_item_key(session: Session, item_key: str, *, scope: Scope) -> list[ParcelRow]:
    """The parcels lodged under a house air waybill or postal item id (one per carrier), in `scope`."""
    stmt = _scoped(select(ParcelRow).where(ParcelRow.item_key == item_key), scope)
    return list(session.scalars(stmt.order_by(ParcelRow.number)))


def search(
    session: Session,
    *,
    scope: Scope,
    manifest_id: str | None = None,
    status: str | None = None,
    lane: str | None = None,
    after: str | None = None,
    limit: int = 100,
) -> list[ParcelRow]:
    """Parcels in the caller's scope by declaration number; filters as given."""
    stmt = _scoped(select(ParcelRow), scope)
    for column, value in (
        (ParcelRow.manifest_id, manifest_id),
        (ParcelRow.status, status),
        (ParcelRow.lane, lane),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if after is not None:
        stmt = stmt.where(ParcelRow.number > after)
    return list(session.scalars(stmt.order_by(ParcelRow.number).limit(limit)))


def insert_manifest(session: Session, row: dict[str, Any], *, scope: Scope) -> None:
    """Now, not at commit: the parcels inserted next refer to it."""
    session.execute(insert(MANIFESTS), [row])


def insert_parcels(session: Session, rows: list[dict[str, Any]], *, scope: Scope) -> None:
    """Now, in the caller's transaction: on PostgreSQL with COPY (a fifth of an executemany's time for
    5,000 rows, benchmarks/lowvalue.py), elsewhere with one executemany."""
    if not rows:
        return
    table = PARCELS
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(table), rows)
        return
    columns = [c.name for c in table.columns]
    raw = session.connection().connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([json.dumps(row[c]) if c == "reasons" else row[c] for c in columns])
