"""Every domain's router, in one list."""

from __future__ import annotations

from fastapi import FastAPI

from haiquan.cargo.api import router as cargo_router
from haiquan.declarations.api import router as declarations_router
from haiquan.organization.api import router as organization_router
from haiquan.supervision.api import router as supervision_router
from haiquan.supervision.views import router as supervision_pages


def include_routers(app: FastAPI) -> None:
    app.include_router(organization_router)
    app.include_router(declarations_router)
    app.include_router(cargo_router)
    app.include_router(supervision_router)
    app.include_router(supervision_pages)
