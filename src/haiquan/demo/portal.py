"""The trader portal's demo staff: each demo declarant's admin (who may add others), and an accountant
of Vietnam Airlines. They sign in at /portal/login with the demo password."""

from __future__ import annotations

from haiquan.kit.db import Database
from haiquan.organization import service as org
from haiquan.portal import service

STAFF = [
    ("vna.admin", "0100109106", "admin", "Trần Thu Hà"),
    ("vna.ketoan", "0100109106", "accountant", "Lê Minh Tuấn"),
    ("minhanh.admin", "0101248141", "admin", "Phạm Quốc Bảo"),
]


def seed_staff(db: Database, *, password: str) -> list[tuple[str, str, str]]:
    """(username, tax code, role) of each account made."""
    with db.unit_of_work() as uow:
        for username, tax_code, role, name in STAFF:
            ent = org.enterprise_by_tax_code(uow.session, tax_code)
            service.add_staff(uow.session, enterprise=ent, username=username, role=role, password=password,
                              full_name=name, actor="demo")  # fmt: skip
        uow.commit()
    return [(u, t, r) for u, t, r, _ in STAFF]
