"""Every domain's router, in one list."""

from __future__ import annotations

from fastapi import FastAPI

from haiquan.declarations.api import router as declarations_router
from haiquan.organization.api import router as organization_router
from haiquan.risk.api import router as risk_router
from haiquan.risk.pages import router as risk_pages_router


def include_routers(app: FastAPI) -> None:
    app.include_router(organization_router)
    app.include_router(declarations_router)
    app.include_router(risk_router)
    app.include_router(risk_pages_router)
