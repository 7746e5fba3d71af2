"""HTTP routes of the fleet analytics, trip requests and alerts."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Query, Request, status
from fastapi.responses import Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials

from houqin_common import clock
from houqin_common.auth import READ_ALL, Principal, Role, _bearer, decode_token, require_roles, vendor_scope
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS, Forbidden, NotFound, Unauthorized, problem_responses
from houqin_common.i18n import _
from houqin_common.pagination import PageParams, page_of, sorted_page, to_page
from houqin_common.routing import ServiceRouter
from houqin_common.schemas import IsoDateTime, Page
from telemetry_ingest.analytics.dependencies import Settings
from telemetry_ingest.devices import service as device_service
from telemetry_ingest.fleet import exports, geojson, service, stream
from telemetry_ingest.fleet.alert_rules import Severity
from telemetry_ingest.fleet.schemas import (
    AlertRead,
    AnyAlertKind,
    DistanceRow,
    EvaluationRead,
    PositionCollection,
    SegmentsRead,
    TrackFeature,
    TripRequestCreate,
    TripRequestDecision,
    TripRequestRead,
)
from telemetry_ingest.models.analytics import Alert, TripRequest
from telemetry_ingest.names import Directory, vendor_names

READERS = (Role.supervisor, Role.vendor, *READ_ALL)

router = ServiceRouter(prefix="/fleet", tags=["fleet"], responses=COMMON_ERRORS)
requests_router = ServiceRouter(prefix="/trip-requests", tags=["trip requests"], responses=COMMON_ERRORS)
alerts_router = ServiceRouter(tags=["alerts"], responses=COMMON_ERRORS)

Start = Annotated[IsoDateTime, Query(description="window start, inclusive, ISO 8601 with offset")]
End = Annotated[IsoDateTime, Query(description="window end, exclusive")]
Reader = Annotated[Principal, Depends(require_roles(*READERS))]


class DistanceUnit(StrEnum):
    day = "day"
    month = "month"


@router.get("/positions/latest", response_model=PositionCollection)
async def get_latest_positions(
    session: DbSession, settings: Settings, principal: Reader, names: Directory
) -> PositionCollection:
    """The newest fix of every vehicle as a GeoJSON FeatureCollection of Points (`online` is false when the
    terminal has been silent longer than the offline threshold), with the plate and the vendor's name."""
    rows = await service.latest_positions(session, vendor_id=vendor_scope(principal))
    vendors = await vendor_names(names, (r["vendor_id"] for r in rows))
    return geojson.position_collection(
        rows, now=clock.now(), offline_after_min=settings.offline_after_min, vendor_names=vendors
    )


@router.get("/vehicles/{vehicle_id}/track", response_model=TrackFeature, responses=problem_responses(404))
async def get_vehicle_track(
    vehicle_id: str,
    session: DbSession,
    settings: Settings,
    principal: Reader,
    start: Start,
    end: End,
    simplify_m: Annotated[
        float | None, Query(ge=0, le=10_000, description="Douglas-Peucker tolerance in metres; none keeps every fix")
    ] = None,
) -> TrackFeature:
    """The vehicle's track over the window as a GeoJSON LineString Feature, GPS jumps removed, optionally
    simplified (Douglas-Peucker)."""
    return await service.track(
        session,
        settings=settings,
        vehicle_id=vehicle_id,
        vendor_id=vendor_scope(principal),
        start=start,
        end=end,
        simplify_m=simplify_m,
    )


@router.get("/vehicles/{vehicle_id}/segments", response_model=SegmentsRead, responses=problem_responses(404))
async def get_vehicle_segments(
    vehicle_id: str, session: DbSession, settings: Settings, principal: Reader, start: Start, end: End
) -> SegmentsRead:
    """Trips and parking stops of one vehicle over the window (at most 62 days), segmented from motion and
    ignition with the configured minimum trip distance/duration and minimum parking duration; each trip
    carries its calendar class and the approved request it matches."""
    return await service.segments(
        session, settings=settings, vehicle_id=vehicle_id, vendor_id=vendor_scope(principal), start=start, end=end
    )


EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the track and trips as GPX 1.1, KML 2.2 or CSV (UTF-8 with BOM)",
        "content": {media.split(";")[0]: {"schema": {"type": "string"}} for media in exports.MEDIA_TYPES.values()},
    },
    **problem_responses(404),
}


@router.get("/vehicles/{vehicle_id}/export", response_class=Response, responses=EXPORT_RESPONSES)
async def export_vehicle_day(
    vehicle_id: str,
    request: Request,
    session: DbSession,
    settings: Settings,
    principal: Reader,
    start: Start,
    end: End,
    fmt: Annotated[
        exports.ExportFormat | None,
        Query(
            alias="format",
            description="gpx, kml or csv; when absent the `Accept` header chooses "
            "(application/gpx+xml, application/vnd.google-earth.kml+xml, text/csv), else GPX",
        ),
    ] = None,
) -> Response:
    """The vehicle's track and trips over the window (at most 62 days) as a file for GPS tools (Traccar,
    Google Earth, a spreadsheet): GPX with the whole track then one track per trip, KML with a placemark
    each, or CSV with one row per fix and its trip number. Named by the plate, labels in the request's
    language; the fixes are those of the GeoJSON track (GPS jumps removed)."""
    chosen = exports.negotiate(fmt, request.headers.get("accept"))
    day = await service.vehicle_day(
        session, settings=settings, vehicle_id=vehicle_id, vendor_id=vendor_scope(principal), start=start, end=end
    )
    local = start.astimezone(day.tz).strftime("%Y%m%d")
    name = f"{day.vehicle_id}-{local}.{chosen.value}"
    return Response(
        exports.render(day, chosen),
        media_type=exports.MEDIA_TYPES[chosen],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/distance", response_model=list[DistanceRow], responses=problem_responses(404))
async def get_distance(
    session: DbSession,
    settings: Settings,
    principal: Reader,
    start: Start,
    end: End,
    granularity: Annotated[DistanceUnit, Query(description="local day or month")] = DistanceUnit.day,
    vehicle_id: Annotated[str | None, Query(max_length=64, description="one vehicle; default all")] = None,
) -> list[DistanceRow]:
    """Distance per vehicle and local day or month, ignoring GPS jumps (segments implying an implausible speed).
    A day's distance is the sum of its own segments between fixes of that local day."""
    scope = vendor_scope(principal)
    if vehicle_id is not None:
        await device_service.get_vehicle(session, vehicle_id=vehicle_id, vendor_id=scope)
    return await service.distance(
        session,
        settings=settings,
        start=start,
        end=end,
        unit=granularity.value,
        vehicle_id=vehicle_id,
        vendor_id=scope,
    )


@router.post("/evaluate", response_model=EvaluationRead, responses=problem_responses(404))
async def evaluate_fleet(
    session: DbSession,
    settings: Settings,
    start: Start,
    end: End,
    vehicle_id: Annotated[str | None, Query(max_length=64, description="one vehicle; default all")] = None,
    vendor_id: Annotated[str | None, Query(max_length=64, description="only this vendor's vehicles")] = None,
    now: Annotated[
        IsoDateTime | None,
        Query(
            description="reference time of the offline check; by default the present when the window "
            "reaches it, otherwise no offline check"
        ),
    ] = None,
    _: Principal = Depends(require_roles(Role.supervisor, Role.service)),
) -> EvaluationRead:
    """Run the trip segmentation and every alert rule over the window: store its trips (replacing earlier
    results of the window) and raise alerts (idempotent): off-hours use, sealed-holiday use, unrequested use,
    leaving the parking geofence, overspeed, idling, device offline."""
    return await service.evaluate(
        session, settings=settings, start=start, end=end, vehicle_id=vehicle_id, vendor_id=vendor_id, now=now
    )


@requests_router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=TripRequestRead, responses=problem_responses(422)
)
async def create_trip_request(
    request_in: TripRequestCreate,
    session: DbSession,
    principal: Principal = Depends(require_roles(Role.staff, Role.supervisor)),
) -> TripRequestRead:
    """File a request to use an official vehicle (用车申请): who (the caller), purpose, from, to, window."""
    req = await service.file_request(session, request_in=request_in, requester=principal.subject)
    return (await service.request_reads(session, [req]))[0]


@requests_router.get("", response_model=Page[TripRequestRead])
async def list_trip_requests(
    session: DbSession,
    principal: Principal = Depends(require_roles(Role.staff, Role.supervisor, Role.vendor, *READ_ALL)),
    page: PageParams = Depends(sorted_page("-window_start")),
    status_: Annotated[
        str | None, Query(alias="status", pattern="^(pending|approved|rejected)$", description="state")
    ] = None,
    vehicle_id: Annotated[str | None, Query(max_length=64, description="vehicle")] = None,
) -> Page[TripRequestRead]:
    """Trip requests, newest window first by default. Staff see their own requests, vendors those of their
    vehicles."""
    field, desc = page.order({"window_start", "created_at", "status"}, "-window_start")
    column = getattr(TripRequest, field)
    is_staff_only = principal.has(Role.staff) and not principal.has(Role.supervisor, Role.vendor, *READ_ALL)
    rows, total = await service.list_trip_requests(
        session,
        status=status_,
        vehicle_id=vehicle_id,
        requester=principal.subject if is_staff_only else None,
        vendor_id=vendor_scope(principal),
        order=column.desc() if desc else column.asc(),
        limit=page.limit,
        offset=page.offset,
    )
    return page_of(TripRequestRead, await service.request_reads(session, rows), total, page)


@requests_router.post(
    "/{request_id}/decision", response_model=TripRequestRead, responses=problem_responses(404, 409, 422)
)
async def decide_trip_request(
    request_id: str,
    decision: TripRequestDecision,
    session: DbSession,
    principal: Principal = Depends(require_roles(Role.supervisor)),
) -> TripRequestRead:
    """Approve (assigning a vehicle) or reject a pending trip request. Only approved requests cover trips."""
    req = await service.decide_request(
        session, request_id=request_id, decision=decision, supervisor=principal.subject, now=clock.now()
    )
    return (await service.request_reads(session, [req]))[0]


@alerts_router.get("/alerts", response_model=Page[AlertRead], responses=problem_responses(404))
async def list_alerts(
    session: DbSession,
    principal: Reader,
    page: PageParams = Depends(sorted_page("-started_at")),
    kind: Annotated[list[AnyAlertKind] | None, Query(description="only these kinds (repeatable)")] = None,
    withdrawn: Annotated[
        bool | None, Query(description="false: active alerts only, true: withdrawn ones only; default both")
    ] = None,
    severity: Annotated[Severity | None, Query(description="only this severity")] = None,
    subject_type: Annotated[str | None, Query(pattern="^(vehicle|meter)$", description="vehicle or meter")] = None,
    subject_id: Annotated[str | None, Query(max_length=64, description="one vehicle or meter")] = None,
    vendor_id: Annotated[str | None, Query(max_length=64, description="responsible vendor")] = None,
    department: Annotated[str | None, Query(max_length=200, description="department or building")] = None,
    start: Annotated[IsoDateTime | None, Query(description="started at or after")] = None,
    end: Annotated[IsoDateTime | None, Query(description="started before")] = None,
) -> Page[AlertRead]:
    """Alerts of vehicles and meters, newest first by default; a vendor sees only its own."""
    scope = vendor_scope(principal)
    if scope is not None:
        if vendor_id is not None and vendor_id != scope:
            raise NotFound(_("vendor {id} not found", id=vendor_id))
        vendor_id = scope
    field, desc = page.order({"started_at", "created_at", "kind", "severity", "id"}, "-started_at")
    column = getattr(Alert, field)
    rows, total = await service.list_alerts(
        session,
        filters={
            "kind": [k.value for k in kind] if kind else None,
            "severity": severity.value if severity else None,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "vendor_id": vendor_id,
            "department": department,
            "start": start,
            "end": end,
            "withdrawn": withdrawn,
        },
        order=column.desc() if desc else column.asc(),
        limit=page.limit,
        offset=page.offset,
    )
    return to_page(AlertRead, rows, total, page)


async def stream_principal(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
    access_token: Annotated[
        str | None, Query(max_length=4096, description="bearer token for EventSource clients that cannot send headers")
    ] = None,
) -> Principal:
    token = credentials.credentials if credentials is not None else access_token
    if not token:
        raise Unauthorized(_("Missing bearer token: send `Authorization: Bearer <JWT>` or `?access_token=`"))
    principal = decode_token(token, request.app.state.settings)
    if not principal.has(*READERS, Role.admin):
        raise Forbidden(
            _("This operation needs one of the roles: {wanted}", wanted="admin, auditor, service, supervisor, vendor")
        )
    return principal


@alerts_router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "`position` and `alert` events"}},
)
async def stream_events(
    request: Request, settings: Settings, principal: Principal = Depends(stream_principal)
) -> StreamingResponse:
    """Server-Sent Events: every newly committed position (`event: position`) and alert (`event: alert`),
    woken by PostgreSQL NOTIFY; a comment line is sent as heartbeat. Vendors receive only their own."""
    frames = stream.events(
        request.app.state.settings.database_url, vendor_id=vendor_scope(principal), heartbeat_s=settings.stream_poll_s
    )
    return StreamingResponse(
        frames, media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )
