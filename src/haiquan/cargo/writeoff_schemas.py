"""Write-off API models."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from haiquan.kit.money import Dec


class BillStanding(BaseModel):
    goods_id: str = Field(description="The bill of lading or air waybill number")
    manifested_packages: int
    manifested_mass_kg: Dec
    declared_packages: int = Field(description="Packages of the registered declarations naming this bill")
    declared_mass_kg: Dec
    declarations: list[str] = Field(description="Numbers of the declarations discharging the bill")
    gated_out: bool = Field(description="The goods left the controlled area under their declarations")
    standing: str = Field(description="discharged, undischarged or over_discharged")


class WriteoffReportOut(BaseModel):
    """A manifest's write-off closed after the legal period (per carrier and voyage)."""

    manifest_id: str
    reference: str
    carrier_id: str
    vessel: str
    voyage: str
    unit: str
    expected_arrival: datetime
    closed_at: datetime
    bill_count: int
    undischarged: int
    over_discharged: int
    bills: list[BillStanding] = Field(description="Every bill, or only the discrepancies in a list")


class WriteoffOut(BaseModel):
    """A manifest's write-off now: each bill's standing; `report` once closed after the legal period."""

    manifest_id: str
    reference: str
    voyage: str
    expected_arrival: datetime
    due_at: datetime = Field(description="When the legal period ends and the write-off closes")
    bills: list[BillStanding]
    report: WriteoffReportOut | None
