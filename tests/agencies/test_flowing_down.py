"""The requirements table flows down to the nodes with the other reference data (kind
`agency_requirements`), applied in version order; a published table that does not parse changes nothing."""

from __future__ import annotations

import pytest

import haiquan.agencies.handlers  # noqa: F401  (registers the applier, as the node's consumers do)
from haiquan.agencies.requests import rules
from haiquan.agencies.requirements import DATA_FILE, RequirementsFileError
from haiquan.kit.db import Database
from haiquan.sharing.reference import BadDocument
from haiquan.sharing.service import apply_reference


def test_a_published_table_is_applied_once_and_in_order(db: Database) -> None:
    text = DATA_FILE.read_text(encoding="utf-8")
    with db.unit_of_work() as uow:
        assert apply_reference(
            uow.session, kind="agency_requirements", version=2, document={"csv": text}, published_by="00"
        )
        uow.commit()
    with db.unit_of_work() as uow:
        assert any(r.id == "PPD-08" for r in rules(uow.session))
        older = {"csv": text.split("\nPPD-07")[0]}
        assert not apply_reference(
            uow.session, kind="agency_requirements", version=1, document=older, published_by="00"
        )
    bad = {"csv": "id,hs_prefix\nX,8\n"}
    with db.unit_of_work() as uow, pytest.raises(BadDocument) as refused:
        apply_reference(uow.session, kind="agency_requirements", version=3, document=bad, published_by="00")
    assert isinstance(refused.value.__cause__, RequirementsFileError)  # refused, its version not recorded
