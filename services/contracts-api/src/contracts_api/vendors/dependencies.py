"""Dependencies of the vendor routes: the vendor from the path, loaded once and visible to the caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from contracts_api.common import STAFF_READERS
from contracts_api.models import Vendor
from contracts_api.vendors import service
from houqin_common.auth import Principal, Role, require_roles, vendor_scope
from houqin_common.db import DbSession


async def valid_vendor_id(
    session: DbSession,
    vendor_id: str = Path(max_length=36, description="vendor id"),
    principal: Principal = Depends(require_roles(*STAFF_READERS, Role.vendor)),
) -> Vendor:
    """The vendor of the path, 404 when unknown or (for a vendor token) not the caller's own."""
    return await service.get(session, vendor_id=vendor_id, scope=vendor_scope(principal))


VisibleVendor = Annotated[Vendor, Depends(valid_vendor_id)]
