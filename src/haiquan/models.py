"""Imports every table module so that Base.metadata knows the whole schema (Alembic, create_all)."""

from haiquan.declarations import tables as declarations_tables
from haiquan.kit import tables as kit_tables
from haiquan.organization import tables as organization_tables
from haiquan.reference import tables as reference_tables
from haiquan.risk import tables as risk_tables

__all__ = ["declarations_tables", "kit_tables", "organization_tables", "reference_tables", "risk_tables"]
