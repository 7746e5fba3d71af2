"""Fleet analytics: segmentation on read, the rule evaluator that stores trips and alerts, requests."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from houqin_common import clock
from houqin_common.errors import Conflict, NotFound, UnprocessableEntity
from telemetry_ingest.energy.config import AnalyticsSettings
from telemetry_ingest.fleet import repository, rules
from telemetry_ingest.fleet.schemas import (
    EvaluationRead,
    SegmentsRead,
    StopRead,
    TripRead,
    TripRequestCreate,
    TripRequestDecision,
)
from telemetry_ingest.models import Vehicle
from telemetry_ingest.models.analytics import TripRequest


def segment_params(settings: AnalyticsSettings) -> rules.SegmentParams:
    return rules.SegmentParams(
        moving_speed_kmh=settings.moving_speed_kmh,
        min_trip_distance_m=settings.min_trip_distance_m,
        min_trip_duration_s=settings.min_trip_duration_s,
        min_parking_s=settings.min_parking_s,
    )


async def get_vehicle(session: AsyncSession, *, vehicle_id: str, vendor_id: str | None) -> Vehicle:
    """The vehicle, or 404 (also when a vendor token asks for another vendor's vehicle)."""
    vehicle = await repository.vehicle(session, vehicle_id)
    if vehicle is None or (vendor_id is not None and vehicle.vendor_id != vendor_id):
        raise NotFound(f"vehicle {vehicle_id} not found")
    return vehicle


async def use_calendar(session: AsyncSession, vehicle: Vehicle) -> rules.UseCalendar:
    if vehicle.calendar_id is None:
        return rules.UseCalendar()
    cal = await repository.calendar(session, vehicle.calendar_id)
    if cal is None:
        return rules.UseCalendar()
    return rules.UseCalendar(
        work_start=cal.work_start,
        work_end=cal.work_end,
        working_weekdays=tuple(cal.working_weekdays),
        holidays=frozenset(cal.holidays),
        extra_workdays=frozenset(cal.extra_workdays),
    )


async def parking_fence(session: AsyncSession, vehicle: Vehicle) -> rules.Fence | None:
    if vehicle.parking_geofence_id is None:
        return None
    g = await repository.geofence(session, vehicle.parking_geofence_id)
    if g is None:
        return None
    return rules.Fence(g.kind, g.geometry, g.center_lat, g.center_lon, g.radius_m)


def _check_window(start: datetime, end: datetime, max_days: int = 62) -> None:
    if end <= start:
        raise UnprocessableEntity("end must be after start")
    if end - start > timedelta(days=max_days):
        raise UnprocessableEntity(f"the window may span at most {max_days} days")


async def segments(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    vehicle_id: str,
    vendor_id: str | None,
    start: datetime,
    end: datetime,
) -> SegmentsRead:
    """Trips and stops of one vehicle computed from its positions (nothing stored)."""
    _check_window(start, end)
    vehicle = await get_vehicle(session, vehicle_id=vehicle_id, vendor_id=vendor_id)
    tz = ZoneInfo(settings.timezone)
    raw = await repository.fixes(session, vehicle_id=vehicle.id, start=start, end=end)
    clean = rules.drop_jumps(raw, max_speed_kmh=settings.max_plausible_speed_kmh)
    trips, stops = rules.segment(clean, segment_params(settings))
    cal = await use_calendar(session, vehicle)
    requests = await repository.approved_requests(
        session, vehicle_id=vehicle.id, start=start - timedelta(days=1), end=end
    )
    windows = [rules.RequestWindow(r.id, r.window_start, r.window_end) for r in requests]
    grace = timedelta(minutes=settings.request_grace_min)
    return SegmentsRead(
        vehicle_id=vehicle.id,
        distance_km=rules.distance_km(clean, max_speed_kmh=settings.max_plausible_speed_kmh),
        jumps_dropped=len(raw) - len(clean),
        trips=[
            _trip_read(vehicle.id, t, rules.classify_trip(t, cal, tz), rules.match_request(t, windows, grace=grace))
            for t in trips
        ],
        stops=[
            StopRead(start_at=s.start, end_at=s.end, duration_s=s.duration_s, location=(s.lon, s.lat)) for s in stops
        ],
    )


def _trip_read(vehicle_id: str, t: rules.TripSegment, use: str, request_id: str | None) -> TripRead:
    return TripRead(
        vehicle_id=vehicle_id,
        start_at=t.start.ts,
        end_at=t.end.ts,
        distance_km=t.distance_m / 1000.0,
        duration_s=t.duration_s,
        max_speed_kmh=t.max_speed_kmh,
        start=(t.start.lon, t.start.lat),
        end=(t.end.lon, t.end.lat),
        use=use,
        request_id=request_id,
    )


def _alert(
    vehicle: Vehicle, kind: str, severity: str, start: datetime, end: datetime | None, message: str, **details: Any
) -> dict[str, Any]:
    return {
        "kind": kind,
        "severity": severity,
        "subject_type": "vehicle",
        "subject_id": vehicle.id,
        "vendor_id": vehicle.vendor_id,
        "department": vehicle.department,
        "started_at": start,
        "ended_at": end,
        "message": f"{vehicle.plate}: {message}",
        "details": details,
    }


def detect(
    vehicle: Vehicle,
    fixes: list[rules.Fix],
    *,
    settings: AnalyticsSettings,
    cal: rules.UseCalendar,
    fence: rules.Fence | None,
    requests: list[rules.RequestWindow],
    now: datetime | None,
    last_fix_at: datetime | None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(trips, alerts) of one vehicle's cleaned track: the decision core of the evaluator, no I/O."""
    tz = ZoneInfo(settings.timezone)
    grace = timedelta(minutes=settings.request_grace_min)
    trips, _ = rules.segment(fixes, segment_params(settings))
    alerts: list[dict[str, Any]] = []
    trip_rows: list[dict[str, Any]] = []
    for t in trips:
        use = rules.classify_trip(t, cal, tz)
        request_id = rules.match_request(t, requests, grace=grace)
        found: list[dict[str, Any]] = []
        km = round(t.distance_m / 1000.0, 3)
        if use != "permitted":
            label = "on a sealed holiday" if use == "sealed_holiday" else "outside permitted hours"
            found.append(
                _alert(
                    vehicle,
                    use,
                    "info" if request_id else "violation",
                    t.start.ts,
                    t.end.ts,
                    f"trip of {km} km {label}" + (f" (request {request_id})" if request_id else ""),
                    distance_km=km,
                    request_id=request_id,
                )
            )
        if settings.require_trip_requests and request_id is None:
            found.append(
                _alert(
                    vehicle,
                    "unrequested_use",
                    "violation",
                    t.start.ts,
                    t.end.ts,
                    f"trip of {km} km without an approved request",
                    distance_km=km,
                )
            )
        trip_rows.append(
            {
                "start_at": t.start.ts,
                "end_at": t.end.ts,
                "distance_km": t.distance_m / 1000.0,
                "max_speed_kmh": t.max_speed_kmh,
                "start_lat": t.start.lat,
                "start_lon": t.start.lon,
                "end_lat": t.end.lat,
                "end_lon": t.end.lon,
                "request_id": request_id,
                "violations": 0,
            }
        )
        alerts.extend(found)
    limit = vehicle.speed_limit_kmh or settings.default_speed_limit_kmh
    for run in rules.overspeed(fixes, limit_kmh=limit, min_duration_s=settings.overspeed_min_s):
        alerts.append(
            _alert(
                vehicle,
                "overspeed",
                "violation",
                run.start,
                run.end,
                f"{run.peak:.0f} km/h over the {limit:.0f} km/h limit for {run.duration_s:.0f} s",
                peak_kmh=run.peak,
                limit_kmh=limit,
                duration_s=run.duration_s,
            )
        )
    for run in rules.idling(fixes, idle_speed_kmh=settings.idle_speed_kmh, max_idle_s=settings.idle_max_s):
        alerts.append(
            _alert(
                vehicle,
                "idling",
                "warning",
                run.start,
                run.end,
                f"engine idling for {run.duration_s / 60:.0f} min",
                duration_s=run.duration_s,
            )
        )
    if fence is not None:
        for f in rules.fence_exits(fixes, fence):
            use = cal.classify(f.ts, tz)
            covered = any(r.start - grace <= f.ts <= r.end + grace for r in requests)
            alerts.append(
                _alert(
                    vehicle,
                    "geofence_exit",
                    "info" if use == "permitted" or covered else "violation",
                    f.ts,
                    None,
                    "left the designated parking area" + ("" if use == "permitted" else f" ({use.replace('_', ' ')})"),
                    lat=f.lat,
                    lon=f.lon,
                    use=use,
                )
            )
    if now is not None and last_fix_at is not None:
        silent = (now - last_fix_at).total_seconds() / 60
        if silent >= settings.offline_after_min:
            alerts.append(
                _alert(
                    vehicle,
                    "device_offline",
                    "warning",
                    last_fix_at,
                    None,
                    f"no position for {silent:.0f} min",
                    silent_min=round(silent, 1),
                )
            )
    # a trip's violation count feeds the compliance ratio of the KPI
    for row in trip_rows:
        row["violations"] = sum(
            1 for a in alerts if a["severity"] == "violation" and row["start_at"] <= a["started_at"] <= row["end_at"]
        )
    return trip_rows, alerts


async def evaluate(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    start: datetime,
    end: datetime,
    vehicle_id: str | None,
    vendor_id: str | None,
    now: datetime | None,
) -> EvaluationRead:
    """Segment trips and run every rule for the window; store trips (replacing the window's) and alerts
    (idempotent). The offline check runs at ``now``, by default only for a window reaching the present."""
    _check_window(start, end)
    if vehicle_id is not None:
        targets = [await get_vehicle(session, vehicle_id=vehicle_id, vendor_id=vendor_id)]
    else:
        targets = await repository.vehicles(session, vendor_id=vendor_id)
    if now is None:
        # offline is a live condition: checked for a window reaching the present, or at an explicit time
        current = clock.now()
        now = current if end >= current else None
    total_trips = created = 0
    for vehicle in targets:
        raw = await repository.fixes(session, vehicle_id=vehicle.id, start=start, end=end)
        clean = rules.drop_jumps(raw, max_speed_kmh=settings.max_plausible_speed_kmh)
        reqs = await repository.approved_requests(
            session, vehicle_id=vehicle.id, start=start - timedelta(days=1), end=end
        )
        trips, alerts = detect(
            vehicle,
            clean,
            settings=settings,
            cal=await use_calendar(session, vehicle),
            fence=await parking_fence(session, vehicle),
            requests=[rules.RequestWindow(r.id, r.window_start, r.window_end) for r in reqs],
            now=now,
            last_fix_at=await repository.last_fix_at(session, vehicle.id, now) if now is not None else None,
        )
        await repository.replace_trips(session, vehicle_id=vehicle.id, start=start, end=end, trips=trips)
        await repository.upsert_vehicle_days(
            session,
            vehicle_id=vehicle.id,
            days=whole_day_distances(
                clean, start, end, ZoneInfo(settings.timezone), max_speed_kmh=settings.max_plausible_speed_kmh
            ),
        )
        created += await repository.insert_alerts(session, alerts)
        total_trips += len(trips)
    return EvaluationRead(vehicles=len(targets), trips=total_trips, alerts_created=created)


def whole_day_distances(
    fixes: list[rules.Fix], start: datetime, end: datetime, tz: ZoneInfo, *, max_speed_kmh: float
) -> dict[date, tuple[float, int]]:
    """(km, fixes) of every local day lying wholly inside [start, end), zero for a day without fixes."""
    first = start.astimezone(tz).date()
    if datetime.combine(first, time(0), tz) < start:
        first += timedelta(days=1)
    km = rules.daily_distance_km(fixes, tz, max_speed_kmh=max_speed_kmh)
    counts: dict[date, int] = {}
    for f in fixes:
        d = f.ts.astimezone(tz).date()
        counts[d] = counts.get(d, 0) + 1
    out: dict[date, tuple[float, int]] = {}
    day = first
    while datetime.combine(day + timedelta(days=1), time(0), tz) <= end:
        out[day] = (km.get(day, 0.0), counts.get(day, 0))
        day += timedelta(days=1)
    return out


async def file_request(session: AsyncSession, *, request_in: TripRequestCreate, requester: str) -> TripRequest:
    if request_in.vehicle_id is not None and await repository.vehicle(session, request_in.vehicle_id) is None:
        raise UnprocessableEntity(f"vehicle {request_in.vehicle_id} is not registered")
    req = TripRequest(
        id=str(uuid.uuid4()),
        requester=requester,
        status="pending",
        **request_in.model_dump(),
    )
    session.add(req)
    await session.flush()
    await session.refresh(req)
    return req


async def decide_request(
    session: AsyncSession, *, request_id: str, decision: TripRequestDecision, supervisor: str, now: datetime
) -> TripRequest:
    req = await repository.get_request(session, request_id)
    if req is None:
        raise NotFound(f"trip request {request_id} not found")
    if req.status != "pending":
        raise Conflict(f"trip request {request_id} is already {req.status}")
    if decision.approve:
        vehicle_id = decision.vehicle_id or req.vehicle_id
        if vehicle_id is None:
            raise UnprocessableEntity("assign a vehicle to approve the request")
        if await repository.vehicle(session, vehicle_id) is None:
            raise UnprocessableEntity(f"vehicle {vehicle_id} is not registered")
        req.vehicle_id = vehicle_id
    req.status = "approved" if decision.approve else "rejected"
    req.decided_by = supervisor
    req.decided_at = now
    req.decision_note = decision.note
    await session.flush()
    return req
