"""Mounts each domain router of contracts-api under /v1."""

from fastapi import APIRouter

from contracts_api.vendors.router import router as vendors_router

api_router = APIRouter(prefix="/v1")
api_router.include_router(vendors_router)

OPENAPI_TAGS: list[dict[str, str]] = [
    {"name": "vendors", "description": "Vendors, qualifications, due diligence, one-vote veto (一票否决)"},
]
