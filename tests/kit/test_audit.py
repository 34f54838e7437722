"""The audit chain on both databases: intact, then tampered, then named."""

from __future__ import annotations

from sqlalchemy import update

from haiquan.kit import audit
from haiquan.kit.db import Database
from haiquan.kit.tables import AuditEntry


def test_chain_verifies_and_names_the_first_tampered_entry(db: Database) -> None:
    with db.unit_of_work() as uow:
        for i in range(5):
            audit.append(uow.session, actor="t", action="x", target=f"t{i}", detail={"i": i})
            uow.commit()
    with db.unit_of_work() as uow:
        assert audit.verify(uow.session) == (5, None)
        third = uow.session.query(AuditEntry).order_by(AuditEntry.seq).all()[2]
        uow.session.execute(update(AuditEntry).where(AuditEntry.id == third.id).values(target="forged"))
        uow.commit()
    with db.unit_of_work() as uow:
        count, broken = audit.verify(uow.session)
    assert broken is not None and broken.id == third.id and count == 3
