"""Test oracle: the per-fix evaluation the column path replaced, kept as the documented reference.

It runs the rules of :mod:`fleet.alert_rules` over ``list[Fix]`` with the functions of :mod:`fleet.rules`,
exactly as the evaluator did before it moved to :mod:`fleet.arrays`. The equivalence tests assert that
both give identical trips, stops, distances and alerts, and the bench times it as the baseline. Nothing
in the service calls it: it lives with the tests, and the bench imports it from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from oracles import fleet_rules as rules
from telemetry_ingest.analytics import alerts as alerts_store
from telemetry_ingest.analytics.calendar import UseCalendar
from telemetry_ingest.analytics.config import AnalyticsSettings
from telemetry_ingest.fleet import geojson, repository
from telemetry_ingest.fleet.alert_rules import AlertKind, Finding, Severity, WindowSettings, alert_row, segment_params
from telemetry_ingest.fleet.schemas import SegmentsRead, StopRead, TrackFeature, TripRead
from telemetry_ingest.fleet.service import (
    _check_window,
    _withdraw_not_found,
    get_vehicle,
    parking_fence,
    use_calendar,
    withdraw_contradicted_offline,
)
from telemetry_ingest.models import Vehicle


@dataclass(frozen=True)
class FixContext(WindowSettings):
    """:class:`alert_rules.VehicleContext` with the cleaned track as Fix objects."""

    vehicle: Vehicle
    fixes: list[rules.Fix]
    settings: AnalyticsSettings
    cal: UseCalendar
    fence: rules.Fence | None
    requests: list[rules.RequestWindow]
    now: datetime | None
    last_fix_at: datetime | None


@dataclass(frozen=True)
class FixTripView:
    segment: rules.TripSegment
    use: str
    request_id: str | None

    @property
    def km(self) -> float:
        return round(self.segment.distance_m / 1000.0, 3)


def off_hours_use(ctx: FixContext, trips: Sequence[FixTripView]) -> Iterable[Finding]:
    for t in trips:
        if t.use != "permitted":
            severity = Severity.info if t.request_id else Severity.violation
            params = {"distance_km": t.km, "request_id": t.request_id}
            yield Finding(AlertKind(t.use), severity, t.segment.start.ts, t.segment.end.ts, params)


def unrequested_use(ctx: FixContext, trips: Sequence[FixTripView]) -> Iterable[Finding]:
    if not ctx.settings.require_trip_requests:
        return
    for t in trips:
        if t.request_id is None:
            params = {"distance_km": t.km}
            yield Finding(AlertKind.unrequested_use, Severity.violation, t.segment.start.ts, t.segment.end.ts, params)


def overspeed(ctx: FixContext, trips: Sequence[FixTripView]) -> Iterable[Finding]:
    limit = ctx.vehicle.speed_limit_kmh or ctx.settings.default_speed_limit_kmh
    for run in rules.overspeed(ctx.fixes, limit_kmh=limit, min_duration_s=ctx.settings.overspeed_min_s):
        params = {"peak_kmh": round(run.peak), "limit_kmh": round(limit), "duration_s": round(run.duration_s)}
        yield Finding(AlertKind.overspeed, Severity.violation, run.start, run.end, params)


def idling(ctx: FixContext, trips: Sequence[FixTripView]) -> Iterable[Finding]:
    s = ctx.settings
    for run in rules.idling(ctx.fixes, idle_speed_kmh=s.idle_speed_kmh, max_idle_s=s.idle_max_s):
        params = {"duration_s": run.duration_s, "idle_min": round(run.duration_s / 60)}
        yield Finding(AlertKind.idling, Severity.warning, run.start, run.end, params)


def geofence_exit(ctx: FixContext, trips: Sequence[FixTripView]) -> Iterable[Finding]:
    if ctx.fence is None:
        return
    for f in rules.fence_exits(ctx.fixes, ctx.fence):
        use = ctx.cal.classify(f.ts, ctx.tz)
        covered = any(r.start - ctx.grace <= f.ts <= r.end + ctx.grace for r in ctx.requests)
        severity = Severity.info if use == "permitted" or covered else Severity.violation
        yield Finding(AlertKind.geofence_exit, severity, f.ts, None, {"lat": f.lat, "lon": f.lon, "use": use})


def device_offline(ctx: FixContext, trips: Sequence[FixTripView]) -> Iterable[Finding]:
    if ctx.now is None or ctx.last_fix_at is None:
        return
    silent = (ctx.now - ctx.last_fix_at).total_seconds() / 60
    if silent >= ctx.settings.offline_after_min:
        yield Finding(AlertKind.device_offline, Severity.warning, ctx.last_fix_at, None, {"silent_min": round(silent)})


#: in the registration order of :data:`alert_rules.RULES` (the alerts come out in the same order)
RULES = (off_hours_use, unrequested_use, overspeed, idling, geofence_exit, device_offline)


def detect(ctx: FixContext) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(trip rows, alert rows) of one vehicle's cleaned track, per fix."""
    segments, _stops = rules.segment(ctx.fixes, segment_params(ctx.settings))
    trips = [
        FixTripView(t, rules.classify_trip(t, ctx.cal, ctx.tz), rules.match_request(t, ctx.requests, grace=ctx.grace))
        for t in segments
    ]
    findings = [f for fn in RULES for f in fn(ctx, trips)]
    rows = []
    for t in trips:
        seg = t.segment
        violations = sum(
            1 for f in findings if f.severity is Severity.violation and seg.start.ts <= f.start <= seg.end.ts
        )
        rows.append(
            {
                "start_at": seg.start.ts,
                "end_at": seg.end.ts,
                "distance_km": seg.distance_m / 1000.0,
                "max_speed_kmh": seg.max_speed_kmh,
                "start_lat": seg.start.lat,
                "start_lon": seg.start.lon,
                "end_lat": seg.end.lat,
                "end_lon": seg.end.lon,
                "request_id": t.request_id,
                "violations": violations,
            }
        )
    return rows, [alert_row(ctx.vehicle, f) for f in findings]


def segments_read(
    vehicle_id: str,
    raw: list[rules.Fix],
    *,
    settings: AnalyticsSettings,
    cal: UseCalendar,
    windows: list[rules.RequestWindow],
) -> SegmentsRead:
    """The segments answer of one vehicle's raw fixes, per fix (what ``service.segments`` computed)."""
    tz = ZoneInfo(settings.timezone)
    grace = timedelta(minutes=settings.request_grace_min)
    clean = rules.drop_jumps(raw, max_speed_kmh=settings.max_plausible_speed_kmh)
    trips, stops = rules.segment(clean, segment_params(settings))
    return SegmentsRead(
        vehicle_id=vehicle_id,
        distance_km=rules.distance_km(clean, max_speed_kmh=settings.max_plausible_speed_kmh),
        jumps_dropped=len(raw) - len(clean),
        trips=[
            TripRead(
                vehicle_id=vehicle_id,
                start_at=t.start.ts,
                end_at=t.end.ts,
                distance_km=t.distance_m / 1000.0,
                duration_s=t.duration_s,
                max_speed_kmh=t.max_speed_kmh,
                start=(t.start.lon, t.start.lat),
                end=(t.end.lon, t.end.lat),
                use=rules.classify_trip(t, cal, tz),
                request_id=rules.match_request(t, windows, grace=grace),
            )
            for t in trips
        ],
        stops=[
            StopRead(start_at=s.start, end_at=s.end, duration_s=s.duration_s, location=(s.lon, s.lat)) for s in stops
        ],
    )


async def segments(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    vehicle_id: str,
    vendor_id: str | None,
    start: datetime,
    end: datetime,
) -> SegmentsRead:
    """:func:`fleet.service.segments` computed per fix (the bench's raw answer)."""
    _check_window(start, end)
    vehicle = await get_vehicle(session, vehicle_id=vehicle_id, vendor_id=vendor_id)
    cal = await use_calendar(session, vehicle)
    requests = await repository.approved_requests(
        session, vehicle_id=vehicle.id, start=start - timedelta(days=1), end=end
    )
    windows = [rules.RequestWindow(r.id, r.window_start, r.window_end) for r in requests]
    read = segments_read(
        vehicle.id,
        await repository.fixes(session, vehicle_id=vehicle.id, start=start, end=end),
        settings=settings,
        cal=cal,
        windows=windows,
    )
    trips = [t.model_copy(update={"plate": vehicle.plate}) for t in read.trips]
    return read.model_copy(update={"plate": vehicle.plate, "trips": trips})


async def track(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    vehicle_id: str,
    vendor_id: str | None,
    start: datetime,
    end: datetime,
    simplify_m: float | None,
) -> TrackFeature:
    """:func:`fleet.service.track` computed per fix (the bench's raw answer)."""
    vehicle = await get_vehicle(session, vehicle_id=vehicle_id, vendor_id=vendor_id)
    raw = await repository.fixes(session, vehicle_id=vehicle.id, start=start, end=end, limit=settings.track_max_points)
    clean = rules.drop_jumps(raw, max_speed_kmh=settings.max_plausible_speed_kmh)
    return geojson.track_feature(
        vehicle.id, clean, start=start, end=end, raw_points=len(raw), tolerance_m=simplify_m, plate=vehicle.plate
    )


async def evaluate_vehicle_per_fix(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    vehicle: Vehicle,
    start: datetime,
    end: datetime,
    now: datetime | None,
) -> tuple[int, int, int]:
    """The evaluator as it was before the column path (one fixes query per vehicle-day, the per-fix
    reference rules): the bench's baseline. Stores the same results as :func:`_evaluate_many`."""
    raw = await repository.fixes(session, vehicle_id=vehicle.id, start=start, end=end)
    clean = rules.drop_jumps(raw, max_speed_kmh=settings.max_plausible_speed_kmh)
    reqs = await repository.approved_requests(session, vehicle_id=vehicle.id, start=start - timedelta(days=1), end=end)
    trips, alerts = detect(
        FixContext(
            vehicle=vehicle,
            fixes=clean,
            settings=settings,
            cal=await use_calendar(session, vehicle),
            fence=await parking_fence(session, vehicle),
            requests=[rules.RequestWindow(r.id, r.window_start, r.window_end) for r in reqs],
            now=now,
            last_fix_at=await repository.last_fix_at(session, vehicle.id, now) if now is not None else None,
        )
    )
    await repository.replace_trips(session, vehicle_id=vehicle.id, start=start, end=end, trips=trips)
    created = await alerts_store.insert_alerts(session, alerts)
    withdrawn = await _withdraw_not_found(session, vehicle_ids=[vehicle.id], start=start, end=end, alerts=alerts)
    withdrawn += await withdraw_contradicted_offline(session, settings=settings, vehicle_id=vehicle.id)
    await session.flush()
    return len(trips), created, withdrawn
