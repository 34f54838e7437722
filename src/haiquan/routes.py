"""Every domain's router, in one list."""

from __future__ import annotations

from fastapi import FastAPI

from haiquan.organization.api import router as organization_router
from haiquan.sharing.api import router as sharing_router


def include_routers(app: FastAPI) -> None:
    app.include_router(organization_router)
    app.include_router(sharing_router)
