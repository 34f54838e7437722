"""Imports every table module so that Base.metadata knows the whole schema (Alembic, create_all)."""

from haiquan.cargo import tables as cargo_tables
from haiquan.declarations import tables as declarations_tables
from haiquan.kit import tables as kit_tables
from haiquan.organization import tables as organization_tables
from haiquan.reference import tables as reference_tables
from haiquan.supervision import tables as supervision_tables

__all__ = [
    "cargo_tables",
    "declarations_tables",
    "kit_tables",
    "organization_tables",
    "reference_tables",
    "supervision_tables",
]
