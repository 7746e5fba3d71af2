from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from contracts_api.models import Vendor
from contracts_api.vendors import repository
from contracts_api.vendors.schemas import VendorCreate
from houqin_common.errors import Conflict, NotFound


async def create(session: AsyncSession, *, vendor_in: VendorCreate) -> Vendor:
    if await repository.get_by_credit_code(session, vendor_in.credit_code):
        raise Conflict(f"a vendor with credit code {vendor_in.credit_code} already exists")
    vendor = Vendor(name=vendor_in.name, credit_code=vendor_in.credit_code)
    session.add(vendor)
    await session.flush()
    return vendor


async def get(session: AsyncSession, *, vendor_id: str) -> Vendor:
    vendor = await repository.get(session, vendor_id)
    if vendor is None:
        raise NotFound(f"vendor {vendor_id} not found")
    return vendor
