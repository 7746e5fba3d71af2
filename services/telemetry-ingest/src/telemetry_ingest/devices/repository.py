"""Queries of the registry: the Core read path of meters and vehicles, energy codes, pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, bindparam, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from houqin_common.hotpath import ReadPool, Row, columns_of, compiled
from houqin_common.pagination import PageParams
from telemetry_ingest.devices.schemas import MeterRead
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


# --- hot reads (houqin_common.hotpath): Core selects of MeterRead's columns, compiled once per shape ---

_METER = Meter.__table__
_METER_COLUMNS = columns_of(_METER, MeterRead)
#: the meter list's filters, in the order of the statement shape
_METER_FILTERS = ("building", "energy_type", "sub_item", "vendor_id")


def _meter_by_id() -> Select[Any]:
    return select(*_METER_COLUMNS).where(_METER.c.id == bindparam("meter_id"))


async def read_meter(db: ReadPool, meter_id: str) -> Row | None:
    """The meter's MeterRead columns, or None."""
    return await db.fetchrow(compiled("telemetry.meter", _meter_by_id), meter_id=meter_id)


def _meters_filtered(present: tuple[bool, ...]) -> Select[Any]:
    stmt = select(*_METER_COLUMNS)
    for name, on in zip(_METER_FILTERS, present, strict=True):
        if on:
            stmt = stmt.where(_METER.c[name] == bindparam(name))
    return stmt


async def read_meters(
    db: ReadPool, params: PageParams, *, filters: dict[str, str | None], sorts: set[str], default: str
) -> tuple[list[Row], int]:
    """A page of meters (MeterRead columns) and the total (empty filter values are no filter), sorted as
    :func:`sorted_page` sorts (``sorts``: the columns allowed, 422 for another; the id breaks ties)."""
    field, desc = params.order(sorts, default)
    values = {name: filters[name] for name in _METER_FILTERS if filters.get(name)}
    present = tuple(name in values for name in _METER_FILTERS)

    def page() -> Select[Any]:
        column = _METER.c[field]
        order = [column.desc() if desc else column]
        if field != "id":
            order.append(_METER.c.id)
        return _meters_filtered(present).order_by(*order).limit(bindparam("limit")).offset(bindparam("offset"))

    count = compiled(
        ("telemetry.meters.count", present),
        lambda: select(func.count()).select_from(_meters_filtered(present).subquery()),
    )
    rows = compiled(("telemetry.meters.page", present, field, desc), page)
    async with db.connection() as conn:
        total = await conn.fetchval(count, **values)
        return await conn.fetch(rows, **values, limit=params.limit, offset=params.offset), int(total)


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


async def touch_meter_days(session: AsyncSession, *, meter_id: str, tz: str) -> None:
    """Log every rolled-up day of a meter as touched: the worker recomputes its energy and cost rollups (queries
    answer those days from the raw readings until then)."""
    await session.execute(
        text(
            "INSERT INTO telemetry.touched_range (kind, subject_id, hour)"
            " SELECT 'meter', meter_id, CAST(day AS timestamp) AT TIME ZONE :tz FROM telemetry.energy_daily"
            " WHERE meter_id = :meter"
        ),
        {"meter": meter_id, "tz": tz},
    )
