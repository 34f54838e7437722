"""The reference module's events: the list of VNACCS procedure codes replaced by a version of reference data
flowing down from the General Department (sharing/reference.py). Past tense; producers and consumers import
these members (kit/catalogue.py)."""

from __future__ import annotations

from enum import StrEnum

from typing_extensions import TypedDict


class ReferenceEvent(StrEnum):
    PROCEDURE_CODES_REPLACED = "reference.procedure_codes_replaced"


class ProcedureCodesReplaced(TypedDict):
    """The procedure codes (mã loại hình) in force at this node replaced by reference `version`: `total`
    codes, `imports` of them for imports."""

    version: int
    total: int
    imports: int


PAYLOADS: dict[ReferenceEvent, type] = {ReferenceEvent.PROCEDURE_CODES_REPLACED: ProcedureCodesReplaced}
