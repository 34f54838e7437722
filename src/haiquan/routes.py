"""Every domain's router, in one list."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from haiquan.cargo.api import router as cargo_router
from haiquan.declarations.api import router as declarations_router
from haiquan.enforcement.api import router as enforcement_router
from haiquan.enforcement.pages import router as enforcement_pages
from haiquan.kit.queryparams import refuse_unknown_query
from haiquan.organization.api import router as organization_router
from haiquan.organization.credentials_api import router as credentials_router
from haiquan.payments.api import router as payments_router
from haiquan.payments.certificate_api import router as bank_certificates_router
from haiquan.reference.api import router as reference_router
from haiquan.reports.api import router as reports_router
from haiquan.reports.pages import router as reports_pages
from haiquan.risk.api import router as risk_router
from haiquan.risk.pages import router as risk_pages_router
from haiquan.sharing.api import router as sharing_router
from haiquan.supervision.api import router as supervision_router
from haiquan.supervision.keys_api import router as terminal_keys_router
from haiquan.supervision.views import router as supervision_pages
from haiquan.web.pages import router as web_router


def include_routers(app: FastAPI) -> None:
    """Hottest first: a request is matched against the routes in order (terminals' messages and look-ups,
    then declarations and payments). No two routers share a path (tests/api/test_routes.py). The API's
    routers refuse query parameters their routes do not declare (kit.queryparams); pages do not."""
    strict = [Depends(refuse_unknown_query)]
    app.include_router(supervision_router, dependencies=strict)
    app.include_router(declarations_router, dependencies=strict)
    app.include_router(payments_router, dependencies=strict)
    app.include_router(cargo_router, dependencies=strict)
    app.include_router(organization_router, dependencies=strict)
    app.include_router(credentials_router, dependencies=strict)
    app.include_router(reference_router, dependencies=strict)
    app.include_router(enforcement_router, dependencies=strict)
    app.include_router(reports_router, dependencies=strict)
    app.include_router(risk_router, dependencies=strict)
    app.include_router(sharing_router, dependencies=strict)
    app.include_router(terminal_keys_router, dependencies=strict)
    app.include_router(bank_certificates_router, dependencies=strict)
    app.include_router(web_router)
    app.include_router(supervision_pages)
    app.include_router(enforcement_pages)
    app.include_router(reports_pages)
    app.include_router(risk_pages_router)
