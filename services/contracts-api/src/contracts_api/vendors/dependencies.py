"""Dependencies of the vendor routes: the vendor from the path, loaded once and visible to the caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from contracts_api.common import STAFF_READERS
from contracts_api.vendors import service
from contracts_api.vendors.schemas import VendorRead
from houqin_common.auth import Principal, Role, require_roles, vendor_scope
from houqin_common.hotpath import read_pool


async def valid_vendor_id(
    request: Request,
    vendor_id: str = Path(max_length=36, description="vendor id"),
    principal: Principal = Depends(require_roles(*STAFF_READERS, Role.vendor)),
) -> VendorRead:
    """The vendor of the path through the one read path (:func:`service.read`), loaded once per request; 404
    when unknown or (for a vendor token) not the caller's own. For the GET routes of a vendor's records."""
    return await service.read(read_pool(request), vendor_id=vendor_id, scope=vendor_scope(principal))


VisibleVendor = Annotated[VendorRead, Depends(valid_vendor_id)]
