"""Every domain's router, in one list; the tags that group their operations, and the payloads pushed to
callers' webhooks, as the OpenAPI describes them."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from haiquan.agencies.api import router as agencies_router
from haiquan.agencies.pages import router as agencies_pages
from haiquan.applications.api import router as applications_router
from haiquan.applications.pages import router as applications_pages
from haiquan.audit.api import router as audit_router
from haiquan.audit.pages import router as audit_pages
from haiquan.cargo.api import router as cargo_router
from haiquan.cargo.writeoff_api import router as writeoff_router
from haiquan.cargo.writeoff_pages import router as writeoff_pages
from haiquan.conveyances.api import router as conveyances_router
from haiquan.conveyances.interchange_api import router as conveyances_interchange_router
from haiquan.conveyances.pages import router as conveyances_pages
from haiquan.declarations.api import router as declarations_router
from haiquan.declarations.interchange_api import router as interchange_router
from haiquan.declarations.paper_api import router as paper_router
from haiquan.declarations.schemas import NotificationOut
from haiquan.enforcement.api import router as enforcement_router
from haiquan.enforcement.case_pages import router as case_pages
from haiquan.enforcement.pages import router as enforcement_pages
from haiquan.inspection.api import router as inspection_router
from haiquan.inspection.pages import router as inspection_pages
from haiquan.kit import openapi
from haiquan.kit.queryparams import refuse_unknown_query
from haiquan.lowvalue.api import router as lowvalue_router
from haiquan.organization.admin_pages import router as admin_pages
from haiquan.organization.api import router as organization_router
from haiquan.organization.credentials_api import router as credentials_router
from haiquan.organization.expertise_api import router as expertise_router
from haiquan.organization.key_pages import router as key_pages
from haiquan.origin.api import router as origin_router
from haiquan.payments.api import router as payments_router
from haiquan.payments.bank_pages import router as bank_pages
from haiquan.payments.certificate_api import router as bank_certificates_router
from haiquan.portal.account_pages import router as portal_account_pages
from haiquan.portal.application_pages import router as portal_application_pages
from haiquan.portal.pages import router as portal_pages
from haiquan.portal.regime_pages import router as portal_regime_pages
from haiquan.portal.tax_pages import router as portal_tax_pages
from haiquan.reference.api import router as reference_router
from haiquan.reference.public_api import router as public_router
from haiquan.regimes.api import router as regimes_router
from haiquan.regimes.finalisation_api import router as finalisation_router
from haiquan.regimes.finalisation_pages import router as finalisation_pages
from haiquan.regimes.pages import router as regimes_pages
from haiquan.reports.api import router as reports_router
from haiquan.reports.pages import router as reports_pages
from haiquan.risk.analyst_pages import router as analyst_pages
from haiquan.risk.api import router as risk_router
from haiquan.risk.comparison_pages import router as comparison_pages
from haiquan.risk.lane_pages import router as lane_pages
from haiquan.risk.pages import router as risk_pages_router
from haiquan.risk.retraining_api import router as retraining_router
from haiquan.sharing.api import router as sharing_router
from haiquan.sharing.records_api import router as sharing_records_router
from haiquan.supervision.alert_pages import router as alert_pages
from haiquan.supervision.api import router as supervision_router
from haiquan.supervision.keys_api import router as terminal_keys_router
from haiquan.supervision.pages import router as supervision_pages
from haiquan.supervision.schemas import ConsignmentStatusPushed
from haiquan.supervision.transit_api import router as transit_declarations_router
from haiquan.supervision.transit_pages import router as transit_pages
from haiquan.taxes.api import router as taxes_router
from haiquan.taxes.pages import router as taxes_pages
from haiquan.web.pages import router as web_router

# The OpenAPI's tags, in the order of the guide (docs/api.md); tests/api/test_openapi.py holds every
# operation to one of them.
TAGS = [
    {
        "name": "declarations",
        "description": "Lodge, amend, register and follow declarations; officers' decisions",
    },
    {"name": "payments", "description": "Banks' payment confirmations, reversals and guarantees; the banks"},
    {"name": "supervision", "description": "Terminals' gate messages, release status, transits and alerts"},
    {"name": "cargo", "description": "Carriers' manifests and the screening of their bills"},
    {
        "name": "lowvalue",
        "description": "Express companies' and the post's low-value goods (MIC/MEC) in bulk; parcels held",
    },
    {"name": "organization", "description": "Log-in, the caller, units, officers, enterprises and webhooks"},
    {"name": "credentials", "description": "Officers' sessions, enterprises' API keys and webhook secrets"},
    {"name": "representations", "description": "Who may lodge in another enterprise's name"},
    {"name": "reference", "description": "Reference lists: procedure codes"},
    {
        "name": "public",
        "description": "Public reference data without a key: tariff lines and rates per scheme, exchange "
        "rates, HS search, procedure codes; cached, rate-limited per address",
    },
    {"name": "risk", "description": "Risk profiles, value control, lane rates, overrides and models"},
    {"name": "enforcement", "description": "Anti-smuggling cases, seizures, persons and watch lists"},
    {
        "name": "inspection",
        "description": "Centralised inspection locations and express warehouses, approval delegations, "
        "scanners and their images' results",
    },
    {"name": "reports", "description": "Leaders' reports and their exports"},
    {"name": "sharing", "description": "Federation between nodes and agreements with other agencies"},
    {
        "name": "sharing records",
        "description": "Sub-departments' declarations, manifests, transits and cases replicated to the department's "
        "node: read-only, as last received, open while the link is down",
    },
    {"name": "agencies", "description": "Line ministries' permits and inspections that clearance waits for"},
    {
        "name": "conveyances",
        "description": "Carriers' arrivals and departures, crew and passengers, screening",
    },
    {
        "name": "origin",
        "description": "ASEAN e-C/O (ATIGA e-Form D): receiving, matching, verification, issuing",
    },
    {
        "name": "applications",
        "description": "Traders' applications decided within legal deadlines: refunds, exemptions, "
        "advance rulings, payment-deadline extensions",
    },
    {"name": "regimes", "description": "Special regimes: stock ledger, deadlines, EPEs, discrepancies"},
    {
        "name": "taxes",
        "description": "Tax accounts: debts, aging, interest, penalties, fees, receipts, certificates",
    },
    {
        "name": "interchange",
        "description": "Declarations as UN/EDIFACT CUSDEC or WCO Data Model XML, answered CUSRES or the WCO "
        "response (docs/interchange.md)",
    },
    {
        "name": "audit",
        "description": "Post-clearance audit: the queue, plans, cases, findings and assessments",
    },
]


def document_webhooks(app: FastAPI) -> None:
    """What haiquan POSTs to the URL a caller set with `PUT /api/v1/enterprise/webhook`."""
    openapi.webhook(
        app,
        "declaration-status",
        NotificationOut,
        tag="declarations",
        summary="A declaration's status changed",
        description="Sent to the declarant, and to the importer or exporter it was lodged in the name of.",
    )
    openapi.webhook(
        app,
        "consignment-status",
        ConsignmentStatusPushed,
        tag="supervision",
        summary="The release status of goods a terminal holds or expects changed",
        description="Sent to each connected terminal operator holding or expecting the consignment.",
    )


def include_routers(app: FastAPI) -> None:
    """Hottest first: a request is matched against the routes in order (terminals' messages and look-ups,
    then declarations and payments). No two routers share a path (tests/api/test_routes.py). The API's
    routers refuse query parameters their routes do not declare (kit.queryparams); pages do not."""
    strict = [Depends(refuse_unknown_query)]
    app.include_router(supervision_router, dependencies=strict)
    app.include_router(declarations_router, dependencies=strict)
    app.include_router(paper_router, dependencies=strict)
    app.include_router(payments_router, dependencies=strict)
    app.include_router(cargo_router, dependencies=strict)
    app.include_router(lowvalue_router, dependencies=strict)
    app.include_router(organization_router, dependencies=strict)
    app.include_router(credentials_router, dependencies=strict)
    app.include_router(reference_router, dependencies=strict)
    app.include_router(public_router, dependencies=strict)
    app.include_router(enforcement_router, dependencies=strict)
    app.include_router(inspection_router, dependencies=strict)
    app.include_router(reports_router, dependencies=strict)
    app.include_router(risk_router, dependencies=strict)
    app.include_router(sharing_router, dependencies=strict)
    app.include_router(sharing_records_router, dependencies=strict)
    app.include_router(terminal_keys_router, dependencies=strict)
    app.include_router(bank_certificates_router, dependencies=strict)
    app.include_router(agencies_router, dependencies=strict)
    app.include_router(origin_router, dependencies=strict)
    app.include_router(applications_router, dependencies=strict)
    app.include_router(regimes_router, dependencies=strict)
    app.include_router(taxes_router, dependencies=strict)
    app.include_router(transit_declarations_router, dependencies=strict)
    app.include_router(finalisation_router, dependencies=strict)
    app.include_router(conveyances_router, dependencies=strict)
    app.include_router(conveyances_interchange_router, dependencies=strict)
    app.include_router(interchange_router, dependencies=strict)
    app.include_router(writeoff_router, dependencies=strict)
    app.include_router(writeoff_pages)
    app.include_router(web_router)
    app.include_router(alert_pages)
    app.include_router(case_pages)
    app.include_router(analyst_pages)
    app.include_router(lane_pages)
    app.include_router(admin_pages)
    app.include_router(key_pages)
    app.include_router(bank_pages)
    app.include_router(supervision_pages)
    app.include_router(enforcement_pages)
    app.include_router(inspection_pages)
    app.include_router(reports_pages)
    app.include_router(risk_pages_router)
    app.include_router(agencies_pages)
    app.include_router(applications_pages)
    app.include_router(regimes_pages)
    app.include_router(audit_router, dependencies=strict)
    app.include_router(expertise_router, dependencies=strict)
    app.include_router(audit_pages)
    app.include_router(retraining_router, dependencies=strict)
    app.include_router(comparison_pages)
    app.include_router(taxes_pages)
    app.include_router(transit_pages)
    app.include_router(finalisation_pages)
    app.include_router(conveyances_pages)
    app.include_router(portal_pages)
    app.include_router(portal_account_pages)
    app.include_router(portal_tax_pages)
    app.include_router(portal_application_pages)
    app.include_router(portal_regime_pages)
