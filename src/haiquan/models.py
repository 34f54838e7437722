"""Imports every table module so that Base.metadata knows the whole schema (Alembic, create_all)."""

from haiquan.kit import tables as kit_tables
from haiquan.organization import tables as organization_tables
from haiquan.reference import tables as reference_tables
from haiquan.sharing import tables as sharing_tables

__all__ = ["kit_tables", "organization_tables", "reference_tables", "sharing_tables"]
