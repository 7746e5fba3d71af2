"""Lists each domain router of contracts-api, served under /v1."""

from fastapi import APIRouter

from contracts_api.archive.router import router as archive_router
from contracts_api.audit.router import router as audit_router
from contracts_api.contracts.router import router as contracts_router
from contracts_api.ocds.router import router as ocds_router
from contracts_api.procurement.router import renewals_router
from contracts_api.procurement.router import router as procurement_router
from contracts_api.projects.router import router as projects_router
from contracts_api.vendors.router import router as vendors_router

#: every domain router, each included by the app itself under ``API_PREFIX`` (see
#: :func:`houqin_common.app.create_service_app`: one level of routers, not a /v1 router around them)
API_PREFIX = "/v1"
ROUTERS: list[APIRouter] = [
    vendors_router,
    projects_router,
    procurement_router,
    contracts_router,
    renewals_router,
    archive_router,
    ocds_router,
    audit_router,
]

OPENAPI_TAGS: list[dict[str, str]] = [
    {"name": "vendors", "description": "Vendors, qualifications, due diligence, one-vote veto (一票否决)"},
    {"name": "projects", "description": "Service projects (后勤项目) and their classifications"},
    {"name": "procurement", "description": "Procurement routes (进驻方式), quotes, tenders, award"},
    {"name": "contracts", "description": "Contract lifecycle, reviews, audit history, renewals"},
    {"name": "archive", "description": "Contract documents (合同档案) with SHA-256 verification"},
    {"name": "ocds", "description": "Open Contracting Data Standard 1.1 release and record packages"},
]
