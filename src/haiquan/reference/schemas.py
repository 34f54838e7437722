"""Reference API models."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class ProcedureCodeOut(BaseModel):
    code: str
    kind: Literal["import", "export"]
    name_vi: str
    name_en: str
    source: str
