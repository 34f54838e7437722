"""Imports every table module so that Base.metadata knows the whole schema (Alembic, create_all)."""

from haiquan.enforcement import tables as enforcement_tables  # noqa: F401
from haiquan.kit import tables as kit_tables
from haiquan.organization import tables as organization_tables
from haiquan.reference import tables as reference_tables
from haiquan.risk import watchlist_tables as risk_watchlist_tables  # noqa: F401

__all__ = ["kit_tables", "organization_tables", "reference_tables"]
