"""HTTP routes of the registry: energy codes, meters and vehicles, their readings and positions."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request, Response, status

from houqin_common.auth import READ_ALL, Principal, Role, require_roles, vendor_scope
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS, problem_responses
from houqin_common.hotpath import json_response, page_response, read_pool
from houqin_common.pagination import PageParams, page_of_query, sorted_page, to_page
from houqin_common.routing import ServiceRouter
from houqin_common.schemas import IsoDateTime, Page
from telemetry_ingest.devices import service
from telemetry_ingest.devices.schemas import (
    CalendarCreate,
    CalendarRead,
    EnergyCodeNode,
    GeofenceCreate,
    GeofenceRead,
    MeterCreate,
    MeterQuery,
    MeterRead,
    MeterUpdate,
    PositionRead,
    ReadingRead,
    TerminalState,
    VehicleCreate,
    VehicleRead,
    VehicleUpdate,
)
from telemetry_ingest.names import Directory, name_items

router = ServiceRouter(tags=["devices"], responses=COMMON_ERRORS)

WRITE = require_roles(Role.supervisor)
READ = require_roles(Role.supervisor, Role.gateway, Role.inspector, Role.vendor, *READ_ALL)


# The hot reads are declared first: a router tries its routes in declaration order (twice per request,
# ≈ 2.5 µs a route; docs/operations.md), and none declared before them can match their paths.


@router.get("/meters", response_model=Page[MeterRead])
async def list_meters(
    request: Request,
    query: Annotated[MeterQuery, Query()],
    principal: Principal = Depends(READ),
) -> Response:
    """List meters. A vendor token sees only the meters it is responsible for."""
    page = page_of_query(query)
    items, total = await service.read_meters(
        read_pool(request),
        page,
        building=query.building,
        energy_type=query.energy_type,
        sub_item=query.sub_item,
        vendor_id=vendor_scope(principal) or query.vendor_id,
    )
    return page_response(MeterRead, items, total, page)


@router.get("/meters/{meter_id}", response_model=MeterRead, responses=problem_responses(404))
async def get_meter(meter_id: str, request: Request, principal: Principal = Depends(READ)) -> Response:
    """One meter (404 for a vendor token when another vendor is responsible for it)."""
    return json_response(
        await service.read_meter(read_pool(request), meter_id=meter_id, vendor_id=vendor_scope(principal))
    )


@router.get("/energy-codes", response_model=list[EnergyCodeNode])
async def get_energy_code_tree(session: DbSession, _: Principal = Depends(READ)) -> list[EnergyCodeNode]:
    """The energy type / sub-item code tree of the national energy-monitoring guideline for government
    office buildings (01000 electricity -> 01A00 lighting & sockets -> 01A20 corridor & emergency lighting...)."""
    return await service.code_tree(session)


@router.post("/meters", status_code=status.HTTP_201_CREATED, response_model=MeterRead, responses=problem_responses(409))
async def create_meter(meter_in: MeterCreate, session: DbSession, _: Principal = Depends(WRITE)) -> MeterRead:
    """Register an energy meter. The energy type must be a top-level code and the sub-item a code under it."""
    return MeterRead.model_validate(await service.create_meter(session, meter_in=meter_in))


@router.patch("/meters/{meter_id}", response_model=MeterRead, responses=problem_responses(404))
async def update_meter(
    meter_id: str, meter_in: MeterUpdate, session: DbSession, _: Principal = Depends(WRITE)
) -> MeterRead:
    """Change a meter's attributes (codes are validated against the tree again)."""
    return MeterRead.model_validate(await service.update_meter(session, meter_id=meter_id, meter_in=meter_in))


@router.get("/meters/{meter_id}/readings", response_model=Page[ReadingRead], responses=problem_responses(404))
async def list_meter_readings(
    meter_id: str,
    request: Request,
    session: DbSession,
    page: PageParams = Depends(sorted_page("-ts")),
    since: IsoDateTime | None = Query(None, description="from this device time (inclusive), with offset"),
    until: IsoDateTime | None = Query(None, description="to this device time (exclusive), with offset"),
    principal: Principal = Depends(READ),
) -> Page[ReadingRead]:
    """Raw readings of a meter as stored (device time, receipt time), newest first by default."""
    meter = await service.read_meter(read_pool(request), meter_id=meter_id, vendor_id=vendor_scope(principal))
    rows, total = await service.list_readings(session, page, meter=meter, since=since, until=until)
    answer = to_page(ReadingRead, rows, total, page)
    for item in answer.items:
        item.meter_name, item.building = meter.name, meter.building
    return answer


@router.post(
    "/vehicles",
    status_code=status.HTTP_201_CREATED,
    response_model=VehicleRead,
    responses=problem_responses(409),
)
async def create_vehicle(vehicle_in: VehicleCreate, session: DbSession, _: Principal = Depends(WRITE)) -> VehicleRead:
    """Register an official vehicle: a valid Chinese plate (ordinary or new-energy), its BeiDou terminal,
    designated parking geofence and permitted-use calendar (both must exist)."""
    return VehicleRead.model_validate(await service.create_vehicle(session, vehicle_in=vehicle_in))


@router.get("/vehicles", response_model=Page[VehicleRead])
async def list_vehicles(
    session: DbSession,
    names: Directory,
    page: PageParams = Depends(sorted_page("plate")),
    department: str | None = Query(None, max_length=200, description="only this department"),
    vendor_id: str | None = Query(None, max_length=64, description="only vehicles of this vendor"),
    plate: str | None = Query(None, max_length=16, description="exact plate number"),
    principal: Principal = Depends(READ),
) -> Page[VehicleRead]:
    """List vehicles, each with its vendor's name. A vendor token sees only the vehicles it is responsible for."""
    rows, total = await service.list_vehicles(
        session, page, department=department, vendor_id=vendor_scope(principal) or vendor_id, plate=plate
    )
    answer = to_page(VehicleRead, rows, total, page)
    await name_items(names, answer.items)
    return answer


@router.get("/vehicles/{vehicle_id}", response_model=VehicleRead, responses=problem_responses(404))
async def get_vehicle(
    vehicle_id: str, session: DbSession, names: Directory, principal: Principal = Depends(READ)
) -> VehicleRead:
    """One vehicle (404 for a vendor token when another vendor is responsible for it), with the
    JT/T 808 connection state of its terminal."""
    vehicle = await service.get_vehicle(session, vehicle_id=vehicle_id, vendor_id=vendor_scope(principal))
    read = VehicleRead.model_validate(vehicle)
    state = await service.terminal_state(session, vehicle_id=vehicle.id)
    read.terminal = None if state is None else TerminalState.model_validate(state)
    await name_items(names, [read])
    return read


@router.patch("/vehicles/{vehicle_id}", response_model=VehicleRead, responses=problem_responses(404, 409))
async def update_vehicle(
    vehicle_id: str, vehicle_in: VehicleUpdate, session: DbSession, _: Principal = Depends(WRITE)
) -> VehicleRead:
    """Change a vehicle's attributes (plate, terminal, geofence, calendar are validated again)."""
    return VehicleRead.model_validate(
        await service.update_vehicle(session, vehicle_id=vehicle_id, vehicle_in=vehicle_in)
    )


@router.get("/vehicles/{vehicle_id}/positions", response_model=Page[PositionRead], responses=problem_responses(404))
async def list_vehicle_positions(
    vehicle_id: str,
    session: DbSession,
    page: PageParams = Depends(sorted_page("-ts")),
    since: IsoDateTime | None = Query(None, description="from this device time (inclusive), with offset"),
    until: IsoDateTime | None = Query(None, description="to this device time (exclusive), with offset"),
    principal: Principal = Depends(READ),
) -> Page[PositionRead]:
    """Raw positions of a vehicle as stored (device time, receipt time), newest first by default."""
    vehicle = await service.get_vehicle(session, vehicle_id=vehicle_id, vendor_id=vendor_scope(principal))
    rows, total = await service.list_positions(session, page, vehicle=vehicle, since=since, until=until)
    answer = to_page(PositionRead, rows, total, page)
    for item in answer.items:
        item.plate = vehicle.plate
    return answer


@router.post(
    "/geofences", status_code=status.HTTP_201_CREATED, response_model=GeofenceRead, responses=problem_responses(409)
)
async def create_geofence(
    geofence_in: GeofenceCreate, session: DbSession, _: Principal = Depends(WRITE)
) -> GeofenceRead:
    """Create a geofence: a GeoJSON Polygon ([lon, lat], closed rings) or a circle (centre + radius in metres)."""
    return GeofenceRead.model_validate(await service.create_geofence(session, geofence_in=geofence_in))


@router.get("/geofences", response_model=Page[GeofenceRead])
async def list_geofences(
    session: DbSession, page: PageParams = Depends(sorted_page("name")), _: Principal = Depends(READ)
) -> Page[GeofenceRead]:
    """List geofences."""
    rows, total = await service.list_geofences(session, page)
    return to_page(GeofenceRead, rows, total, page)


@router.get("/geofences/{geofence_id}", response_model=GeofenceRead, responses=problem_responses(404))
async def get_geofence(geofence_id: str, session: DbSession, _: Principal = Depends(READ)) -> GeofenceRead:
    """One geofence."""
    return GeofenceRead.model_validate(await service.get_geofence(session, geofence_id=geofence_id))


@router.post(
    "/calendars", status_code=status.HTTP_201_CREATED, response_model=CalendarRead, responses=problem_responses(409)
)
async def create_calendar(
    calendar_in: CalendarCreate, session: DbSession, _: Principal = Depends(WRITE)
) -> CalendarRead:
    """Create a permitted-use calendar: working-day hours, working weekdays, sealed holidays, swapped workdays."""
    return CalendarRead.model_validate(await service.create_calendar(session, calendar_in=calendar_in))


@router.get("/calendars", response_model=Page[CalendarRead])
async def list_calendars(
    session: DbSession, page: PageParams = Depends(sorted_page("name")), _: Principal = Depends(READ)
) -> Page[CalendarRead]:
    """List calendars."""
    rows, total = await service.list_calendars(session, page)
    return to_page(CalendarRead, rows, total, page)


@router.get("/calendars/{calendar_id}", response_model=CalendarRead, responses=problem_responses(404))
async def get_calendar(calendar_id: str, session: DbSession, _: Principal = Depends(READ)) -> CalendarRead:
    """One calendar."""
    return CalendarRead.model_validate(await service.get_calendar(session, calendar_id=calendar_id))
