from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from houqin_common.pagination import PageParams
from telemetry_ingest.models import EnergyCode, Meter, Position, Reading, Vehicle

T = TypeVar("T")


async def energy_codes(session: AsyncSession) -> list[EnergyCode]:
    return list((await session.execute(select(EnergyCode).order_by(EnergyCode.code))).scalars())


async def code_parents(session: AsyncSession) -> dict[str, str | None]:
    return {c.code: c.parent_code for c in await energy_codes(session)}


async def page(
    session: AsyncSession, stmt: Select[Any], *, order: list[Any], limit: int, offset: int
) -> tuple[list[Any], int]:
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = (await session.execute(stmt.order_by(*order).limit(limit).offset(offset))).scalars()
    return [row for row in rows], int(total)


async def sorted_page(
    session: AsyncSession,
    stmt: Select[Any],
    params: PageParams,
    *,
    columns: dict[str, Any],
    default: str,
    tiebreak: Any = None,
) -> tuple[list[Any], int]:
    """One page of ``stmt`` sorted by the client's ``sort`` among ``columns`` (422 for any other);
    ``tiebreak`` keeps the order stable across pages when the sort column has equal values."""
    field, desc = params.order(set(columns), default)
    column = columns[field]
    order = [column.desc() if desc else column]
    if tiebreak is not None and tiebreak is not column:
        order.append(tiebreak)
    return await page(session, stmt, order=order, limit=params.limit, offset=params.offset)


def meters_query(
    *, building: str | None, energy_type: str | None, sub_item: str | None, vendor_id: str | None
) -> Select[Any]:
    stmt = select(Meter)
    if building:
        stmt = stmt.where(Meter.building == building)
    if energy_type:
        stmt = stmt.where(Meter.energy_type == energy_type)
    if sub_item:
        stmt = stmt.where(Meter.sub_item == sub_item)
    if vendor_id:
        stmt = stmt.where(Meter.vendor_id == vendor_id)
    return stmt


def vehicles_query(*, department: str | None, vendor_id: str | None, plate: str | None) -> Select[Any]:
    stmt = select(Vehicle)
    if department:
        stmt = stmt.where(Vehicle.department == department)
    if vendor_id:
        stmt = stmt.where(Vehicle.vendor_id == vendor_id)
    if plate:
        stmt = stmt.where(Vehicle.plate == plate)
    return stmt


async def vehicle_by(session: AsyncSession, column: Any, value: str) -> Vehicle | None:
    return (await session.execute(select(Vehicle).where(column == value))).scalar_one_or_none()


def series_window(
    model: type[Reading] | type[Position], column: Any, device_id: str, since: datetime | None, until: datetime | None
) -> Select[Any]:
    stmt = select(model).where(column == device_id)
    if since is not None:
        stmt = stmt.where(model.ts >= since)
    if until is not None:
        stmt = stmt.where(model.ts < until)
    return stmt


def select_all(model: type[T]) -> Select[Any]:
    return select(model)


async def get(session: AsyncSession, model: type[T], key: str) -> T | None:
    return await session.get(model, key)
