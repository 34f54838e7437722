"""A refusal by another agency opens an anti-smuggling case for the customs officers of the declaration's
office (enforcement), naming the agency, the line and the refusal."""

from __future__ import annotations

from sqlalchemy.orm import Session

from haiquan.agencies.domain import AGENCIES
from haiquan.agencies.tables import PermitRow
from haiquan.declarations.tables import DeclarationRow
from haiquan.enforcement import service as enforcement
from haiquan.enforcement.domain import Field, Route
from haiquan.enforcement.schemas import CaseIn
from haiquan.kit import clock
from haiquan.kit.auth import Principal, Scope

ROUTES = {
    "air": Route.AIRPORT,
    "sea": Route.SEAPORT,
    "road": Route.ROAD_BORDER_GATE,
    "rail": Route.ROAD_BORDER_GATE,
}
SYSTEM = Principal(
    kind="officer", id="system-agencies", name="agencies", scope=Scope(units=None), role="department_leader"
)


def open_refusal_case(session: Session, *, permit: PermitRow, declaration: DeclarationRow) -> str:
    agency = AGENCIES[permit.agency]
    case = enforcement.open_case(
        session,
        principal=SYSTEM,
        data=CaseIn(
            unit=declaration.office,
            detected_on=clock.today_vn(),
            field=Field.PROHIBITED_GOODS,
            route=ROUTES.get(declaration.transport_mode, Route.SEAPORT),
            summary=(
                f"{agency.name_vi} từ chối {permit.requirement} dòng hàng {permit.line_no} "
                f"(HS {permit.hs_code}) của tờ khai {permit.number}: {permit.reason}"
            )[:4000],
        ),
    )
    return case.number
