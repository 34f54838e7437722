"""Reference lists served to integrators: the VNACCS procedure codes (mã loại hình)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from haiquan.deps import Ctx
from haiquan.reference import procedures
from haiquan.reference.schemas import ProcedureCodeOut

router = APIRouter(prefix="/api/v1/reference", tags=["reference"])


@router.get(
    "/procedure-codes",
    response_model=list[ProcedureCodeOut],
    summary="VNACCS procedure codes (mã loại hình) a declaration may carry, of one kind or both",
)
def procedure_codes(
    ctx: Ctx,
    kind: Annotated[Literal["import", "export"] | None, Query(description="import or export")] = None,
) -> list[ProcedureCodeOut]:
    del ctx  # any authenticated caller may read the list
    return [ProcedureCodeOut.model_validate(p, from_attributes=True) for p in procedures.listed(kind)]
