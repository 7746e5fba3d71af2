from __future__ import annotations

from fastapi import APIRouter, Depends, status

from contracts_api.vendors import repository, service
from contracts_api.vendors.schemas import VendorCreate, VendorRead
from houqin_common.auth import READ_ALL, Principal, Role, require_roles
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS, NotFound, problem_responses
from houqin_common.pagination import PageParams, page_params
from houqin_common.schemas import Page

router = APIRouter(prefix="/vendors", tags=["vendors"], responses=COMMON_ERRORS)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=VendorRead, responses=problem_responses(409))
async def create_vendor(
    vendor_in: VendorCreate,
    session: DbSession,
    _: Principal = Depends(require_roles(Role.procurement)),
) -> VendorRead:
    """Register a vendor."""
    vendor = await service.create(session, vendor_in=vendor_in)
    return VendorRead.model_validate(vendor)


@router.get("", response_model=Page[VendorRead])
async def list_vendors(
    session: DbSession,
    page: PageParams = Depends(page_params),
    _: Principal = Depends(require_roles(Role.procurement, Role.supervisor, Role.reviewer, *READ_ALL)),
) -> Page[VendorRead]:
    """List vendors."""
    rows, total = await repository.list_page(session, limit=page.limit, offset=page.offset)
    return Page(items=[VendorRead.model_validate(r) for r in rows], total=total, limit=page.limit, offset=page.offset)


@router.get("/{vendor_id}", response_model=VendorRead, responses=problem_responses(404))
async def get_vendor(
    vendor_id: str,
    session: DbSession,
    principal: Principal = Depends(
        require_roles(Role.procurement, Role.supervisor, Role.reviewer, Role.vendor, *READ_ALL)
    ),
) -> VendorRead:
    """One vendor. A vendor token sees only its own vendor (404 for any other)."""
    if principal.is_vendor_only and principal.vendor_id != vendor_id:
        raise NotFound(f"vendor {vendor_id} not found")
    return VendorRead.model_validate(await service.get(session, vendor_id=vendor_id))
