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
    assert broken is not None
    assert broken.id == third.id
    assert count == 3


def test_concurrent_writers_keep_one_unbroken_chain(db: Database) -> None:
    """Eight threads commit entries at once; the chain stays linear (no fork, no gap)."""
    import threading

    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                with db.unit_of_work() as uow:
                    audit.append(uow.session, actor=f"w{n}", action="x", target=f"{n}-{i}")
                    audit.append(uow.session, actor=f"w{n}", action="y", target=f"{n}-{i}")
                    uow.commit()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.unit_of_work() as uow:
        assert audit.verify(uow.session) == (8 * 15 * 2, None)
