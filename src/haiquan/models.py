"""Imports every table module so that Base.metadata knows the whole schema (Alembic, create_all)."""

from haiquan.agencies import tables as agencies_tables  # noqa: F401
from haiquan.applications import tables as applications_tables  # noqa: F401
from haiquan.audit import tables as audit_tables  # noqa: F401
from haiquan.cargo import tables as cargo_tables  # noqa: F401
from haiquan.cargo import writeoff_tables as cargo_writeoff_tables  # noqa: F401
from haiquan.conveyances import tables as conveyances_tables  # noqa: F401
from haiquan.declarations import tables as declarations_tables  # noqa: F401
from haiquan.enforcement import tables as enforcement_tables  # noqa: F401
from haiquan.inspection import tables as inspection_tables  # noqa: F401
from haiquan.kit import tables as kit_tables  # noqa: F401
from haiquan.lowvalue import tables as lowvalue_tables  # noqa: F401
from haiquan.organization import tables as organization_tables  # noqa: F401
from haiquan.origin import tables as origin_tables  # noqa: F401
from haiquan.payments import tables as payments_tables  # noqa: F401
from haiquan.portal import tables as portal_tables  # noqa: F401
from haiquan.reference import tables as reference_tables  # noqa: F401
from haiquan.regimes import finalisation_tables as regimes_finalisation_tables  # noqa: F401
from haiquan.regimes import tables as regimes_tables  # noqa: F401
from haiquan.reports import tables as reports_tables  # noqa: F401
from haiquan.risk import tables as risk_tables  # noqa: F401
from haiquan.risk import watchlist_tables as risk_watchlist_tables  # noqa: F401
from haiquan.sharing import records_tables as sharing_records_tables  # noqa: F401
from haiquan.sharing import tables as sharing_tables  # noqa: F401
from haiquan.supervision import tables as supervision_tables  # noqa: F401
from haiquan.taxes import tables as taxes_tables  # noqa: F401
