"""Shared steps of the taxes tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from haiquan.organization.tables import EnterpriseRow

START = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội
IMPORTER = "0101248141"  # the payer of tests.support.import_declaration()


def enterprise_id(app: Any, tax_code: str) -> str:
    with app.state.db.unit_of_work() as uow:
        return str(uow.session.scalar(select(EnterpriseRow.id).where(EnterpriseRow.tax_code == tax_code)))
