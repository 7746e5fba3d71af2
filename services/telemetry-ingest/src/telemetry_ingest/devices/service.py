"""Registry rules that need the database: codes in the tree, unique plates and terminals, references."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from houqin_common.errors import Conflict, NotFound, UnprocessableEntity
from houqin_common.hotpath import ReadPool, page_items
from houqin_common.i18n import _
from houqin_common.pagination import PageParams
from telemetry_ingest.analytics.config import get_analytics_settings
from telemetry_ingest.devices import repository, rules
from telemetry_ingest.devices.schemas import (
    CalendarCreate,
    EnergyCodeNode,
    GeofenceCreate,
    MeterCreate,
    MeterRead,
    MeterUpdate,
    VehicleCreate,
    VehicleUpdate,
)
from telemetry_ingest.models import Calendar, Geofence, Meter, Position, Reading, TerminalConnection, Vehicle

T = TypeVar("T", Geofence, Calendar)


def _invalid(name: str, reason: str) -> UnprocessableEntity:
    return UnprocessableEntity(reason, **{"invalid-params": [{"name": f"body.{name}", "reason": reason}]})


async def code_tree(session: AsyncSession) -> list[EnergyCodeNode]:
    codes = await repository.energy_codes(session)
    nodes = {c.code: EnergyCodeNode(code=c.code, level=c.level, name=c.name, name_zh=c.name_zh) for c in codes}
    roots: list[EnergyCodeNode] = []
    for c in codes:
        (nodes[c.parent_code].children if c.parent_code in nodes else roots).append(nodes[c.code])
    return roots


async def _check_codes(session: AsyncSession, energy_type: str, sub_item: str | None) -> None:
    try:
        rules.check_energy_codes(energy_type, sub_item, await repository.code_parents(session))
    except rules.CodeError as exc:
        raise _invalid(exc.field, str(exc)) from None


async def _is_vehicle(session: AsyncSession, device_id: str) -> bool:
    return await repository.get(session, Vehicle, device_id) is not None


async def create_meter(session: AsyncSession, *, meter_in: MeterCreate) -> Meter:
    if await repository.get(session, Meter, meter_in.id) is not None or await _is_vehicle(session, meter_in.id):
        raise Conflict(_("a device with id {id} already exists", id=meter_in.id))
    await _check_codes(session, meter_in.energy_type, meter_in.sub_item)
    meter = Meter(**meter_in.model_dump())
    session.add(meter)
    await session.flush()
    await session.refresh(meter)
    return meter


async def _meter_to_change(session: AsyncSession, meter_id: str) -> Meter:
    """The meter's ORM row in the request's transaction, for an update (reads go through :func:`read_meter`)."""
    meter = await repository.get(session, Meter, meter_id)
    if meter is None:
        raise NotFound(_("meter {id} not found", id=meter_id))
    return meter


async def read_meter(db: ReadPool, *, meter_id: str, vendor_id: str | None = None) -> MeterRead:
    """The one read path of a meter: one Core select straight into MeterRead, no ORM object; 404 when
    unknown or (``vendor_id``: a vendor token's scope) another vendor's."""
    row = await repository.read_meter(db, meter_id)
    if row is None or (vendor_id is not None and row["vendor_id"] != vendor_id):
        raise NotFound(_("meter {id} not found", id=meter_id))
    return MeterRead.model_validate(dict(row))


async def update_meter(session: AsyncSession, *, meter_id: str, meter_in: MeterUpdate) -> Meter:
    meter = await _meter_to_change(session, meter_id)
    changes = meter_in.model_dump(exclude_unset=True)
    energy_type = changes.get("energy_type") or meter.energy_type
    sub_item = changes.get("sub_item", meter.sub_item)
    await _check_codes(session, energy_type, sub_item)
    for key, value in changes.items():
        if value is None and key in ("name", "building", "energy_type", "unit", "multiplier"):
            raise _invalid(key, _("{field} cannot be null", field=key))
    # what the rollups computed with: kWh (multiplier), tariff scope (building, energy type)
    recompute = any(getattr(meter, k) != changes[k] for k in ROLLED_UP_ATTRIBUTES if k in changes)
    for key, value in changes.items():
        setattr(meter, key, value)
    await session.flush()
    if recompute:
        await repository.touch_meter_days(session, meter_id=meter.id, tz=get_analytics_settings().timezone)
    return meter


#: meter attributes the energy and cost rollups depend on: changing one logs the meter's rolled-up days
ROLLED_UP_ATTRIBUTES = ("multiplier", "building", "energy_type")


async def _check_vehicle_refs(session: AsyncSession, values: dict[str, Any], vehicle_id: str | None) -> None:
    if values.get("parking_geofence_id") and not await repository.get(session, Geofence, values["parking_geofence_id"]):
        raise _invalid("parking_geofence_id", _("geofence {id} does not exist", id=values["parking_geofence_id"]))
    if values.get("calendar_id") and not await repository.get(session, Calendar, values["calendar_id"]):
        raise _invalid("calendar_id", _("calendar {id} does not exist", id=values["calendar_id"]))
    if values.get("plate"):
        other = await repository.vehicle_by(session, Vehicle.plate, values["plate"])
        if other is not None and other.id != vehicle_id:
            raise Conflict(
                _("plate {plate} is already registered to vehicle {vehicle}", plate=values["plate"], vehicle=other.id)
            )
    if values.get("terminal_id"):
        other = await repository.vehicle_by(session, Vehicle.terminal_id, values["terminal_id"])
        if other is not None and other.id != vehicle_id:
            raise Conflict(
                _(
                    "terminal {terminal} is already fitted to vehicle {vehicle}",
                    terminal=values["terminal_id"],
                    vehicle=other.id,
                )
            )
    if values.get("terminal_phone"):
        other = await repository.vehicle_by(session, Vehicle.terminal_phone, values["terminal_phone"])
        if other is not None and other.id != vehicle_id:
            raise Conflict(
                _(
                    "terminal phone {phone} is already fitted to vehicle {vehicle}",
                    phone=values["terminal_phone"],
                    vehicle=other.id,
                )
            )


async def create_vehicle(session: AsyncSession, *, vehicle_in: VehicleCreate) -> Vehicle:
    if await _is_vehicle(session, vehicle_in.id) or await repository.get(session, Meter, vehicle_in.id) is not None:
        raise Conflict(_("a device with id {id} already exists", id=vehicle_in.id))
    values = vehicle_in.model_dump()
    await _check_vehicle_refs(session, values, None)
    vehicle = Vehicle(**values)
    session.add(vehicle)
    await session.flush()
    await session.refresh(vehicle)
    return vehicle


async def get_vehicle(session: AsyncSession, *, vehicle_id: str, vendor_id: str | None = None) -> Vehicle:
    vehicle = await repository.get(session, Vehicle, vehicle_id)
    if vehicle is None or (vendor_id is not None and vehicle.vendor_id != vendor_id):
        raise NotFound(_("vehicle {id} not found", id=vehicle_id))
    return vehicle


async def terminal_state(session: AsyncSession, *, vehicle_id: str) -> TerminalConnection | None:
    return await repository.get(session, TerminalConnection, vehicle_id)


async def update_vehicle(session: AsyncSession, *, vehicle_id: str, vehicle_in: VehicleUpdate) -> Vehicle:
    vehicle = await get_vehicle(session, vehicle_id=vehicle_id)
    changes = vehicle_in.model_dump(exclude_unset=True)
    if "plate" in changes and changes["plate"] is None:
        raise _invalid("plate", _("{field} cannot be null", field="plate"))
    await _check_vehicle_refs(session, changes, vehicle_id)
    for key, value in changes.items():
        setattr(vehicle, key, value)
    await session.flush()
    return vehicle


async def _get(session: AsyncSession, model: type[T], key: str, missing: str) -> T:
    found = await repository.get(session, model, key)
    if found is None:
        raise NotFound(missing)
    return found


async def _insert_new(session: AsyncSession, record_: T, *, key: str, taken: str) -> T:
    """Insert a registry entry whose id the client chose; 409 ``taken`` when the id exists."""
    if await repository.get(session, type(record_), key):
        raise Conflict(taken)
    session.add(record_)
    await session.flush()
    return record_


async def create_geofence(session: AsyncSession, *, geofence_in: GeofenceCreate) -> Geofence:
    taken = _("geofence {geofence_id} already exists", geofence_id=geofence_in.id)
    return await _insert_new(session, Geofence(**geofence_in.model_dump()), key=geofence_in.id, taken=taken)


async def get_geofence(session: AsyncSession, *, geofence_id: str) -> Geofence:
    return await _get(session, Geofence, geofence_id, _("geofence {geofence_id} not found", geofence_id=geofence_id))


async def create_calendar(session: AsyncSession, *, calendar_in: CalendarCreate) -> Calendar:
    taken = _("calendar {calendar_id} already exists", calendar_id=calendar_in.id)
    return await _insert_new(session, Calendar(**calendar_in.model_dump()), key=calendar_in.id, taken=taken)


async def get_calendar(session: AsyncSession, *, calendar_id: str) -> Calendar:
    return await _get(session, Calendar, calendar_id, _("calendar {calendar_id} not found", calendar_id=calendar_id))


def _columns(model: Any, *names: str) -> dict[str, Any]:
    """The sortable columns of ``model`` by their API names."""
    return {name: getattr(model, name) for name in names}


#: the fields the meter list may be sorted by
METER_SORTS = ("id", "name", "building", "created_at")


async def read_meters(
    db: ReadPool,
    page: PageParams,
    *,
    building: str | None,
    energy_type: str | None,
    sub_item: str | None,
    vendor_id: str | None,
) -> tuple[list[MeterRead], int]:
    """Meters by equality filters (empty: none), the page's rows validated as MeterRead in one call."""
    filters = {"building": building, "energy_type": energy_type, "sub_item": sub_item, "vendor_id": vendor_id}
    rows, total = await repository.read_meters(db, page, filters=filters, sorts=set(METER_SORTS), default="id")
    return page_items(MeterRead, rows), total


async def list_readings(
    session: AsyncSession, page: PageParams, *, meter: MeterRead, since: datetime | None, until: datetime | None
) -> tuple[list[Reading], int]:
    stmt = repository.series_window(Reading, Reading.meter_id, meter.id, since, until)
    return await repository.sorted_page(session, stmt, page, columns={"ts": Reading.ts}, default="-ts")


async def list_vehicles(
    session: AsyncSession, page: PageParams, *, department: str | None, vendor_id: str | None, plate: str | None
) -> tuple[list[Vehicle], int]:
    stmt = repository.vehicles_query(department=department, vendor_id=vendor_id, plate=plate)
    columns = _columns(Vehicle, "id", "plate", "department", "created_at")
    return await repository.sorted_page(session, stmt, page, columns=columns, default="id", tiebreak=Vehicle.id)


async def list_positions(
    session: AsyncSession, page: PageParams, *, vehicle: Vehicle, since: datetime | None, until: datetime | None
) -> tuple[list[Position], int]:
    stmt = repository.series_window(Position, Position.vehicle_id, vehicle.id, since, until)
    return await repository.sorted_page(session, stmt, page, columns={"ts": Position.ts}, default="-ts")


async def list_geofences(session: AsyncSession, page: PageParams) -> tuple[list[Geofence], int]:
    stmt = repository.select_all(Geofence)
    return await repository.sorted_page(session, stmt, page, columns=_columns(Geofence, "id", "name"), default="id")


async def list_calendars(session: AsyncSession, page: PageParams) -> tuple[list[Calendar], int]:
    stmt = repository.select_all(Calendar)
    return await repository.sorted_page(session, stmt, page, columns=_columns(Calendar, "id", "name"), default="id")
