from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts_api.models import Vendor


async def get(session: AsyncSession, vendor_id: str) -> Vendor | None:
    return await session.get(Vendor, vendor_id)


async def get_by_credit_code(session: AsyncSession, credit_code: str) -> Vendor | None:
    return (await session.execute(select(Vendor).where(Vendor.credit_code == credit_code))).scalar_one_or_none()


async def list_page(session: AsyncSession, *, limit: int, offset: int) -> tuple[list[Vendor], int]:
    total = (await session.execute(select(func.count()).select_from(Vendor))).scalar_one()
    rows = (await session.execute(select(Vendor).order_by(Vendor.name).limit(limit).offset(offset))).scalars()
    return list(rows), int(total)
